/* app.js - the node page: plain JavaScript, same-origin API calls with the
 * Bearer token kept in sessionStorage (never a cookie). */
'use strict';

const CATEGORIES = ['flows', 'routes', 'modus-operandi', 'criminal-organisations',
  'incidents', 'document-fraud', 'assistance', 'return'];
const COLOURS = ['#1f4e9c', '#3b8bd0', '#e08a00', '#b42318', '#7a3fb0', '#1e7a3c',
  '#6b7a8c', '#c4508f'];
let token = null;
let me = null;           /* /api/status of this node */
let tab = 'dashboard';
let timer = null;

/* ---- helpers ---- */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
const $ = (s) => document.querySelector(s);
function when(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}
function ago(ms) {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  return when(ms);
}
function short(hex) { return hex ? hex.slice(0, 10) + '…' : '—'; }
function audience(a) {
  const cls = a === 'net' ? 'aud-net' : a === 'ms' ? 'aud-ms' : 'aud-grp';
  const title = a === 'net' ? 'every member of the network'
    : a === 'ms' ? 'Member States only (no Commission, no agencies)'
      : 'only the states ' + a.split('+').join(', ');
  return el('span', { class: 'aud ' + cls, title: title },
    a === 'net' ? 'net · all members' : a === 'ms' ? 'ms · Member States' : a + ' only');
}
function toast(msg) {
  const t = $('#toast');
  t.textContent = msg; t.hidden = false;
  clearTimeout(toast.t); toast.t = setTimeout(() => { t.hidden = true; }, 5000);
}

class ApiError extends Error {
  constructor(status, body) { super(body.message || ('HTTP ' + status)); this.status = status; this.body = body; }
}
async function api(method, path, body) {
  const opt = { method: method, headers: { 'Authorization': 'Bearer ' + token }, cache: 'no-store' };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  const r = await fetch(path, opt);
  const type = r.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await r.json() : await r.text();
  if (r.status === 401) { showLogin(); throw new ApiError(401, data); }
  if (!r.ok) throw new ApiError(r.status, typeof data === 'object' ? data : { message: data });
  return data;
}

