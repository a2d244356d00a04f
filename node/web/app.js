/* app.js - the node page: plain JavaScript, no build step. Same-origin API
 * calls (docs/API.md) with an officer's session cookie, or the node's
 * bootstrap token kept in sessionStorage. Forms come from GET /api/vocab,
 * labels from i18n/<lang>.json, live updates from GET /api/events (long
 * polling). Text is always written with textContent, never as markup. */
'use strict';

const COLOURS = ['#1f4e9c', '#3b8bd0', '#e08a00', '#b42318', '#7a3fb0', '#1e7a3c',
  '#6b7a8c', '#c4508f', '#0f766e', '#854d0e'];
const LANGS = { en: 'English', de: 'Deutsch' };
/* Field types the forms can edit; others (id, bin, map) are internal. */
const EDITABLE = ['str', 'uint', 'enum', 'date', 'period', 'state', 'states', 'list',
  'semester', 'country', 'countries'];
/* Fields shown in a list's columns are picked from the vocabulary; these
 * never are (long texts and personal-data bookkeeping). */
const NOT_A_COLUMN = ['detail', 'on-behalf-of', 'purpose', 'retain-until', 'reason', 'remit', 'source'];
const SEARCH_PAGE = 10; /* results per page of search */
const HEADLINES = ['summary', 'title', 'topics', 'counterpart', 'carrier', 'post', 'position', 'semester', 'state'];

const S = {
  token: null,        /* bootstrap token (sessionStorage), or null */
  session: null,      /* GET /api/session answer, or null */
  csrf: null,
  me: null,           /* GET /api/status */
  vocab: null,
  kinds: [],          /* record kinds of the vocabulary */
  sets: {},
  members: {},
  countries: {},
  tab: null,
  kind: null,         /* the records tab's kind (plural) */
  newKind: null,
  cursor: null,       /* live updates */
  live: 'starting',
  strings: {},        /* i18n: chosen language over English */
  lang: 'en',
  locale: 'en',
  dates: 'local',
  deskMark: null,
  searchNext: null,
  searched: null,     /* the query the results are for */
  started: false,
  rt: null,           /* narrative texts: {period, drafter, basis, sections} */
  rtGen: 0,           /* the latest load of them */
};

/* ---- helpers ---- */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
const $ = (s) => document.querySelector(s);
const $$ = (s) => Array.from(document.querySelectorAll(s));

/* t('key', {name: value}): the label in the chosen language, else English,
 * else the key itself (a missing label shows, it does not break). */
function t(key, vars, fallback) {
  let s = S.strings[key];
  if (s === undefined) s = fallback !== undefined ? fallback : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, n) => (vars[n] !== undefined ? String(vars[n]) : m));
  return s;
}
function applyI18n(root) {
  for (const e of (root || document).querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n, null, e.textContent);
  for (const e of (root || document).querySelectorAll('[data-i18n-placeholder]')) e.placeholder = t(e.dataset.i18nPlaceholder, null, e.placeholder);
  for (const e of (root || document).querySelectorAll('[data-i18n-aria]')) e.setAttribute('aria-label', t(e.dataset.i18nAria, null, e.getAttribute('aria-label')));
}
async function loadStrings() {
  const stored = localStorage.getItem('ilonet-lang');
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  S.lang = stored && LANGS[stored] ? stored : LANGS[nav] ? nav : 'en';
  S.dates = localStorage.getItem('ilonet-dates') === 'iso' ? 'iso' : 'local';
  const get = async (l) => {
    try { const r = await fetch('/i18n/' + l + '.json', { cache: 'no-store' }); return r.ok ? await r.json() : {}; } catch (e) { return {}; }
  };
  const en = await get('en');
  S.strings = S.lang === 'en' ? en : Object.assign({}, en, await get(S.lang));
  /* Dates in the browser's own regional format (en-GB, de-AT...) when it
   * speaks the page's language, else in the page language's. */
  S.locale = (navigator.language || '').toLowerCase().startsWith(S.lang) ? navigator.language : S.lang;
  document.documentElement.lang = S.lang;
  applyI18n();
}

/* Times: the browser's time zone and the locale's format (or ISO 8601);
 * the UTC instant is in the title and the datetime attribute. */
function when(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const iso = d.toISOString();
  let text;
  if (S.dates === 'iso') {
    const p = (n) => String(n).padStart(2, '0');
    text = d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes());
  } else {
    text = new Intl.DateTimeFormat(S.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }
  return el('time', { datetime: iso, title: iso.slice(0, 16).replace('T', ' ') + ' UTC' }, text);
}
/* A calendar date YYYY-MM-DD (no time zone) in the chosen format. */
function day(s) {
  if (!s || S.dates === 'iso' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return s || '';
  const d = new Date(s + 'T00:00:00Z');
  return new Intl.DateTimeFormat(S.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}
function ago(ms) {
  if (!ms) return t('never');
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return t('ago.s', { n: s });
  if (s < 3600) return t('ago.min', { n: Math.round(s / 60) });
  return when(ms);
}
function short(hex) { return hex ? hex.slice(0, 10) + '…' : '—'; }
function audience(a) {
  if (!a) return '';
  const cls = a === 'net' ? 'aud-net' : a === 'ms' ? 'aud-ms' : 'aud-grp';
  const text = a === 'net' ? t('aud.net') : a === 'ms' ? t('aud.ms') : t('aud.group', { states: a });
  return el('span', { class: 'aud ' + cls, title: a === 'net' ? t('aud.net.help') : a === 'ms' ? t('aud.ms.help')
    : t('aud.group.help', { states: a.split('+').join(', ') }) }, text);
}
function toast(msg) {
  const e = $('#toast');
  e.textContent = msg; e.hidden = false;
  clearTimeout(toast.t); toast.t = setTimeout(() => { e.hidden = true; }, 6000);
}
function say(sel, msg, ok) {
  const e = typeof sel === 'string' ? $(sel) : sel;
  if (!e) return;
  e.className = 'result' + (msg ? (ok ? ' ok' : ' err') : '');
  e.textContent = msg || '';
}
function kindByName(name) { return S.kinds.find((k) => k.name === name || k.plural === name) || null; }
function kindLabel(k) { return t('kind.' + k.name, null, k.label); }
function kindPlural(k) { return t('kinds.' + k.name, null, k.label); }
function fieldLabel(k, f) { return t('field.' + k.name + '.' + f.name, null, t('field.' + f.name, null, f.label)); }
function valueLabel(set, code) {
  const s = S.sets[set];
  const v = s && s.values.find((x) => x.code === code);
  return v ? t('value.' + set + '.' + code, null, v.label) : code;
}
function recordLink(kind, id, text) {
  const k = kindByName(kind);
  const plural = k ? k.plural : kind;
  const href = '?tab=record&kind=' + encodeURIComponent(plural) + '&id=' + encodeURIComponent(id);
  return el('a', { href: href, 'data-id': id, onclick: (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault(); openRecord(plural, id, true);
  } }, text || short(id));
}

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status; this.body = body || {}; this.field = this.body.field || null;
    if (!this.field) { const m = /field '([a-z-]+)'/.exec(this.message); if (m) this.field = m[1]; }
  }
}
/* Every request: same origin, the session cookie or the token, the CSRF
 * header on writes made with the cookie. A 401 sends the page to the
 * sign-in form with the server's words. */
async function api(method, path, body, opts) {
  const o = { method: method, headers: {}, cache: 'no-store', credentials: 'same-origin' };
  if (S.token) o.headers['Authorization'] = 'Bearer ' + S.token;
  else if (S.csrf && method !== 'GET') o.headers['X-CSRF-Token'] = S.csrf;
  if (body !== undefined) { o.headers['Content-Type'] = 'application/json'; o.body = JSON.stringify(body); }
  if (opts && opts.signal) o.signal = opts.signal;
  const r = await fetch(path, o);
  const type = r.headers.get('Content-Type') || '';
  let data;
  try { data = type.startsWith('application/json') ? await r.json() : await r.text(); } catch (e) { data = {}; }
  if (r.status === 401 && !(opts && opts.no401)) {
    showSignin(typeof data === 'object' && data.message ? data.message : t('signin.expired'));
    throw new ApiError(401, typeof data === 'object' ? data : { message: data });
  }
  if (!r.ok) throw new ApiError(r.status, typeof data === 'object' ? data : { message: String(data).slice(0, 300) });
  return data;
}
function errText(e) {
  if (!(e instanceof ApiError)) return t('err.network', { why: e.message });
  if (e.status === 404 && e.body.error === 'not-found' && /no such endpoint/.test(e.message)) return t('err.noendpoint', { what: e.message });
  return e.message;
}

