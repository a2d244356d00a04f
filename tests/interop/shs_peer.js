// shs_peer.js - the npm secret-handshake/pull-box-stream peer for interop tests.
//
// Mirrors tests/tools/shs_echo.c so tests/test_shs_interop.c can pair them:
//   node shs_peer.js server NETKEY SEED PEER_PK COUNT ok|reject
//   node shs_peer.js client NETKEY SEED PEER_PK PORT COUNT BIG ok|reject
// The server prints "port N", serves COUNT connections and echoes every byte
// until the client's goodbye. The client makes COUNT connections and echoes
// BIG bytes on the first, a short message on the others. "reject": every
// handshake must fail. Exit status 0 when everything went as expected.
'use strict'
process.env.CHLORIDE_JS = '1' // pure JS/wasm crypto: no native addon to build

const net = require('net')
const pull = require('pull-stream')
const toPull = require('stream-to-pull-stream')
const shs = require('secret-handshake')
const chloride = require('chloride')

const HANDSHAKE_TIMEOUT_MS = 10000
const [mode, netHex, seedHex, peerHex] = process.argv.slice(2)
const appKey = Buffer.from(netHex, 'hex')
const keys = chloride.crypto_sign_seed_keypair(Buffer.from(seedHex, 'hex'))
const peerPk = peerHex === '-' ? null : Buffer.from(peerHex, 'hex')

setTimeout(() => {
  console.error('shs_peer: timed out')
  process.exit(1)
}, 45000).unref()

function fail (msg) {
  console.error('shs_peer: ' + msg)
  process.exitCode = 1
}

function pattern (n, tag) {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + tag + (i >> 10)) & 0xff
  return b
}

function server (count, expectOk) {
  let closed = 0
  let failed = 0
  const authorize = (pk, cb) => cb(null, !peerPk || pk.equals(peerPk))
  const srv = net.createServer((socket) => {
    let ok = false
    const wire = toPull.duplex(socket)
    const hs = shs.createServer(keys, authorize, appKey, HANDSHAKE_TIMEOUT_MS)(
      (err, stream) => {
        if (err) {
          ok = !expectOk
          return
        }
        if (!expectOk) return
        // Echo until the client's goodbye; ending our sink sends ours.
        pull(stream, pull.through(null, (end) => { ok = !end }), stream)
      })
    pull(wire, hs, wire)
    socket.on('error', () => {})
    socket.on('close', () => {
      if (!ok) failed++
      if (++closed === count) {
        srv.close()
        if (failed) fail(failed + ' server connection(s) failed')
      }
    })
  })
  srv.listen(0, '127.0.0.1', () => {
    process.stdout.write('port ' + srv.address().port + '\n')
  })
}

function dialOne (port, n, tag, expectOk, done) {
  const socket = net.connect(port, '127.0.0.1')
  const wire = toPull.duplex(socket)
  socket.on('error', () => {})
  const data = pattern(n, tag)
  const hs = shs.createClient(keys, appKey, HANDSHAKE_TIMEOUT_MS)(
    peerPk, (err, stream) => {
      if (err) return done(expectOk ? err : null)
      if (!expectOk) return done(new Error('handshake unexpectedly passed'))
      // Sending ends with our goodbye; collect ends at the server's.
      pull(pull.values([data]), stream, pull.collect((err, bufs) => {
        if (err) return done(err)
        if (!Buffer.concat(bufs).equals(data)) return done(new Error('echo differs'))
        done(null)
      }))
    })
  pull(wire, hs, wire)
}

function client (port, count, big, expectOk) {
  let i = 0
  const next = () => {
    if (i === count) return
    const n = i === 0 ? big : 100 + i
    dialOne(port, n, i, expectOk, (err) => {
      if (err) fail('client connection ' + i + ': ' + err.message)
      i++
      next()
    })
  }
  next()
}

if (mode === 'server' && process.argv.length === 8) {
  server(+process.argv[6], process.argv[7] === 'ok')
} else if (mode === 'client' && process.argv.length === 10) {
  client(+process.argv[6], +process.argv[7], +process.argv[8], process.argv[9] === 'ok')
} else {
  console.error('usage: shs_peer.js server NETKEY SEED PEER_PK COUNT ok|reject\n' +
                '       shs_peer.js client NETKEY SEED PEER_PK PORT COUNT BIG ok|reject')
  process.exit(2)
}