/* ---- token ---- */
function takeToken() {
  const m = /(?:^#|&)token=([0-9a-f]{64})/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('ilonet-token', m[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  token = sessionStorage.getItem('ilonet-token');
}
function showLogin() {
  $('#login').hidden = false;
  document.querySelectorAll('.tab').forEach((s) => { s.hidden = true; });
}

/* ---- dashboard ---- */
async function loadStatus() {
  me = await api('GET', '/api/status');
  $('#who').textContent = me.state + ' (' + me.role + ') · host country ' + me.host;
  document.title = 'ilonet · ' + me.state + ' · ' + me.host;
  return me;
}

async function showDashboard() {
  const [st, stats, recent] = await Promise.all([loadStatus(), api('GET', '/api/stats'),
    api('GET', '/api/recent?limit=12')]);
  const facts = $('#node-facts');
  const connected = st.peers.filter((p) => p.connected).length;
  facts.replaceChildren(
    el('dt', {}, 'State'), el('dd', {}, st.state + ' (' + st.role + ')'),
    el('dt', {}, 'Network'), el('dd', {}, 'host country ' + st.host + ' · ', el('span', { class: 'mono' }, short(st.network))),
    el('dt', {}, 'Node key'), el('dd', { class: 'mono' }, short(st.node)),
    el('dt', {}, 'Peers'), el('dd', {}, connected + ' of ' + st.peers.length + ' connected'),
    el('dt', {}, 'Entries'), el('dd', {}, st.entries + ' in ' + st.logs + ' logs'),
    el('dt', {}, 'View hash'), el('dd', { class: 'mono', title: st.view_hash }, short(st.view_hash)),
    el('dt', {}, 'Forks, quarantine'), el('dd', { class: st.evidence || st.quarantine ? 'pill-bad' : 'pill-ok' },
      st.evidence + ' fork(s), ' + st.quarantine + ' held back'));
  const peerBy = {};
  for (const p of st.peers) peerBy[p.node] = p;
  const rows = st.members.map((m) => {
    const p = peerBy[m.node];
    const link = m.self ? el('span', { class: 'muted' }, 'this node')
      : p ? el('span', { class: p.connected ? 'pill-ok' : 'pill-bad' }, p.connected ? 'connected' : 'not connected')
        : el('span', { class: 'muted' }, 'via others');
    return el('tr', {}, el('td', {}, m.state || '?'), el('td', {}, m.role || '?'),
      el('td', { class: 'mono' }, short(m.node)), el('td', {}, m.entries),
      el('td', {}, link), el('td', {}, m.self ? '—' : ago(p && p.last_sync_ms)));
  });
  $('#members tbody').replaceChildren(...rows);
  drawChart(stats.observations_by_month);
  const kinds = stats.kinds || {};
  const max = Math.max(1, ...Object.values(kinds));
  $('#kinds').replaceChildren(...Object.entries(kinds).map(([k, n]) =>
    el('div', { class: 'bar' }, el('span', {}, k), el('b', { style: null, 'data-w': n }), String(n))));
  document.querySelectorAll('#kinds b').forEach((b) => { b.style.width = (160 * b.dataset.w / max) + 'px'; });
  $('#recent tbody').replaceChildren(...recent.items.map((r) => el('tr', {},
    el('td', {}, when(r.time_ms)), el('td', {}, r.kind + (r.category ? ' · ' + r.category : '')),
    el('td', {}, r.state), el('td', {}, audience(r.audience)),
    el('td', {}, r.valid ? r.status : 'no effect'), el('td', {}, r.summary || ''))));
}

/* Stacked bars: observations per month, one colour per category. */
function drawChart(rows) {
  const NS = 'http://www.w3.org/2000/svg';
  const box = $('#chart');
  const months = [...new Set(rows.map((r) => r.month))].sort();
  if (!months.length) { box.replaceChildren(el('p', { class: 'muted' }, 'No observations yet.')); return; }
  const per = {};
  for (const r of rows) { per[r.month] = per[r.month] || {}; per[r.month][r.category] = r.n; }
  const totals = months.map((m) => Object.values(per[m]).reduce((a, b) => a + b, 0));
  const step = Math.max(1, Math.ceil(Math.max(1, ...totals) / 4));
  const max = step * 4;
  const W = 640, H = 220, L = 34, B = 26, bw = Math.min(60, (W - L - 10) / months.length - 10);
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Observations per category and month');
  const mk = (tag, a, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(a)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e); return e;
  };
  const y = (v) => H - B - (H - B - 10) * v / max;
  for (let t = 0; t <= 4; t++) {
    const v = step * t;
    mk('line', { x1: L, x2: W, y1: y(v), y2: y(v), stroke: '#e3e8ef' });
    mk('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5f6b7a' }, v);
  }
  months.forEach((m, i) => {
    const x = L + 10 + i * ((W - L - 10) / months.length);
    let acc = 0;
    CATEGORIES.forEach((c, ci) => {
      const n = per[m][c] || 0;
      if (!n) return;
      const r = mk('rect', { x: x, y: y(acc + n), width: bw, height: y(acc) - y(acc + n), fill: COLOURS[ci] });
      const t = document.createElementNS(NS, 'title'); t.textContent = m + ' ' + c + ': ' + n; r.appendChild(t);
      acc += n;
    });
    mk('text', { x: x + bw / 2, y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#5f6b7a' }, m);
  });
  const legend = el('div', { class: 'legend' }, CATEGORIES.map((c, ci) => {
    const i = el('i'); i.style.background = COLOURS[ci]; return el('span', {}, i, c);
  }));
  box.replaceChildren(svg, legend);
}

/* ---- observations ---- */
function query(form) {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
  return q.toString();
}
async function showObservations() {
  const q = query($('#obs-filter'));
  const res = await api('GET', '/api/observations' + (q ? '?' + q : ''));
  $('#obs-count').textContent = res.count + ' shown';
  $('#obs-table tbody').replaceChildren(...res.items.map((o) => el('tr', { 'data-id': o.id, onclick: () => showRecord('observations', o.id) },
    el('td', {}, when(o.time_ms)), el('td', {}, o.state + (o.author_state !== o.state ? ' (by ' + o.author_state + ')' : '')),
    el('td', {}, o.category), el('td', {}, o.summary),
    el('td', {}, o.figure === null ? 'n/a' : o.figure + ' ' + (o.unit || '')),
    el('td', {}, o.period || ''), el('td', {}, o.reliability || ''), el('td', {}, audience(o.audience)))));
}
async function showRecord(kind, id) {
  const box = $('#obs-detail');
  const r = await api('GET', '/api/' + kind + '/' + id);
  const dl = el('dl');
  for (const [k, v] of Object.entries(r.record)) {
    if (v === null || k === 'hlc') continue;
    dl.append(el('dt', {}, k), el('dd', {}, k === 'audience' ? audience(v) : String(v)));
  }
  const hist = el('ul', {}, r.history.map((h) => el('li', {}, when(h.time_ms) + ' ' + h.kind + ' by ' + h.author_state +
    (h.valid ? ': took effect' : ': no effect (' + (h.why || '?') + ')'))));
  const res = el('div', { class: 'result' });
  const act = (what, body) => async () => {
    try {
      const out = await api('POST', '/api/' + kind + '/' + id + '/' + what, body ? body() : {});
      res.className = 'result ok'; res.textContent = what + ' recorded: entry ' + short(out.id);
      refresh();
    } catch (e) { res.className = 'result err'; res.textContent = e.message; }
  };
  const amendField = el('input', { placeholder: 'field, e.g. summary', size: 14 });
  const amendValue = el('input', { placeholder: 'new value', size: 24 });
  box.replaceChildren(el('h3', {}, r.kind + ' ' + short(r.record.id)), dl,
    el('h3', {}, 'History'), r.history.length ? hist : el('p', { class: 'muted' }, 'No changes.'),
    el('div', {}, amendField, amendValue,
      el('button', { class: 'small', onclick: act('amend', () => ({ [amendField.value.trim()]: amendValue.value })) }, 'Amend'),
      el('button', { class: 'small', onclick: act('retract') }, 'Retract'),
      el('button', { class: 'small', onclick: act('erase') }, 'Erase (GDPR)')), res);
  box.hidden = false;
}

/* ---- forms ---- */
async function submitRecord(ev) {
  ev.preventDefault();
  const form = ev.target;
  const out = form.querySelector('.result');
  const body = {};
  form.querySelectorAll('.bad').forEach((e) => e.classList.remove('bad'));
  for (const [k, v] of new FormData(form)) {
    const s = String(v).trim();
    if (s) body[k] = /^\d+$/.test(s) && (k === 'figure' || k === 'attendees' || k === 'officers') ? Number(s) : s;
  }
  try {
    const res = await api('POST', '/api/' + form.dataset.kind, body);
    out.className = 'result ok';
    out.textContent = 'Recorded in audience ' + res.audience + ': entry ' + res.id;
    form.reset();
    refresh();
  } catch (e) {
    out.className = 'result err';
    out.textContent = (e.body && e.body.error ? e.body.error + ': ' : '') + e.message;
    const m = /field '([a-z-]+)'/.exec(e.message);
    const bad = m && form.querySelector('[name="' + m[1] + '"]');
    if (bad) { bad.classList.add('bad'); bad.focus(); }
  }
}

/* ---- meetings, tasks, grants, evidence ---- */
async function showMeetings() {
  const res = await api('GET', '/api/meetings');
  $('#meet-table tbody').replaceChildren(...res.items.map((m) => el('tr', {},
    el('td', {}, m.date), el('td', {}, m.place), el('td', {}, m.convenor), el('td', {}, m.participants),
    el('td', {}, m.commission === 'excluded' ? 'excluded' + (m.reason ? ' (' + m.reason + ')' : '') : 'present'),
    el('td', {}, m.topics), el('td', {}, audience(m.audience)))));
}
async function showTasks() {
  const res = await api('GET', '/api/tasks');
  const out = $('#task-result');
  $('#task-table tbody').replaceChildren(...res.items.map((t) => {
    const mine = me && t['for'].split(',').includes(me.state);
    const can = mine ? ['accept', 'decline', 'start', 'done'] : [];
    if (me && t.creator === me.state) can.push('cancel');
    return el('tr', {}, el('td', {}, when(t.time_ms)), el('td', {}, t.creator), el('td', {}, t['for']),
      el('td', {}, t.title), el('td', {}, t.due || ''), el('td', {}, t.status || 'open'), el('td', {}, audience(t.audience)),
      el('td', {}, can.map((s) => el('button', { class: 'small', onclick: async () => {
        try {
          const r = await api('POST', '/api/tasks/' + t.id + '/' + s, {});
          out.className = 'result ok'; out.textContent = s + ' recorded: entry ' + short(r.id); refresh();
        } catch (e) { out.className = 'result err'; out.textContent = e.message; }
      } }, s))));
  }));
}
async function showGrants() {
  const res = await api('GET', '/api/grants');
  const day = (s) => new Date(s * 1000).toISOString().slice(0, 10);
  $('#grant-table tbody').replaceChildren(...res.items.map((g) => el('tr', {},
    el('td', {}, g.represented), el('td', {}, g.representing), el('td', {}, g.scope || 'everything'),
    el('td', {}, day(g.not_before)), el('td', {}, day(g.not_after)),
    el('td', { class: g.in_force ? 'pill-ok' : 'pill-bad' }, g.in_force ? 'yes' : 'no'),
    el('td', {}, !g.valid ? 'not valid: ' + (g.why || '?') : g.revoked_at_ms ? 'revoked from ' + when(g.revoked_at_ms) : ''))));
}
async function showEvidence() {
  const [res, st] = await Promise.all([api('GET', '/api/evidence'), loadStatus()]);
  const who = {};
  for (const m of st.members) who[m.node] = m.state;
  $('#forks').replaceChildren(...(res.evidence.length ? res.evidence.map((e) => el('div', { class: 'plain bad' },
    'The node ' + short(e.author) + ' of ' + (e.author_state || who[e.author] || 'an unknown state') +
    ' signed two different entries at position ' + e.seq + ' of its log for audience ' + e.audience +
    ' (entries ' + short(e.entry_a) + ' and ' + short(e.entry_b) + '). Both are kept as proof and passed on to peers; ' +
    'that log is frozen after position ' + (e.seq - 1) + ' on every node, and its later entries do not count.'))
    : [el('div', { class: 'plain' }, 'No forks: every log this node holds has a single history.')]));
  $('#quarantine').replaceChildren(...(res.quarantine.length ? res.quarantine.map((q) => el('div', { class: 'plain bad' },
    'Entry ' + short(q.entry) + ' at position ' + q.seq + ' of log ' + short(q.log) + ' is stored but held back: ' +
    q.reason + (q.code === 'future-timestamp' ? ' (it counts from ' + when(q.until_ms) + ')' : '') + '.'))
    : [el('div', { class: 'plain' }, 'Nothing held back: every entry stored counts in the view.')]));
}

/* ---- report ---- */
function semesterNow() {
  const d = new Date();
  return d.getUTCFullYear() + '-H' + (d.getUTCMonth() < 6 ? 1 : 2);
}
function reportPath(download) {
  const f = $('#report-form');
  const sem = f.semester.value.trim() || semesterNow();
  return '/api/report?semester=' + encodeURIComponent(sem) + '&format=' + f.format.value + (download ? '&download=1' : '');
}
async function previewReport(ev) {
  if (ev) ev.preventDefault();
  const out = $('#report-out');
  try {
    const doc = await api('GET', reportPath(false));
    const fmt = $('#report-form').format.value;
    if (fmt === 'html') {
      const fr = el('iframe', { class: 'report', sandbox: '', title: 'report preview' });
      fr.srcdoc = doc;
      out.replaceChildren(fr);
    } else {
      out.replaceChildren(el('pre', { class: 'report' }, fmt === 'json' ? JSON.stringify(doc, null, 2) : doc));
    }
  } catch (e) { out.replaceChildren(el('p', { class: 'result err' }, e.message)); }
}
async function downloadReport() {
  try {
    const r = await fetch(reportPath(true), { headers: { 'Authorization': 'Bearer ' + token } });
    if (!r.ok) throw new Error((await r.json()).message);
    const name = (/filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '') || [])[1] || 'report';
    const url = URL.createObjectURL(await r.blob());
    const a = el('a', { href: url, download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) { toast(e.message); }
}

/* ---- tabs and refresh ---- */
const VIEWS = { dashboard: showDashboard, observations: showObservations, meetings: showMeetings,
  tasks: showTasks, grants: showGrants, evidence: showEvidence, record: loadStatus, report: async () => {} };
async function refresh() {
  try { await VIEWS[tab](); } catch (e) { if (e.status !== 401) toast(e.message); }
}
function select(name) {
  tab = name;
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('on', b.dataset.tab === name));
  document.querySelectorAll('.tab').forEach((s) => { s.hidden = s.id !== 'tab-' + name; });
  if (name === 'report' && !$('#report-out').firstChild) previewReport();
  refresh();
}

function start() {
  takeToken();
  for (const sel of document.querySelectorAll('select[name=category]'))
    for (const c of CATEGORIES) sel.append(el('option', {}, c));
  $('#report-form').semester.value = semesterNow();
  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => select(b.dataset.tab)));
  document.querySelectorAll('form.rec').forEach((f) => f.addEventListener('submit', submitRecord));
  $('#obs-filter').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
  $('#report-form').addEventListener('submit', previewReport);
  $('#report-dl').addEventListener('click', downloadReport);
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = e.target.token.value.trim();
    if (/^[0-9a-f]{64}$/.test(t)) { sessionStorage.setItem('ilonet-token', t); location.reload(); }
    else toast('A token is 64 hexadecimal digits.');
  });
  if (!token) { showLogin(); return; }
  const want = new URLSearchParams(location.search).get('tab');
  select(want && Object.prototype.hasOwnProperty.call(VIEWS, want) ? want : 'dashboard');
  /* Sync arrives in the background: the open view is refreshed every 3 s
   * (not the forms or the report, which the user is working on). */
  timer = setInterval(() => { if (tab !== 'record' && tab !== 'report' && !document.hidden) refresh(); }, 3000);
}
document.addEventListener('DOMContentLoaded', start);