/* ---- signing in ---- */
function takeToken() {
  const m = /(?:^#|&)token=([0-9a-f]{64})/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('ilonet-token', m[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  S.token = sessionStorage.getItem('ilonet-token');
}
function showSignin(msg) {
  $$('.tab').forEach((s) => { s.hidden = true; });
  $('#tabs').hidden = true;
  $('#quick-search').hidden = true;
  $('#signin').hidden = false;
  $('#signout').hidden = true;
  $('#who').textContent = t('signedout');
  say('#signin-msg', msg || '', false);
  stopLive();
  if (!S.token && !$('#si-user').value) $('#si-user').focus();
}
async function whoami() {
  try {
    S.session = await api('GET', '/api/session', undefined, { no401: true });
    if (S.session.csrf) S.csrf = S.session.csrf;
    return true;
  } catch (e) {
    if (e.status === 404 || e.status === 405) { S.session = null; return !!S.token; }
    if (e.status === 401) {
      if (S.token) { sessionStorage.removeItem('ilonet-token'); S.token = null; showSignin(t('signin.badtoken')); }
      else showSignin('');
      return false;
    }
    showSignin(errText(e));
    return false;
  }
}
async function signIn(ev) {
  ev.preventDefault();
  const f = ev.target;
  say('#signin-msg', '', false);
  try {
    const r = await api('POST', '/api/session', { user: f.user.value.trim(), password: f.password.value }, { no401: true });
    S.session = r; S.csrf = r.csrf; S.token = null;
    sessionStorage.removeItem('ilonet-token');
    f.password.value = '';
    await enter();
  } catch (e) {
    f.password.value = '';
    let msg = errText(e);
    if (e.status === 429) msg = t('signin.locked', { why: e.message });
    else if (e.status === 401) msg = t('signin.wrong');
    say('#signin-msg', msg, false);
    (e.field === 'user' ? f.user : f.password).focus();
  }
}
async function signOut() {
  try {
    if (!S.token) await api('DELETE', '/api/session', undefined, { no401: true });
  } catch (e) { /* signed out either way */ }
  sessionStorage.removeItem('ilonet-token');
  S.token = null; S.session = null; S.csrf = null; S.started = false;
  showSignin(t('signin.out'));
}
function whoText() {
  const st = S.me;
  const who = S.session && S.session.user ? S.session.user + ' · ' : S.token ? t('who.token') + ' · ' : '';
  return who + st.state + ' (' + st.role + ') · ' + t('who.host', { host: st.host });
}

/* ---- start ---- */
async function loadStatus() {
  S.me = await api('GET', '/api/status');
  $('#who').textContent = whoText();
  document.title = 'ilonet · ' + S.me.state + ' · ' + S.me.host;
  return S.me;
}
async function loadVocab() {
  const v = await api('GET', '/api/vocab');
  S.vocab = v;
  S.kinds = v.kinds.filter((k) => k.record && k.plural);
  S.sets = {};
  for (const s of v.sets) S.sets[s.name] = s;
  S.members = {};
  for (const m of v.members || []) S.members[m.code] = m;
  S.countries = {};
  for (const c of v.countries || []) S.countries[c.code] = c;
}
/* After a credential is known: status, vocabulary, then the asked-for
 * view; the header never stays on "connecting…" whatever the first tab. */
async function enter() {
  $('#signin').hidden = true;
  $('#banner').hidden = true;
  try {
    await Promise.all([loadStatus(), loadVocab()]);
  } catch (e) {
    if (e.status !== 401) { $('#banner').textContent = errText(e); $('#banner').hidden = false; }
    return;
  }
  $('#tabs').hidden = false;
  $('#quick-search').hidden = false;
  $('#signout').hidden = false;
  $('#signout').textContent = S.token ? t('signout.token') : t('signout');
  buildKindPickers();
  fillSearchSelects();
  S.started = true;
  route(false);
  startLive();
}

/* ---- navigation: ?tab=...&kind=...&id=... ---- */
const VIEWS = {
  desk: showDesk, dashboard: showDashboard, records: showList, record: showRecordView,
  new: showNew, search: showSearch, grants: showGrants, evidence: showEvidence, report: showReport,
};
function route(push) {
  const q = new URLSearchParams(location.search);
  let tab = q.get('tab') || 'desk';
  /* Old and short addresses: ?tab=tasks, ?tab=observations, ?tab=record... */
  if (kindByName(tab)) { q.set('kind', kindByName(tab).plural); tab = 'records'; }
  if (tab === 'record' && !q.get('id')) tab = 'new';
  if (!VIEWS[tab]) tab = 'desk';
  if (q.get('kind') && kindByName(q.get('kind'))) {
    if (tab === 'new') S.newKind = kindByName(q.get('kind')).plural;
    else S.kind = kindByName(q.get('kind')).plural;
  }
  select(tab, push);
}
function go(params, push) {
  const q = new URLSearchParams(params);
  const url = location.pathname + '?' + q.toString();
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
  route(false);
}
function select(name) {
  S.tab = name;
  $$('#tabs button').forEach((b) => {
    const on = b.dataset.tab === name || (name === 'record' && b.dataset.tab === 'records');
    b.classList.toggle('on', on);
    if (on) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  });
  $$('.tab').forEach((s) => { s.hidden = s.id !== 'tab-' + name; });
  refresh();
}
async function refresh() {
  if (!S.started) return;
  try { await VIEWS[S.tab](); } catch (e) {
    if (e.status !== 401) toast(errText(e));
  }
}

/* ---- my desk ---- */
const TASK_NEXT = { open: ['accept', 'decline'], accept: ['start', 'done', 'decline'], start: ['done'] };
/* The transitions that make sense next for this state (the desk's rule,
 * for lists that do not carry them). */
function taskActions(tk) {
  if (Array.isArray(tk.actions)) return tk.actions;
  const st = S.me ? S.me.state : null;
  const status = tk.status || tk.task_status || 'open';
  const out = [];
  if (st && String(tk['for'] || '').split(',').includes(st)) out.push(...(TASK_NEXT[status] || []));
  if (st && (tk.creator || tk.state) === st && status !== 'done' && status !== 'cancel') out.push('cancel');
  return out;
}
function taskButtons(tk, out) {
  return taskActions(tk).map((a) => el('button', { type: 'button', class: 'small', 'aria-label': t('task.' + a) + ': ' + (tk.title || ''),
    onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await api('POST', '/api/tasks/' + tk.id + '/' + a, {});
        say(out, t('task.done.msg', { action: t('task.' + a), title: tk.title || short(tk.id) }), true);
        refresh();
      } catch (e) { ev.target.disabled = false; say(out, errText(e), false); }
    } }, t('task.' + a)));
}
function taskTable(items, out) {
  if (!items.length) return el('p', { class: 'muted' }, t('desk.notasks'));
  return el('table', { class: 'list' },
    el('thead', {}, el('tr', {}, ['col.title', 'col.by', 'col.for', 'col.due', 'col.status', 'col.actions'].map((c) => el('th', {}, t(c))))),
    el('tbody', {}, items.map((tk) => el('tr', {},
      el('td', {}, recordLink('tasks', tk.id, tk.title || short(tk.id))),
      el('td', {}, tk.creator || tk.state || ''), el('td', {}, tk['for'] || ''),
      el('td', {}, day(tk.due)), el('td', {}, t('status.' + (tk.status || 'open'))),
      el('td', {}, taskButtons(tk, out))))));
}
async function showDesk() {
  let d;
  try {
    d = await api('GET', '/api/desk');
  } catch (e) {
    if (e.status !== 404) throw e;
    /* An API without the desk: the tasks at least, from the list. */
    const tasks = await api('GET', '/api/tasks');
    d = { tasks: tasks.items.filter((tk) => taskActions(tk).length), new: null, grants_expiring: null, attention: null };
    say('#desk-msg', t('desk.partial'), false);
  }
  const out = $('#desk-msg');
  /* the desk lists the soonest due; the rest are in the tasks list */
  const moreTasks = (d.tasks_count || 0) - (d.tasks || []).length;
  $('#desk-tasks').replaceChildren(taskTable(d.tasks || [], out),
    ...(moreTasks > 0 ? [el('p', { class: 'muted' }, t('desk.tasks.more', { n: moreTasks }))] : []));
  const nw = $('#desk-new');
  if (d.new) {
    S.deskMark = d.mark || null;
    const items = d.new.items || [];
    const badge = $('#desk-badge');
    badge.hidden = !d.new.count; badge.textContent = d.new.count ? String(d.new.count) : '';
    nw.replaceChildren(...[
      el('p', {}, d.new.count ? t('desk.newcount', { n: d.new.count }) : d.new.first ? t('desk.first') : t('desk.nonew')),
      items.length ? recentTable(items) : null,
      el('button', { type: 'button', class: 'small', onclick: markSeen }, t('desk.seen'))].filter((x) => x));
  } else nw.replaceChildren(el('p', { class: 'muted' }, t('desk.unavailable')));
  const gr = $('#desk-grants');
  if (d.grants_expiring) {
    gr.replaceChildren(d.grants_expiring.length ? el('ul', {}, d.grants_expiring.map((g) => el('li', {},
      t('desk.grant', { represented: g.represented, representing: g.representing, scope: g.scope || t('grants.everything'), days: g.days_left }))))
      : el('p', { class: 'muted' }, t('desk.nogrants')));
  } else gr.replaceChildren(el('p', { class: 'muted' }, t('desk.unavailable')));
  const at = $('#desk-attention');
  if (d.attention) {
    at.replaceChildren(...(d.attention.length ? d.attention.map((a) => el('div', { class: 'plain bad' },
      el('h3', {}, a.title || a.type), el('p', {}, a.explain || ''),
      a.todo ? el('p', {}, el('strong', {}, t('desk.todo') + ' '), a.todo) : null))
      : [el('p', { class: 'muted' }, t('desk.allclear'))]));
  } else at.replaceChildren(el('p', { class: 'muted' }, t('desk.unavailable')));
  if (!d.new && !d.tasks) say(out, t('desk.partial'), false);
}
async function markSeen() {
  try {
    await api('POST', '/api/desk/seen', S.deskMark ? { mark: S.deskMark } : {});
    say('#desk-msg', t('desk.seen.done'), true);
    refresh();
  } catch (e) { say('#desk-msg', errText(e), false); }
}

