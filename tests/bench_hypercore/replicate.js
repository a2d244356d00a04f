// replicate.js - the Hypercore 11 anchor for tests/bench_sync.sh.
//
//   node replicate.js N AUTHORS
//   node replicate.js --disk N AUTHORS
//
// Same workload as the ilonet sync benchmark: N entries of 200 bytes
// written by AUTHORS single-writer cores (one per author, as ilonet has one
// log per author), held by a writer process; a fresh reader process
// connects over loopback TCP and downloads every block of every core over
// one replication stream (Noise-encrypted, Protomux, as Hypercore does in
// production). Both are separate Node.js processes with their own RocksDB
// storage. Prints key=value lines: hypercore_entries, hypercore_seconds,
// hypercore_entries_per_s, hypercore_wire_bytes_per_entry,
// hypercore_peak_rss_mib (the larger of the two processes).
//
// --disk: only the writer, in this process: appends the same N entries,
// closes its cores and prints hypercore_disk_bytes (every file under the
// writer's storage) and hypercore_disk_bytes_per_entry (tests/bench_store.sh).
'use strict'
const { fork } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')

const BATCH = 1000

function payload(i) {
  const b = Buffer.alloc(200, 'x')
  b.write(`observation ${i} routes `)
  return b
}

async function writer(n, authors, dir) {
  const Hypercore = require('hypercore')
  const cores = []
  for (let a = 0; a < authors; a++) {
    const core = new Hypercore(path.join(dir, 'w' + a))
    await core.ready()
    const per = Math.floor(n / authors)
    for (let done = 0; done < per; done += BATCH) {
      const blocks = []
      for (let i = done; i < Math.min(per, done + BATCH); i++) blocks.push(payload(i))
      await core.append(blocks)
    }
    cores.push(core)
  }
  const server = net.createServer((sock) => {
    const s = Hypercore.createProtocolStream(false)
    for (const c of cores) c.replicate(s)
    s.pipe(sock).pipe(s)
    s.on('error', () => {})
    sock.on('error', () => {})
  })
  server.listen(0, '127.0.0.1', () => {
    process.send({ port: server.address().port, keys: cores.map((c) => c.key.toString('hex')) })
  })
  process.on('message', (m) => {
    if (m === 'rss') process.send({ rss: process.resourceUsage().maxRSS })
    if (m === 'exit') process.exit(0)
  })
}

async function reader(n, port, keys, dir) {
  const Hypercore = require('hypercore')
  const cores = []
  for (let a = 0; a < keys.length; a++) {
    const core = new Hypercore(path.join(dir, 'r' + a), Buffer.from(keys[a], 'hex'))
    await core.ready()
    cores.push(core)
  }
  const t0 = process.hrtime.bigint()
  const sock = net.connect(port, '127.0.0.1')
  const s = Hypercore.createProtocolStream(true)
  for (const c of cores) c.replicate(s)
  s.pipe(sock).pipe(s)
  s.on('error', () => {})
  sock.on('error', () => {})
  const per = Math.floor(n / keys.length)
  await Promise.all(cores.map(async (c) => {
    await c.update({ wait: true })
    await c.download({ start: 0, end: per }).done()
  }))
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  let got = 0
  for (const c of cores) got += c.contiguousLength
  process.send({ secs, got, wire: sock.bytesRead + sock.bytesWritten, rss: process.resourceUsage().maxRSS })
  sock.destroy()
  setTimeout(() => process.exit(0), 100)
}

function main() {
  const n = parseInt(process.argv[2] || '100000', 10)
  const authors = parseInt(process.argv[3] || '5', 10)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ilonet-hypercore-'))
  const w = fork(__filename, ['writer', n, authors, dir])
  w.once('message', ({ port, keys }) => {
    const r = fork(__filename, ['reader', n, port, JSON.stringify(keys), dir])
    r.once('message', (res) => {
      w.send('rss')
      w.once('message', ({ rss }) => {
        const peak = Math.max(rss, res.rss) / 1024
        console.log(`hypercore_entries=${res.got}`)
        console.log(`hypercore_seconds=${res.secs.toFixed(3)}`)
        console.log(`hypercore_entries_per_s=${Math.round(res.got / res.secs)}`)
        console.log(`hypercore_wire_bytes_per_entry=${(res.wire / res.got).toFixed(1)}`)
        console.log(`hypercore_wire_overhead_bytes_per_entry=${(res.wire / res.got - 200).toFixed(1)}`)
        console.log(`hypercore_peak_rss_mib=${peak.toFixed(1)}`)
        w.send('exit')
        fs.rmSync(dir, { recursive: true, force: true })
      })
    })
  })
}

function duBytes(dir) {
  let n = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) n += duBytes(p)
    else if (e.isFile()) n += fs.statSync(p).size
  }
  return n
}

async function disk(n, authors) {
  const Hypercore = require('hypercore')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ilonet-hypercore-disk-'))
  const per = Math.floor(n / authors)
  for (let a = 0; a < authors; a++) {
    const core = new Hypercore(path.join(dir, 'w' + a))
    await core.ready()
    for (let done = 0; done < per; done += BATCH) {
      const blocks = []
      for (let i = done; i < Math.min(per, done + BATCH); i++) blocks.push(payload(i))
      await core.append(blocks)
    }
    await core.close()
  }
  const bytes = duBytes(dir)
  console.log(`hypercore_disk_entries=${per * authors}`)
  console.log(`hypercore_disk_bytes=${bytes}`)
  console.log(`hypercore_disk_bytes_per_entry=${(bytes / (per * authors)).toFixed(1)}`)
  fs.rmSync(dir, { recursive: true, force: true })
}

if (process.argv[2] === '--disk') {
  disk(parseInt(process.argv[3] || '100000', 10), parseInt(process.argv[4] || '5', 10))
} else if (process.argv[2] === 'writer') {
  writer(parseInt(process.argv[3], 10), parseInt(process.argv[4], 10), process.argv[5])
} else if (process.argv[2] === 'reader') {
  reader(parseInt(process.argv[3], 10), parseInt(process.argv[4], 10), JSON.parse(process.argv[5]), process.argv[6])
} else {
  main()
}