/* ---- overview ---- */
async function showDashboard() {
  const [st, stats, recent] = await Promise.all([loadStatus(), api('GET', '/api/stats'),
    api('GET', '/api/recent?limit=12')]);
  const connected = st.peers.filter((p) => p.connected).length;
  $('#node-facts').replaceChildren(
    el('dt', {}, t('fact.state')), el('dd', {}, st.state + ' (' + st.role + ')'),
    el('dt', {}, t('fact.network')), el('dd', {}, t('who.host', { host: st.host }) + ' · ', el('span', { class: 'mono' }, short(st.network))),
    el('dt', {}, t('fact.node')), el('dd', { class: 'mono' }, short(st.node)),
    el('dt', {}, t('fact.peers')), el('dd', {}, t('fact.peers.n', { n: connected, of: st.peers.length })),
    el('dt', {}, t('fact.entries')), el('dd', {}, t('fact.entries.n', { n: st.entries, logs: st.logs })),
    el('dt', {}, t('fact.viewhash')), el('dd', { class: 'mono', title: st.view_hash || '' },
      st.view_hash ? short(st.view_hash) : t('fact.viewhash.pending'),
      /* the server's keeper computes it off the request path: the last one may be behind */
      st.view_hash && !st.view_hash_current ? el('span', { class: 'muted' }, ' · ' + t('fact.viewhash.asof') + ' ', ago(st.view_hash_at_ms)) : ''),
    el('dt', {}, t('fact.evidence')), el('dd', { class: st.evidence || st.quarantine ? 'pill-bad' : 'pill-ok' },
      t('fact.evidence.n', { forks: st.evidence, held: st.quarantine })));
  const peerBy = {};
  for (const p of st.peers) peerBy[p.node] = p;
  $('#members tbody').replaceChildren(...st.members.map((m) => {
    const p = peerBy[m.node];
    const link = m.self ? el('span', { class: 'muted' }, t('link.self'))
      : p ? el('span', { class: p.connected ? 'pill-ok' : 'pill-bad' }, p.connected ? t('link.up') : t('link.down'))
        : el('span', { class: 'muted' }, t('link.via'));
    return el('tr', {}, el('td', {}, m.state || '?'), el('td', {}, m.role || '?'),
      el('td', { class: 'mono' }, short(m.node)), el('td', {}, m.entries),
      el('td', {}, link), el('td', {}, m.self ? '—' : ago(p && p.last_sync_ms)));
  }));
  drawChart(stats.observations_by_month, stats.categories || []);
  const kinds = stats.kinds || {};
  const max = Math.max(1, ...Object.values(kinds));
  $('#kinds').replaceChildren(...Object.entries(kinds).map(([k, n]) => {
    const kd = kindByName(k);
    const b = el('b'); b.style.width = (160 * n / max) + 'px';
    return el('div', { class: 'bar' }, el('span', {}, kd ? kindPlural(kd) : t('stats.' + k, null, k)), b, String(n));
  }));
  $('#recent tbody').replaceChildren(...recentRows(recent.items));
}
function recentRows(items) {
  return items.map((r) => {
    const k = kindByName(r.kind);
    return el('tr', {},
      el('td', {}, when(r.time_ms)), el('td', {}, (k ? kindLabel(k) : r.kind) + (r.category ? ' · ' + valueLabel('categories', r.category) : '')),
      el('td', {}, r.state), el('td', {}, audience(r.audience)),
      el('td', {}, r.valid === 0 ? t('status.noeffect') : t('status.' + (r.status || 'active'), null, r.status)),
      el('td', {}, k ? recordLink(k.plural, r.id, r.summary || r.title || short(r.id)) : (r.summary || '')));
  });
}
function recentTable(items) {
  return el('div', { class: 'scroll' }, el('table', { class: 'list' },
    el('thead', {}, el('tr', {}, ['col.when', 'col.kind', 'col.state', 'col.audience', 'col.status', 'col.summary'].map((c) => el('th', {}, t(c))))),
    el('tbody', {}, recentRows(items))));
}

/* Stacked bars: observations per month, one colour per category. */
function drawChart(rows, categories) {
  const NS = 'http://www.w3.org/2000/svg';
  const box = $('#chart');
  const cats = categories.length ? categories : [...new Set(rows.map((r) => r.category))];
  const months = [...new Set(rows.map((r) => r.month))].sort();
  if (!months.length) { box.replaceChildren(el('p', { class: 'muted' }, t('dash.nochart'))); return; }
  const per = {};
  for (const r of rows) { per[r.month] = per[r.month] || {}; per[r.month][r.category] = r.n; }
  const totals = months.map((m) => Object.values(per[m]).reduce((a, b) => a + b, 0));
  const step = Math.max(1, Math.ceil(Math.max(1, ...totals) / 4));
  const max = step * 4;
  const W = 640, H = 220, L = 34, B = 26, bw = Math.min(60, (W - L - 10) / months.length - 10);
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('dash.chart') + ': ' + months.map((m, i) => m + ' ' + totals[i]).join(', '));
  const mk = (tag, a, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(a)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e); return e;
  };
  const y = (v) => H - B - (H - B - 10) * v / max;
  for (let i = 0; i <= 4; i++) {
    const v = step * i;
    mk('line', { x1: L, x2: W, y1: y(v), y2: y(v), stroke: '#e3e8ef' });
    mk('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#4a5563' }, v);
  }
  months.forEach((m, i) => {
    const x = L + 10 + i * ((W - L - 10) / months.length);
    let acc = 0;
    cats.forEach((c, ci) => {
      const n = per[m][c] || 0;
      if (!n) return;
      const r = mk('rect', { x: x, y: y(acc + n), width: bw, height: y(acc) - y(acc + n), fill: COLOURS[ci % COLOURS.length] });
      const ti = document.createElementNS(NS, 'title'); ti.textContent = m + ' ' + valueLabel('categories', c) + ': ' + n; r.appendChild(ti);
      acc += n;
    });
    mk('text', { x: x + bw / 2, y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#4a5563' }, m);
  });
  const legend = el('ul', { class: 'legend' }, cats.map((c, ci) => {
    const i = el('i', { 'aria-hidden': 'true' }); i.style.background = COLOURS[ci % COLOURS.length];
    return el('li', {}, i, valueLabel('categories', c));
  }));
  box.replaceChildren(svg, legend);
}

/* ---- record lists ---- */
function buildKindPickers() {
  const pick = (box, current, onpick) => box.replaceChildren(...S.kinds.map((k) => el('button', {
    type: 'button', class: 'kind' + (k.plural === current ? ' on' : ''), 'aria-pressed': k.plural === current ? 'true' : 'false',
    'data-kind': k.plural, onclick: () => onpick(k.plural) }, kindPlural(k))));
  pick($('#kind-pick'), S.kind, (p) => go({ tab: 'records', kind: p }, true));
  pick($('#new-pick'), S.newKind, (p) => go({ tab: 'new', kind: p }, true));
}
function markPicked(box, current) {
  for (const b of box.querySelectorAll('button')) {
    const on = b.dataset.kind === current;
    b.classList.toggle('on', on); b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
}
/* Columns of a kind's list: the vocabulary's short fields, the headline
 * first, at most five. */
function columnsOf(k) {
  const f = k.fields.filter((x) => EDITABLE.includes(x.type) && !NOT_A_COLUMN.includes(x.name) && !(x.max && x.max > 2048 && !HEADLINES.includes(x.name)));
  f.sort((a, b) => {
    const ha = HEADLINES.indexOf(a.name), hb = HEADLINES.indexOf(b.name);
    if ((ha >= 0) !== (hb >= 0)) return ha >= 0 ? -1 : 1;
    if (ha >= 0) return ha - hb;
    return (b.required ? 1 : 0) - (a.required ? 1 : 0);
  });
  return f.slice(0, 5);
}
function showValue(k, f, v) {
  if (v === null || v === undefined || v === '') return '';
  if (f && f.type === 'enum' && f.values) return valueLabel(f.values, String(v));
  if (f && f.type === 'date') return day(String(v));
  return String(v);
}
function buildFilter(k) {
  const form = $('#list-filter');
  if (form.dataset.kind === k.plural) return;
  form.dataset.kind = k.plural;
  const kids = [];
  const cat = k.fields.find((f) => f.name === 'category' && f.values);
  if (cat) {
    kids.push(el('label', {}, el('span', {}, fieldLabel(k, cat)), el('select', { name: 'category' },
      el('option', { value: '' }, t('any')), S.sets[cat.values].values.map((v) => el('option', { value: v.code }, valueLabel(cat.values, v.code))))));
  }
  if (k.name === 'task') {
    kids.push(el('label', {}, el('span', {}, t('col.status')), el('select', { name: 'status' }, el('option', { value: '' }, t('any')),
      ['open', 'accept', 'decline', 'start', 'done', 'cancel'].map((s) => el('option', { value: s }, t('status.' + s))))));
  }
  kids.push(el('label', {}, el('span', {}, t('filter.period')), el('input', { name: 'period', size: 16, placeholder: '2026-H2' })),
    el('label', {}, el('span', {}, t('col.state')), stateSelect('state', '', false)),
    el('label', {}, el('span', {}, t('col.audience')), el('input', { name: 'audience', size: 8, placeholder: 'net, ms, DE+FR' })),
    el('label', {}, el('span', {}, t('filter.text')), el('input', { name: 'text', size: 14 })),
    el('button', {}, t('filter.go')),
    el('button', { type: 'button', class: 'ghost-dark', onclick: () => window.print() }, t('list.print')),
    el('button', { type: 'button', class: 'ghost-dark', onclick: downloadCsv }, t('list.csv')));
  form.replaceChildren(...kids);
}
function stateSelect(name, value, required, id) {
  const s = el('select', { name: name, id: id || null, required: required || null },
    el('option', { value: '' }, required ? t('choose') : t('any')),
    Object.values(S.members).map((m) => el('option', { value: m.code }, m.code + ' — ' + m.name)));
  s.value = value || '';
  return s;
}
function filterQuery(form) {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
  return q;
}
/* A field's value in a row of a list or a record: under its key, which is
 * its name unless a record's own column has that name (GET /api/vocab). */
function fv(row, f) { return row[f.key || f.name]; }
let lastList = null;
async function showList() {
  if (!S.kind) S.kind = S.kinds.length ? S.kinds[0].plural : null;
  const k = kindByName(S.kind);
  if (!k) return;
  markPicked($('#kind-pick'), S.kind);
  buildFilter(k);
  $('#rec-h').textContent = kindPlural(k);
  const q = filterQuery($('#list-filter'));
  let res;
  try {
    res = await api('GET', '/api/' + k.plural + (q.toString() ? '?' + q : ''));
    say('#list-msg', '', false);
  } catch (e) {
    if (e.status === 401) return;
    say('#list-msg', errText(e), false);
    const bad = e.field && $('#list-filter').querySelector('[name="' + e.field + '"]');
    if (bad) bad.setAttribute('aria-invalid', 'true');
    $('#list-box').replaceChildren();
    return;
  }
  $('#list-filter').querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
  lastList = { kind: k, items: res.items };
  const cols = columnsOf(k);
  const head = [t('col.recorded'), t('col.state')].concat(cols.map((f) => fieldLabel(k, f)),
    k.name === 'task' ? [t('col.status'), t('col.actions')] : [], [t('col.audience')]);
  const out = $('#list-msg');
  const rows = res.items.map((r) => el('tr', {},
    el('td', {}, when(r.time_ms)),
    el('td', {}, (r.state || r.creator || '') + (r.author_state && r.author_state !== (r.state || r.creator) ? ' ' + t('by', { state: r.author_state }) : '')),
    cols.map((f, i) => el('td', {}, i === 0 ? recordLink(k.plural, r.id, showValue(k, f, fv(r, f)) || short(r.id)) : showValue(k, f, fv(r, f)))),
    k.name === 'task' ? [el('td', {}, t('status.' + (r.status || 'open'))), el('td', {}, taskButtons(r, out))] : [],
    el('td', {}, audience(r.audience))));
  $('#list-box').replaceChildren(
    el('p', { class: 'muted', 'aria-live': 'polite' }, t('list.count', { n: res.count })),
    res.items.length ? el('table', { class: 'list', id: 'list-table' },
      el('caption', { class: 'sr' }, kindPlural(k)),
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)) : el('p', { class: 'muted' }, t('list.empty')));
}
/* Exports are in UTC (ISO 8601), whatever the page's time zone. */
function downloadCsv() {
  if (!lastList) return;
  const k = lastList.kind;
  const names = ['id', 'time_utc', 'state', 'audience'].concat(k.fields.filter((f) => EDITABLE.includes(f.type)).map((f) => f.key || f.name));
  const cell = (v) => { const s = v === null || v === undefined ? '' : String(v); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
  const lines = [names.join(',')].concat(lastList.items.map((r) => names.map((n) =>
    cell(n === 'time_utc' ? new Date(r.time_ms).toISOString() : r[n])).join(',')));
  const url = URL.createObjectURL(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
  const a = el('a', { href: url, download: k.plural + '.csv' });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/* ---- one record: fields, history, amend, retract, erase ---- */
function openRecord(plural, id, push) { go({ tab: 'record', kind: plural, id: id }, push); }
async function showRecordView() {
  const q = new URLSearchParams(location.search);
  const k = kindByName(q.get('kind') || '');
  const id = (q.get('id') || '').trim();
  const box = $('#detail');
  $('#detail-back').href = '?tab=records&kind=' + (k ? k.plural : '');
  if (!k) { box.replaceChildren(el('p', { class: 'result err', role: 'alert' }, t('record.nokind', { kind: q.get('kind') || '' }))); return; }
  S.kind = k.plural;
  let r;
  try {
    r = await api('GET', '/api/' + k.plural + '/' + encodeURIComponent(id));
  } catch (e) {
    if (e.status === 401) return;
    box.replaceChildren(el('h1', {}, kindLabel(k) + ' ' + id),
      el('p', { class: 'result err', role: 'alert' }, e.status === 404 ? t('record.notfound', { id: id, why: e.message })
        : e.status === 400 ? t('record.badid', { id: id, why: e.message }) : errText(e)));
    return;
  }
  renderRecord(k, r, box);
}
function renderRecord(k, r, box) {
  const rec = r.record;
  const dl = el('dl');
  const add = (label, value) => { if (value !== '' && value !== null && value !== undefined) dl.append(el('dt', {}, label), el('dd', {}, value)); };
  add(t('rec.status'), rec.valid === 0 ? t('status.noeffect') + (rec.why ? ' (' + rec.why + ')' : '') : t('status.' + rec.status, null, rec.status));
  add(t('col.state'), rec.state + (rec.author_state && rec.author_state !== rec.state ? ' ' + t('by', { state: rec.author_state }) : ''));
  if (rec.officer) add(t('rec.officer'), rec.officer);
  add(t('col.recorded'), when(rec.time_ms));
  add(t('col.audience'), audience(rec.audience));
  for (const f of k.fields) {
    if (!EDITABLE.includes(f.type)) continue;
    add(fieldLabel(k, f), showValue(k, f, fv(rec, f)));
  }
  if (k.name === 'task') add(t('col.status'), t('status.' + (rec.task_status || 'open')));
  add(t('rec.id'), el('span', { class: 'mono' }, rec.id));
  const hist = r.history || [];
  const histTable = el('table', { class: 'list' },
    el('thead', {}, el('tr', {}, ['col.when', 'hist.change', 'col.by', 'hist.effect'].map((c) => el('th', { scope: 'col' }, t(c))))),
    el('tbody', {},
      el('tr', {}, el('td', {}, when(rec.time_ms)), el('td', {}, t('hist.create')),
        el('td', {}, rec.author_state + (rec.officer ? ' · ' + rec.officer : '')), el('td', {}, t('hist.took'))),
      hist.map((h) => el('tr', {}, el('td', {}, when(h.time_ms)),
        el('td', {}, t('hist.' + h.kind, null, h.kind) + (h.status ? ' (' + t('status.' + h.status, null, h.status) + ')' : '')),
        el('td', {}, (h.author_state || '') + (h.behalf ? ' ' + t('hist.behalf', { state: h.behalf }) : '') + (h.officer ? ' · ' + h.officer : '')),
        el('td', {}, h.valid ? t('hist.took') : t('hist.none', { why: h.why || '?' }))))));
  const res = el('p', { class: 'result', role: 'status' });
  const active = rec.status === 'active' || rec.status === undefined;
  const buttons = el('div', { class: 'actions noprint' },
    active ? el('button', { type: 'button', id: 'btn-amend', onclick: () => {
      box.replaceChildren(el('h1', {}, t('amend.title', { kind: kindLabel(k) })),
        recordForm(k, 'amend', rec, () => refresh()));
      const first = box.querySelector('input:not([disabled]),select:not([disabled]),textarea:not([disabled])');
      if (first) first.focus();
    } }, t('rec.amend')) : null,
    active ? el('button', { type: 'button', class: 'danger', id: 'btn-retract', onclick: () => confirmChange(k, rec, 'retract', res) }, t('rec.retract')) : null,
    rec.status !== 'erased' ? el('button', { type: 'button', class: 'danger', id: 'btn-erase', onclick: () => confirmChange(k, rec, 'erase', res) }, t('rec.erase')) : null,
    k.name === 'task' ? taskButtons({ id: rec.id, title: rec.title, 'for': rec['for'], creator: rec.state, status: rec.task_status }, res) : null);
  const title = HEADLINES.map((h) => rec[h]).find((v) => v) || short(rec.id);
  const files = r.attachments || [];
  box.replaceChildren(el('h1', { id: 'detail-h' }, kindLabel(k) + ': ' + title), dl,
    files.length ? [el('h2', {}, t('rec.files')), el('ul', { class: 'files' }, files.map(fileItem))] : [],
    buttons, res, el('h2', {}, t('rec.history')), el('div', { class: 'scroll' }, histTable));
}
/* ---- files a record carries: thumbnails are the browser's own decoding
 * of the bytes (an <img> of a blob: URL); C never parses an image ---- */
async function fetchBlob(f) {
  const o = { headers: {}, cache: 'no-store', credentials: 'same-origin' };
  if (S.token) o.headers['Authorization'] = 'Bearer ' + S.token;
  const r = await fetch('/api/blobs/' + encodeURIComponent(f.hash), o);
  if (!r.ok) {
    let body = {};
    try { body = await r.json(); } catch (e) { body = {}; }
    throw new ApiError(r.status, body);
  }
  return r.blob();
}
function fileItem(f) {
  const kib = f.size < 1024 ? f.size + ' B' : Math.ceil(f.size / 1024) + ' KiB';
  const li = el('li', { class: 'file' });
  const label = el('span', {}, (f.name || short(f.hash)) + ' · ' + kib + ' · ', el('span', { class: 'mono' }, short(f.hash)));
  if (f.state !== 'held') {
    li.append(label, el('span', { class: 'muted' }, ' — ' + t('file.wanted')));
    return li;
  }
  const save = el('button', { type: 'button', onclick: async () => {
    try {
      const url = URL.createObjectURL(await fetchBlob(f));
      const a = el('a', { href: url, download: f.name || f.hash });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) { toast(errText(e)); }
  } }, t('file.download'));
  if (/^image\/(jpeg|png|gif|webp)$/.test(f.type)) {
    const img = el('img', { class: 'thumb', alt: f.name || '' });
    li.append(img);
    fetchBlob(f).then((b) => { img.src = URL.createObjectURL(b); img.onload = () => URL.revokeObjectURL(img.src); })
      .catch(() => img.remove());
  }
  li.append(label, ' ', save);
  return li;
}
/* Retract and erase say, before anything is written, what happens on every node. */
function confirmChange(k, rec, what, res) {
  const dlg = $('#confirm');
  $('#confirm-h').textContent = t('confirm.' + what + '.title', { kind: kindLabel(k) });
  $('#confirm-text').textContent = t('confirm.' + what + '.text');
  $('#confirm-ok').textContent = t('rec.' + what);
  $('#confirm-reason').value = '';
  dlg.onclose = async () => {
    if (dlg.returnValue !== 'ok') return;
    const reason = $('#confirm-reason').value.trim();
    try {
      await api('POST', '/api/' + k.plural + '/' + rec.id + '/' + what, reason ? { reason: reason } : {});
      toast(t('done.' + what));
      await refresh();
      say($('#detail .result'), t('done.' + what), true);
    } catch (e) { say(res, errText(e), false); }
  };
  dlg.returnValue = '';
  dlg.showModal();
}

/* ---- forms from the vocabulary ---- */
let formSeq = 0;
/* One form for a kind, to create (mode 'create') or amend (mode 'amend',
 * rec = the record's current values: fixed fields shown, not editable). */
function recordForm(k, mode, rec, done) {
  const fid = 'f' + (++formSeq);
  const form = el('form', { class: 'rec card', novalidate: true, 'data-kind': k.plural, 'data-mode': mode, id: fid + '-' + k.name });
  if (k.help) form.append(el('p', { class: 'muted' }, t('kindhelp.' + k.name, null, k.help)));
  form.append(el('p', { class: 'muted small' }, t('form.required')));
  const inputs = {};
  const more = el('details', { class: 'more' }, el('summary', {}, t('form.more')));
  for (const f of formOrder(k)) {
    const w = fieldWidget(k, f, fid, mode, rec);
    inputs[f.name] = w.input;
    if (MORE.includes(f.name)) {
      more.append(w.wrap);
      if (rec && fv(rec, f) !== null && fv(rec, f) !== undefined) more.open = true;
    } else form.append(w.wrap);
  }
  if (more.children.length > 1) form.append(more);
  if (mode === 'create' && !(k.audiences.length === 1 && k.audiences[0] === 'group')) form.append(audienceWidget(k, fid));
  const out = el('p', { class: 'result', role: 'alert', id: fid + '-result' });
  form.append(el('div', { class: 'actions' },
    el('button', {}, mode === 'create' ? t('form.create', { kind: kindLabel(k) }) : t('form.amend')),
    mode === 'amend' ? el('button', { type: 'button', class: 'ghost-dark', onclick: () => refresh() }, t('confirm.cancel')) : null), out);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); submitForm(k, mode, rec, form, inputs, out, done); });
  return form;
}
/* Fields in the order an officer fills them: required ones (the headline
 * first), then the optional ones, then representation and personal-data
 * bookkeeping under "more". The vocabulary lists them by name. */
const MORE = ['on-behalf-of', 'purpose', 'retain-until'];
function formOrder(k) {
  const rank = (f) => (MORE.includes(f.name) ? 3 : HEADLINES.includes(f.name) && f.required ? 0 : f.required ? 1 : 2);
  return k.fields.filter((f) => EDITABLE.includes(f.type))
    .map((f, i) => [rank(f), i, f]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
}
function fieldWidget(k, f, fid, mode, rec) {
  const id = fid + '-' + f.name;
  const fixed = mode === 'amend' && f.fixed;
  const value = rec ? fv(rec, f) : null;
  const helpText = [];
  if (f.help) helpText.push(t('help.' + k.name + '.' + f.name, null, f.help));
  else if (f.values && S.sets[f.values] && S.sets[f.values].help) helpText.push(S.sets[f.values].help);
  const fmt = t('fmt.' + f.type, null, '');
  if (fmt) helpText.push(fmt);
  if (fixed) helpText.push(t('form.fixed'));
  let input;
  const common = { id: id, name: f.name, 'aria-describedby': id + '-help ' + id + '-err', disabled: fixed || null,
    required: f.required && !fixed ? true : null, 'aria-required': f.required && !fixed ? 'true' : null };
  if (f.type === 'enum' && f.values && S.sets[f.values]) {
    input = el('select', common, el('option', { value: '' }, f.required ? t('choose') : '—'),
      S.sets[f.values].values.map((v) => el('option', { value: v.code, title: v.help || null }, valueLabel(f.values, v.code) + ' (' + v.code + ')')));
  } else if (f.type === 'state') {
    input = stateSelect(f.name, '', f.required && !fixed, id);
    for (const [a, v] of Object.entries(common)) if (v !== null && a !== 'id' && a !== 'name') input.setAttribute(a, v === true ? '' : v);
    input.options[0].textContent = f.required ? t('choose') : '—';
  } else if (f.type === 'country') {
    input = el('select', common, el('option', { value: '' }, '—'), Object.values(S.countries).map((c) => el('option', { value: c.code }, c.code + ' — ' + c.name)));
  } else if (f.type === 'str' && (f.max === null || f.max > 2048)) {
    input = el('textarea', Object.assign({ rows: 3, maxlength: f.max || null }, common));
  } else {
    const a = Object.assign({ type: f.type === 'date' ? 'date' : 'text', autocomplete: 'off' }, common);
    if (f.type === 'str' && f.max) a.maxlength = f.max;
    if (f.type === 'uint') { a.inputmode = 'numeric'; a.pattern = '[0-9]+'; }
    if (f.type === 'semester') { a.pattern = '[0-9]{4}-H[12]'; a.placeholder = '2026-H2'; }
    if (f.type === 'period') a.placeholder = '2026-07-01..2026-07-31';
    if (f.type === 'states') a.placeholder = 'DE,FR';
    if (f.type === 'list' || f.type === 'countries') a.placeholder = f.suggest === 'countries' ? 'SY,AF' : '';
    if (f.suggest && S.sets[f.suggest]) a.list = id + '-list';
    input = el('input', a);
  }
  if (value !== null && value !== undefined) input.value = String(value);
  const wrap = el('div', { class: 'field' + (fixed ? ' fixed' : '') },
    el('label', { for: id }, fieldLabel(k, f) + (f.required ? ' *' : '')), input,
    f.suggest && S.sets[f.suggest] ? el('datalist', { id: id + '-list' }, S.sets[f.suggest].values.map((v) => el('option', { value: v.code }, valueLabel(f.suggest, v.code)))) : null,
    el('small', { id: id + '-help', class: 'help' }, helpText.join(' ')),
    el('span', { id: id + '-err', class: 'ferr' }));
  if (f.type === 'enum') {
    /* The chosen value's own explanation, under the field. */
    const base = helpText.join(' ');
    const show = () => {
      const v = S.sets[f.values] && S.sets[f.values].values.find((x) => x.code === input.value);
      wrap.querySelector('.help').textContent = v && v.help ? v.help : base;
    };
    input.addEventListener('change', show);
  }
  return { wrap: wrap, input: input };
}
function audienceWidget(k, fid) {
  const id = fid + '-audience';
  const sel = el('select', { id: id, name: 'audience', 'aria-describedby': id + '-help' },
    k.audiences.map((a) => el('option', { value: a === 'group' ? '+' : a }, a === 'net' ? t('aud.net.help') : a === 'ms' ? t('aud.ms.help') : t('aud.pick'))));
  sel.value = k.default_audience === 'group' ? '+' : k.default_audience;
  const grp = el('input', { id: id + '-states', name: 'audience-states', placeholder: 'DE+FR', 'aria-label': t('aud.states'), hidden: true, autocomplete: 'off' });
  sel.addEventListener('change', () => { grp.hidden = sel.value !== '+'; if (!grp.hidden) grp.focus(); });
  return el('div', { class: 'field' }, el('label', { for: id }, t('col.audience')), sel, grp,
    el('small', { id: id + '-help', class: 'help' }, t('aud.help')), el('span', { id: id + '-err', class: 'ferr' }));
}
function fieldError(form, name, msg) {
  const input = form.querySelector('[name="' + name + '"]');
  if (!input) return false;
  input.setAttribute('aria-invalid', 'true');
  const err = form.querySelector('#' + CSS.escape(input.id + '-err'));
  if (err) err.textContent = msg;
  input.focus();
  return true;
}
/* What the page can tell before sending; the server checks everything again. */
function checkForm(k, mode, form, inputs) {
  for (const f of k.fields) {
    const i = inputs[f.name];
    if (!i || i.disabled) continue;
    const v = i.value.trim();
    const label = fieldLabel(k, f);
    if (!v) { if (f.required) return [f.name, t('check.required', { field: label })]; continue; }
    if (f.type === 'uint' && !/^[0-9]+$/.test(v)) return [f.name, t('check.uint', { field: label, value: v })];
    if (f.type === 'enum' && S.sets[f.values] && !S.sets[f.values].values.some((x) => x.code === v)) return [f.name, t('check.enum', { field: label, value: v })];
    if (f.type === 'semester' && !/^\d{4}-H[12]$/.test(v)) return [f.name, t('check.semester', { field: label, value: v })];
    if (f.type === 'states' || f.type === 'state') {
      const bad = v.split(/[,+\s]+/).filter((c) => c && !S.members[c.toUpperCase()]);
      if (bad.length) return [f.name, t('check.states', { field: label, value: bad.join(', ') })];
    }
  }
  for (const r of k.rules || []) {
    const a = inputs[r.a], b = inputs[r.b];
    if (!a || !b) continue;
    const av = a.value.trim(), bv = b.value.trim();
    const la = fieldLabel(k, k.fields.find((f) => f.name === r.a)), lb = fieldLabel(k, k.fields.find((f) => f.name === r.b));
    if (r.type === 'needs' && av && !bv) return [r.b, t('check.needs', { a: la, b: lb })];
    if (r.type === 'order' && av && bv && bv < av) return [r.b, t('check.order', { a: la, b: lb })];
    if (r.type === 'pair' && !!av !== !!bv) return [av ? r.b : r.a, t('check.pair', { a: la, b: lb })];
  }
  return null;
}
async function submitForm(k, mode, rec, form, inputs, out, done) {
  form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
  form.querySelectorAll('.ferr').forEach((x) => { x.textContent = ''; });
  say(out, '', false);
  const bad = checkForm(k, mode, form, inputs);
  if (bad) { say(out, bad[1], false); fieldError(form, bad[0], bad[1]); return; }
  const body = {};
  for (const f of k.fields) {
    const i = inputs[f.name];
    if (!i || i.disabled) continue;
    const v = i.value.trim();
    if (mode === 'amend') {
      const old = fv(rec, f) === null || fv(rec, f) === undefined ? '' : String(fv(rec, f));
      if (v === old) continue;
      body[f.name] = v === '' ? null : f.type === 'uint' ? Number(v) : v;
    } else if (v !== '') body[f.name] = f.type === 'uint' ? Number(v) : v;
  }
  if (mode === 'create') {
    const a = form.querySelector('[name=audience]');
    if (a) body.audience = a.value === '+' ? form.querySelector('[name="audience-states"]').value.trim().toUpperCase() : a.value;
    if (body.audience === '') return fieldError(form, 'audience-states', t('check.group')) && say(out, t('check.group'), false);
  } else if (!Object.keys(body).length) { say(out, t('amend.nothing'), false); return; }
  const btn = form.querySelector('button:not([type=button])');
  btn.disabled = true;
  try {
    const r = mode === 'create' ? await api('POST', '/api/' + k.plural, body)
      : await api('POST', '/api/' + k.plural + '/' + rec.id + '/amend', body);
    if (mode === 'create') {
      form.reset();
      out.className = 'result ok';
      out.replaceChildren(t('form.created', { kind: kindLabel(k), audience: r.audience }) + ' ', recordLink(k.plural, r.id, t('form.open')));
    } else {
      toast(t('amend.done'));
      if (done) done(r);
    }
  } catch (e) {
    if (e.status === 401) return;
    say(out, errText(e), false);
    if (e.field) fieldError(form, e.field === 'audience' && form.querySelector('[name="audience-states"]:not([hidden])') ? 'audience-states' : e.field, e.message);
  } finally { btn.disabled = false; }
}
function showNew() {
  if (!S.newKind) S.newKind = S.kinds.length ? S.kinds[0].plural : null;
  const k = kindByName(S.newKind);
  if (!k) return;
  markPicked($('#new-pick'), S.newKind);
  const box = $('#new-form');
  if (box.dataset.kind === k.plural) return; /* keep what the officer typed */
  box.dataset.kind = k.plural;
  box.replaceChildren(el('h2', {}, kindLabel(k)), recordForm(k, 'create', null, null));
}

/* ---- search ---- */
function fillSearchSelects() {
  const f = $('#search-form');
  f.kind.replaceChildren(el('option', { value: '' }, t('any')), ...S.kinds.map((k) => el('option', { value: k.plural }, kindPlural(k))));
  const cats = S.sets.categories ? S.sets.categories.values : [];
  f.category.replaceChildren(el('option', { value: '' }, t('any')), ...cats.map((v) => el('option', { value: v.code }, valueLabel('categories', v.code))));
  const st = stateSelect('state', '', false);
  f.state.replaceChildren(...Array.from(st.options));
  f.state.value = '';
}
function snippet(pieces) {
  /* Odd pieces are the matched words: marked, as text. */
  return (pieces || []).map((p, i) => (i % 2 ? el('mark', {}, p) : p));
}
async function showSearch() {
  const q = new URLSearchParams(location.search).get('q');
  const f = $('#search-form');
  if (q && q !== S.searched) { f.q.value = q; await runSearch(false); }
  else if (!q) f.q.focus();
}
async function runSearch(more) {
  const f = $('#search-form');
  const q = filterQuery(f);
  f.q.removeAttribute('aria-invalid');
  if (!q.get('q')) { say('#search-msg', t('search.empty'), false); f.q.setAttribute('aria-invalid', 'true'); f.q.focus(); return; }
  q.set('limit', String(SEARCH_PAGE));
  if (more && S.searchNext) q.set('after', S.searchNext);
  S.searched = q.get('q');
  if (!more) history.replaceState(null, '', location.pathname + '?tab=search&q=' + encodeURIComponent(S.searched));
  let r;
  try { r = await api('GET', '/api/search?' + q); } catch (e) {
    if (e.status === 401) return;
    say('#search-msg', errText(e), false);
    const bad = e.field && f.querySelector('[name="' + e.field + '"]');
    if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
    return;
  }
  say('#search-msg', '', false);
  S.searchNext = r.next;
  const list = $('#search-results');
  const items = r.items.map((it) => {
    const k = kindByName(it.kind);
    return el('li', { class: 'hit' },
      el('div', {}, el('span', { class: 'tag' }, k ? kindLabel(k) : it.kind), ' ',
        k ? recordLink(k.plural, it.id, it.title || short(it.id)) : it.title),
      el('div', { class: 'snip' }, snippet(it.snippet)),
      el('div', { class: 'muted small' }, it.state + ' · ', audience(it.audience), ' · ', when(it.time_ms),
        it.category ? ' · ' + valueLabel('categories', it.category) : ''));
  });
  if (more) list.append(...items); else list.replaceChildren(...items);
  $('#search-count').textContent = t('search.count', { n: list.children.length, more: r.next ? t('search.andmore') : '' });
  $('#search-more').hidden = !r.next;
}

/* ---- grants, evidence ---- */
async function showGrants() {
  const res = await api('GET', '/api/grants');
  const d = (s) => (s ? day(new Date(s * 1000).toISOString().slice(0, 10)) : '');
  $('#grant-table tbody').replaceChildren(...res.items.map((g) => el('tr', {},
    el('td', {}, g.represented), el('td', {}, g.representing), el('td', {}, g.scope || t('grants.everything')),
    el('td', {}, d(g.not_before)), el('td', {}, d(g.not_after)),
    el('td', { class: g.in_force ? 'pill-ok' : 'pill-bad' }, g.in_force ? t('yes') : t('no')),
    el('td', {}, g.published_by || ''),
    el('td', {}, !g.valid ? t('grants.invalid', { why: g.why || '?' }) : g.revoked_at_ms ? [t('grants.revoked') + ' ', when(g.revoked_at_ms)] : ''))));
}
async function showEvidence() {
  const [res, st] = await Promise.all([api('GET', '/api/evidence'), loadStatus()]);
  const who = {};
  for (const m of st.members) who[m.node] = m.state;
  $('#forks').replaceChildren(...(res.evidence.length ? res.evidence.map((e) => el('div', { class: 'plain bad' },
    el('p', {}, t('ev.fork', { state: e.author_state || who[e.author] || '?', node: short(e.author), seq: e.seq, audience: e.audience || '',
      a: short(e.entry_a), b: short(e.entry_b), before: e.seq - 1 })),
    el('p', {}, el('strong', {}, t('desk.todo') + ' '), t('ev.fork.todo', { state: e.author_state || who[e.author] || '?' }))))
    : [el('p', { class: 'plain' }, t('ev.noforks'))]));
  $('#quarantine').replaceChildren(...(res.quarantine.length ? res.quarantine.map((q) => el('div', { class: 'plain bad' },
    el('p', {}, t('ev.held', { entry: short(q.entry), seq: q.seq, log: short(q.log), reason: q.reason }),
      q.until_ms ? [' ', t('ev.until'), ' ', when(q.until_ms)] : null),
    el('p', {}, el('strong', {}, t('desk.todo') + ' '), t('ev.held.todo'))))
    : [el('p', { class: 'plain' }, t('ev.noheld'))]));
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
async function showReport() {
  if (!$('#report-out').firstChild) await previewReport();
  if (!S.rt) await loadTexts();
}
async function previewReport(ev) {
  if (ev) ev.preventDefault();
  const out = $('#report-out');
  try {
    const doc = await api('GET', reportPath(false));
    const fmt = $('#report-form').format.value;
    if (fmt === 'html') {
      /* sandbox without allow-scripts: the report's HTML cannot run
       * anything (and the page's CSP, which a srcdoc frame inherits,
       * forbids inline script anyway). allow-same-origin keeps the frame
       * in this page's process: a sandbox with an opaque origin is
       * isolated into another renderer process by Chromium
       * (IsolateSandboxedIframes), and headless Chromium's screenshots
       * then show it blank. */
      const fr = el('iframe', { class: 'report', sandbox: 'allow-same-origin', title: t('report.frame') });
      fr.srcdoc = doc;
      out.replaceChildren(fr);
    } else {
      out.replaceChildren(el('pre', { class: 'report', tabindex: '0' }, fmt === 'json' ? JSON.stringify(doc, null, 2) : doc));
    }
  } catch (e) { if (e.status !== 401) out.replaceChildren(el('p', { class: 'result err', role: 'alert' }, errText(e))); }
}
async function downloadReport() {
  try {
    const h = S.token ? { 'Authorization': 'Bearer ' + S.token } : {};
    const r = await fetch(reportPath(true), { headers: h, credentials: 'same-origin' });
    if (!r.ok) throw new Error((await r.json()).message);
    const name = (/filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '') || [])[1] || 'report';
    const url = URL.createObjectURL(await r.blob());
    const a = el('a', { href: url, download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) { toast(e.message); }
}

/* ---- report: narrative texts ----
 * The drafter's working copy (GET /api/report?format=json&drafts=1) lists
 * the template's narrative sections, the drafting state's text of each
 * and the other states' texts as drafts; saving signs this state's text
 * for a section (POST /api/report/text). */
function rtPeriod() { return $('#rt-form').period.value.trim() || semesterNow(); }
async function loadTexts(ev) {
  if (ev) ev.preventDefault();
  const f = $('#rt-form');
  const per = rtPeriod();
  /* only the latest load shows its result: an earlier answer that comes
   * late neither overwrites the list nor the status line */
  const gen = (S.rtGen = (S.rtGen || 0) + 1);
  f.period.value = per;
  f.period.removeAttribute('aria-invalid');
  say('#rt-msg', t('rt.loading'), true);
  try {
    const doc = await api('GET', '/api/report?period=' + encodeURIComponent(per) + '&format=json&drafts=1');
    if (gen !== S.rtGen) return false;
    const secs = [];
    for (const p of doc.parts || []) for (const it of p.items || []) if ('narrative' in it) secs.push(it);
    S.rt = { period: per, drafter: doc.cover ? doc.cover.drafting_state : null, basis: doc.cover ? doc.cover.drafting_basis : '', sections: secs };
    const sel = f.section;
    const keep = sel.value;
    sel.replaceChildren(...secs.map((it) => el('option', { value: it.section }, it.section + ' ' + it.heading)));
    if (secs.some((it) => it.section === keep)) sel.value = keep;
    $('#rt-drafter').textContent = S.rt.drafter ? t('rt.drafter', { state: S.rt.drafter, period: per })
      : t('rt.nodrafter', { period: per, why: S.rt.basis || '' });
    renderTexts();
    rtFill();
    say('#rt-msg', '');
    return true;
  } catch (e) {
    if (e.status === 401 || gen !== S.rtGen) return false;
    if (e.status === 400) f.period.setAttribute('aria-invalid', 'true');
    say('#rt-msg', errText(e), false);
    return false;
  }
}
/* Every signed text of the period: the drafter's (in the report) and the
 * others' (drafts). */
function rtTexts(it) {
  const out = [];
  if (it.narrative) out.push(Object.assign({ draft: false }, it.narrative));
  for (const d of it.drafts || []) out.push(Object.assign({ draft: true }, d));
  return out;
}
function renderTexts() {
  const me = S.me ? S.me.state : null;
  const rows = [];
  for (const it of S.rt.sections) {
    const texts = rtTexts(it);
    if (!texts.length) {
      rows.push(el('tr', {}, el('th', { scope: 'row' }, it.section + ' ' + it.heading),
        el('td', { colspan: '4', class: 'muted' }, t('rt.none'))));
      continue;
    }
    for (const x of texts) rows.push(el('tr', { 'data-section': it.section, 'data-state': x.state },
      el('th', { scope: 'row' }, it.section + ' ' + it.heading),
      el('td', {}, x.state + (x.state === me ? ' ' + t('rt.thisnode') : '')),
      el('td', { class: x.draft ? 'muted' : 'pill-ok' }, x.draft ? t('rt.draft') : t('rt.final')),
      el('td', {}, day(x.date)),
      el('td', { class: 'rt-text' }, x.text)));
  }
  $('#rt-table tbody').replaceChildren(...rows);
}
/* The text area starts from this state's latest text of the section. */
function rtFill() {
  const f = $('#rt-form');
  const it = S.rt && S.rt.sections.find((x) => x.section === f.section.value);
  const mine = it ? rtTexts(it).find((x) => S.me && x.state === S.me.state) : null;
  f.text.value = mine ? mine.text.replace(/\n$/, '') : '';
}
async function saveText(ev) {
  ev.preventDefault();
  const f = $('#rt-form');
  const text = f.text.value;
  f.text.removeAttribute('aria-invalid');
  /* another period typed in: its sections first (a bad period is said) */
  if ((!S.rt || S.rt.period !== rtPeriod()) && !(await loadTexts())) return;
  if (!f.section.value) { say('#rt-msg', t('rt.nosection'), false); return; }
  if (!text.trim()) { f.text.setAttribute('aria-invalid', 'true'); f.text.focus(); say('#rt-msg', t('rt.empty'), false); return; }
  const btn = $('#rt-save');
  btn.disabled = true;
  try {
    const section = f.section.value;
    await api('POST', '/api/report/text', { period: S.rt.period, section: section, text: text });
    await loadTexts();
    f.section.value = section;
    rtFill();
    const draft = S.rt.drafter !== (S.me ? S.me.state : null);
    say('#rt-msg', t(draft ? 'rt.saved.draft' : 'rt.saved', { section: section, state: S.me ? S.me.state : '' }), true);
  } catch (e) {
    if (e.status === 401) return;
    if (e.field === 'text') f.text.setAttribute('aria-invalid', 'true');
    if (e.field === 'period') f.period.setAttribute('aria-invalid', 'true');
    say('#rt-msg', errText(e), false);
  } finally { btn.disabled = false; }
}

/* ---- live updates: GET /api/events, one long poll after another ---- */
let liveAbort = null;
let liveGen = 0;
function setLive(state, detail) {
  S.live = state;
  const e = $('#live');
  e.className = 'live live-' + state;
  e.replaceChildren(el('span', { class: 'dot', 'aria-hidden': 'true' }), t('live.' + state, detail));
}
function stopLive() { liveGen++; if (liveAbort) liveAbort.abort(); liveAbort = null; }
async function startLive() {
  stopLive();
  const gen = liveGen;
  let backoff = 1000;
  let since = null;
  setLive('starting');
  while (gen === liveGen) {
    liveAbort = new AbortController();
    try {
      const r = await api('GET', '/api/events?wait=25' + (since ? '&since=' + encodeURIComponent(since) : ''), undefined, { signal: liveAbort.signal });
      if (gen !== liveGen) return;
      backoff = 1000;
      const down = (r.peers || []).filter((p) => !p.reachable && !p.connected);
      if (down.length) setLive('peers', { n: down.length, states: down.map((p) => p.state || p.addr || '?').join(', ') });
      else setLive('online');
      if (since !== null && r.changed) onArrived(r.new || []);
      since = r.cursor;
    } catch (e) {
      if (gen !== liveGen || (e && e.name === 'AbortError')) return;
      if (e.status === 401) return;
      if (e.status === 404) {
        /* An API without live updates: say so, refresh now and then. */
        setLive('nolive');
        await new Promise((ok) => setTimeout(ok, 15000));
        if (gen === liveGen) refresh();
        continue;
      }
      if (e.status === 400 && e.field === 'since') { since = null; continue; }
      setLive(e instanceof ApiError ? 'error' : 'offline', { why: e.message });
      await new Promise((ok) => setTimeout(ok, backoff));
      backoff = Math.min(30000, backoff * 2);
    }
  }
}
/* New entries arrived: the open list or desk redraws; a form being filled
 * in is left alone. */
function onArrived(items) {
  if (items.length) {
    const k = kindByName(items[0].kind);
    toast(t('live.new', { n: items.length, what: k ? kindLabel(k) : items[0].kind, text: items[0].summary || items[0].title || '' }));
  }
  if (['desk', 'dashboard', 'records', 'grants', 'evidence'].includes(S.tab)) refresh();
  else if (S.tab === 'record' && !$('#detail form')) refresh();
  if (S.tab !== 'desk') api('GET', '/api/desk').then((d) => {
    const b = $('#desk-badge');
    if (d.new) { b.hidden = !d.new.count; b.textContent = d.new.count ? String(d.new.count) : ''; }
  }).catch(() => {});
}

/* ---- keyboard ---- */
function onKey(e) {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
  if (e.key === '/' && !typing && !$('#quick-search').hidden) { e.preventDefault(); $('#quick-q').focus(); }
}
function onTabKey(e) {
  /* Left and right arrows move between the sections. */
  const bs = $$('#tabs button');
  const i = bs.indexOf(e.target);
  if (i < 0) return;
  if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
    e.preventDefault();
    bs[(i + (e.key === 'ArrowRight' ? 1 : bs.length - 1)) % bs.length].focus();
  }
}

function start() {
  loadStrings().then(async () => {
    const lang = $('#lang');
    lang.replaceChildren(...Object.entries(LANGS).map(([c, n]) => el('option', { value: c, lang: c }, n)));
    lang.value = S.lang;
    lang.addEventListener('change', () => { localStorage.setItem('ilonet-lang', lang.value); location.reload(); });
    $('#datefmt').value = S.dates;
    $('#datefmt').addEventListener('change', () => { localStorage.setItem('ilonet-dates', $('#datefmt').value); S.dates = $('#datefmt').value; refresh(); });
    $('#report-form').semester.value = semesterNow();
    $$('#tabs button').forEach((b) => b.addEventListener('click', () => go({ tab: b.dataset.tab }, true)));
    $('#tabs').addEventListener('keydown', onTabKey);
    document.addEventListener('keydown', onKey);
    window.addEventListener('popstate', () => { if (S.started) route(false); });
    $('#list-filter').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
    $('#goto').addEventListener('submit', (e) => {
      e.preventDefault();
      const id = e.target.id.value.trim().toLowerCase();
      if (id) openRecord(S.kind, id, true);
    });
    $('#search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(false); });
    $('#search-more').addEventListener('click', () => runSearch(true));
    $('#quick-search').addEventListener('submit', (e) => {
      e.preventDefault();
      go({ tab: 'search', q: $('#quick-q').value.trim() }, true);
    });
    $('#report-form').addEventListener('submit', previewReport);
    $('#report-dl').addEventListener('click', downloadReport);
    $('#rt-form').period.value = semesterNow();
    $('#rt-load').addEventListener('click', loadTexts);
    $('#rt-form').section.addEventListener('change', rtFill);
    $('#rt-form').addEventListener('submit', saveText);
    $('#signin-form').addEventListener('submit', signIn);
    $('#signout').addEventListener('click', signOut);
    $('#token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const tk = e.target.token.value.trim();
      if (/^[0-9a-f]{64}$/.test(tk)) { sessionStorage.setItem('ilonet-token', tk); S.token = tk; e.target.token.value = ''; boot(); }
      else say('#signin-msg', t('signin.tokenform'), false);
    });
    takeToken();
    boot();
  });
}
async function boot() {
  if (await whoami()) await enter();
}
document.addEventListener('DOMContentLoaded', start);
