// web_browser.js - drives the node page in headless Chromium (Playwright).
// Run by tests/test_browser.c with: PW_DIR (where playwright-core and
// axe-core are installed), URL_A / URL_B (DE's and FR's page addresses
// with #token=...), BASE_A (DE's address without a token), USER / PASS
// (an officer of DE), USER2 (a second officer, for the lockout), SUMMARY
// (text of an observation recorded through A's form), SHOT (screenshot
// path), PROFILE_A / PROFILE_B / PROFILE_C (fresh Chromium profiles),
// EU_PID / A_PID (the EU and DE nodes, stopped at the end to see the page
// report a peer unreachable and the node offline). Prints one line per
// step; exits non-zero on the first failure.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { chromium } = require(path.join(process.env.PW_DIR, 'node_modules', 'playwright-core'));
const AXE = fs.readFileSync(path.join(process.env.PW_DIR, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const T = 15000;
const E = process.env;
/* set when the test stops a node on purpose (the last steps) */
let stopping = false;

function check(cond, msg) { if (!cond) throw new Error(msg); }

async function open(profile, url, problems, opts) {
  const ctx = await chromium.launchPersistentContext(profile, Object.assign({
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS,
    viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  }, opts || {}));
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => {
    /* Chromium logs every non-2xx fetch; the API's 4xx answers are the
     * point of several steps, so only other errors count. */
    if (m.type() !== 'error' || /Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    /* once the test stops a node, a request in flight may be answered 503
     * (the node is going) or refused: that is what the step checks */
    if (stopping && /status of 503|ERR_CONNECTION_REFUSED/.test(m.text())) return;
    problems.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.protocol !== 'about:' && u.hostname !== '127.0.0.1') problems.push('external request: ' + r.url());
  });
  await page.goto(url);
  return { ctx, page };
}
async function ready(page) {
  await page.waitForFunction(() => /\((ilo|presidency)\)/.test(document.querySelector('#who').textContent), null, { timeout: T });
}
async function tab(page, name) {
  await page.click('nav button[data-tab=' + name + ']');
  await page.waitForSelector('#tab-' + name + ':not([hidden])', { timeout: T });
}

/* axe-core, evaluated through the DevTools protocol (the page's CSP
 * forbids injected scripts, rightly): no WCAG 2.1 A/AA violation. */
async function axe(page, where) {
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const bad = res.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '));
  check(!bad.length, 'axe-core, ' + where + ': ' + bad.join('; '));
  return res.passes.length;
}
async function noSideScroll(page, where) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(w[0] <= w[1], where + ' at ' + w[1] + ' px scrolls sideways: ' + w[0] + ' px wide');
}

/* A PNG screenshot's pixels (8-bit RGB or RGBA, non-interlaced, as
 * Chromium writes them), to tell a rendered report from a blank one. */
function pngPixels(buf) {
  check(buf.readUInt32BE(0) === 0x89504e47, 'not a PNG');
  let off = 8, w = 0, h = 0, ch = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      w = data.readUInt32BE(0); h = data.readUInt32BE(4);
      check(data[8] === 8 && data[12] === 0, 'PNG: unexpected depth or interlace');
      ch = { 2: 3, 6: 4 }[data[9]];
      check(ch, 'PNG: unexpected colour type ' + data[9]);
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * ch, out = Buffer.alloc(h * stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= ch ? out[y * stride + x - ch] : 0, b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= ch && y ? out[(y - 1) * stride + x - ch] : 0;
      let p = 0;
      if (f === 1) p = a; else if (f === 2) p = b; else if (f === 3) p = (a + b) >> 1;
      else if (f === 4) { const q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c); p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      out[y * stride + x] = (line[x] + p) & 255;
    }
  }
  return { w, h, ch, px: out };
}
function inkShare(png) {
  let ink = 0;
  const colours = new Set();
  for (let i = 0; i < png.px.length; i += png.ch) {
    const r = png.px[i], g = png.px[i + 1], b = png.px[i + 2];
    if (r + g + b < 600) ink++;
    colours.add((r >> 4) << 8 | (g >> 4) << 4 | (b >> 4));
  }
  return { ink: ink / (png.w * png.h), colours: colours.size };
}

/* Fills a generated form: values by field name (select or input). */
async function fill(form, values) {
  for (const [name, v] of Object.entries(values)) {
    const f = form.locator('[name="' + name + '"]');
    if (await f.evaluate((e) => e.tagName) === 'SELECT') await f.selectOption(v);
    else await f.fill(v);
  }
}
async function newRecord(page, plural, values) {
  await tab(page, 'new');
  await page.click('#new-pick button[data-kind="' + plural + '"]');
  const form = page.locator('#new-form form[data-kind="' + plural + '"]');
  await form.waitFor({ timeout: T });
  await fill(form, values);
  await form.locator('.actions button').first().click();
  await form.locator('.result.ok, .result.err').first().waitFor({ timeout: T });
  const res = form.locator('.result');
  const text = await res.textContent();
  check(await form.locator('.result.ok').count(), plural + ' form: ' + text);
  const id = await res.locator('a').getAttribute('data-id');
  return { form, id, text };
}

(async () => {
  const problems = [];
  const summary = E.SUMMARY;
  const a = await open(E.PROFILE_A, E.URL_A, problems);
  /* B (FR) in another time zone and locale: times shown are local. */
  const b = await open(E.PROFILE_B, E.URL_B.replace('#', '?tab=tasks#'), problems,
    { timezoneId: 'Asia/Istanbul', locale: 'en-GB' });
  let c = null;
  try {
    await ready(a.page);
    check(!a.page.url().includes('token='), 'token left in the address bar');
    const stored = await a.page.evaluate(() => sessionStorage.getItem('ilonet-token'));
    check(/^[0-9a-f]{64}$/.test(stored || ''), 'token not in sessionStorage');
    console.log('page A loaded: ' + await a.page.textContent('#who'));

    // Opened directly at ?tab=tasks: header filled in, the task's actions shown.
    await ready(b.page);
    const taskRow = b.page.locator('#list-box tr', { hasText: 'Joint assessment of document fraud' });
    await taskRow.waitFor({ timeout: T });
    check(await taskRow.locator('button', { hasText: 'Accept' }).count(), 'FR: no Accept on the task at ?tab=tasks');
    console.log('FR at ?tab=tasks: ' + await b.page.textContent('#who') + ' / ' + (await taskRow.textContent()).replace(/\s+/g, ' '));
    await taskRow.locator('button', { hasText: 'Accept' }).click();
    await b.page.locator('#list-box tr', { hasText: 'Joint assessment of document fraud' }).locator('td', { hasText: /^accepted$/ }).waitFor({ timeout: T });
    console.log('FR accepted the task from the list');

    // Local time: a list time is in the browser's zone (Istanbul here).
    const tm = b.page.locator('#list-box time').first();
    const [iso, shown] = [await tm.getAttribute('datetime'), await tm.textContent()];
    const want = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Istanbul' }).format(new Date(iso));
    check(shown === want, 'time not local: ' + shown + ' for ' + iso + ', want ' + want);
    console.log('local time: ' + iso + ' shown as ' + shown);

    // B watches the observations list while A records (live update).
    await b.page.goto(E.URL_B.split('#')[0] + '?tab=records&kind=observations');
    await ready(b.page);
    await b.page.waitForFunction(() => /^live/.test(document.querySelector('#live').textContent), null, { timeout: T });
    let bLists = 0;
    b.page.on('request', (r) => { if (/\/api\/observations/.test(r.url())) bLists++; });

    // Observation form: errors first (the page's own check, a value outside
    // the vocabulary, then the server's answer), then a good one.
    await tab(a.page, 'new');
    await a.page.click('#new-pick button[data-kind="observations"]');
    const obs = a.page.locator('#new-form form[data-kind="observations"]');
    await fill(obs, { category: 'incidents', summary: summary, figure: '-4', unit: 'persons' });
    await obs.locator('.actions button').first().click();
    await obs.locator('[name=figure][aria-invalid=true]').waitFor({ timeout: T });
    let err = await obs.locator('.result').textContent();
    check(/Figure/.test(err), 'figure error does not name the field: ' + err);
    console.log('form error shown: ' + err);
    await obs.locator('[name=figure]').fill('41');
    await obs.locator('[name=category]').evaluate((s) => { s.append(new Option('weather', 'weather')); s.value = 'weather'; });
    await obs.locator('.actions button').first().click();
    await obs.locator('[name=category][aria-invalid=true]').waitFor({ timeout: T });
    err = await obs.locator('.result').textContent();
    check(/Category/.test(err) && /weather/.test(err), 'value outside the vocabulary: ' + err);
    console.log('value outside the vocabulary: ' + err);
    await obs.locator('[name=category]').selectOption('incidents');
    await obs.locator('[name=period]').fill('2026-13-01');
    await obs.locator('.actions button').first().click();
    await obs.locator('[name=period][aria-invalid=true]').waitFor({ timeout: T });
    err = await obs.locator('.result').textContent();
    check(/period/.test(err), 'server error does not name the field: ' + err);
    console.log('server refusal shown: ' + err);
    await fill(obs, { period: '', nationality: 'SY,AF', place: 'Bodrum', reliability: 'B' });
    await obs.locator('.actions button').first().click();
    await obs.locator('.result.ok').waitFor({ timeout: T });
    const obsId = await obs.locator('.result a').getAttribute('data-id');
    console.log('observation recorded through the form: ' + await obs.locator('.result').textContent());

    // ... and reaches B's open list without a reload or a polling loop.
    const row = b.page.locator('#list-box tr', { hasText: summary });
    await row.waitFor({ timeout: 30000 });
    const text = await row.textContent();
    check(/net · all members/.test(text), 'audience not shown: ' + text);
    check(bLists <= 3, 'B fetched its list ' + bLists + ' times: a polling loop?');
    console.log('visible on node B (live, ' + bLists + ' list fetch(es)): ' + text.replace(/\s+/g, ' '));

    // Every other record kind through its form.
    const made = {};
    made.meetings = await newRecord(a.page, 'meetings', { date: '2026-07-02', place: 'Embassy of Ireland, Ankara',
      convenor: 'DE', participants: 'DE,FR', commission: 'present', topics: 'Exchange on a smuggling network' });
    made.trainings = await newRecord(a.page, 'trainings', { title: 'Detection of forged visas', type: 'consular-staff', date: '2026-07-10', attendees: '24' });
    made.carriers = await newRecord(a.page, 'carriers', { carrier: 'Anatolian Air', position: 'Document checks at the gate', date: '2026-07-11', states: 'DE,FR' });
    made.contacts = await newRecord(a.page, 'contacts', { counterpart: 'IOM Turkey', type: 'organisation', date: '2026-07-12', summary: 'Voluntary return' });
    made.postings = await newRecord(a.page, 'postings', { post: 'Embassy of Germany, Ankara', officers: '2', from: '2025-09-01' });
    made.tasks = await newRecord(a.page, 'tasks', { 'for': 'FR', title: 'Check the Kapikule figures', due: '2026-09-30' });
    made['acting-presidencies'] = await newRecord(a.page, 'acting-presidencies', { semester: '2027-H1', state: 'DE', reason: 'no ILO of the presidency' });
    for (const [k, v] of Object.entries(made)) console.log('form ' + k + ': ' + v.text);
    // A value the page can tell is wrong: a state code outside the vocabulary.
    await tab(a.page, 'new');
    await a.page.click('#new-pick button[data-kind="meetings"]');
    const mf = a.page.locator('#new-form form[data-kind="meetings"]');
    await fill(mf, { date: '2026-07-03', place: 'x', convenor: 'DE', participants: 'DE,XX', commission: 'present', topics: 't' });
    await mf.locator('.actions button').first().click();
    await mf.locator('[name=participants][aria-invalid=true]').waitFor({ timeout: T });
    console.log('bad state code: ' + await mf.locator('.result').textContent());

    // Every kind is listed; the record opens with its history; amend opens
    // its own form pre-filled.
    for (const [k, v] of Object.entries(made)) {
      await a.page.goto(E.URL_A.split('#')[0] + '?tab=records&kind=' + k);
      await a.page.locator('#list-box a[data-id="' + v.id + '"]').waitFor({ timeout: T });
    }
    console.log('every kind listed: ' + Object.keys(made).join(', '));
    await a.page.goto(E.URL_A.split('#')[0] + '?tab=record&kind=observations&id=' + obsId);
    await a.page.locator('#detail h1').waitFor({ timeout: T });
    await a.page.click('#btn-amend');
    const am = a.page.locator('#detail form[data-mode=amend]');
    check(await am.locator('[name=summary]').inputValue() === summary, 'amend form not pre-filled');
    check(await am.locator('[name=category]').inputValue() === 'incidents', 'amend form: category not pre-filled');
    await am.locator('[name=figure]').fill('52');
    await am.locator('.actions button').first().click();
    await a.page.locator('#detail table tbody tr', { hasText: 'amended' }).waitFor({ timeout: T });
    check(/52/.test(await a.page.textContent('#detail dl')), 'amended figure not shown');
    console.log('amended through the pre-filled form; history: ' + (await a.page.textContent('#detail table tbody')).replace(/\s+/g, ' '));

    // Retract and erase, each confirmed after saying what happens on every node.
    for (const [k, what] of [['contacts', 'retract'], ['trainings', 'erase']]) {
      await a.page.goto(E.URL_A.split('#')[0] + '?tab=record&kind=' + k + '&id=' + made[k].id);
      await a.page.click('#btn-' + what);
      const dlg = a.page.locator('#confirm');
      await dlg.waitFor({ state: 'visible', timeout: T });
      const said = await dlg.locator('#confirm-text').textContent();
      check(/every node/.test(said), what + ': the confirmation does not say what happens on every node: ' + said);
      await dlg.locator('#confirm-reason').fill('entered twice');
      await dlg.locator('#confirm-ok').click();
      await a.page.locator('#detail dl dd', { hasText: what === 'erase' ? 'erased' : 'retracted' }).waitFor({ timeout: T });
      console.log(what + ' confirmed: ' + said.slice(0, 90) + '…');
    }
    // A record id that does not exist.
    await a.page.goto(E.URL_A.split('#')[0] + '?tab=record&kind=observations&id=abcdef123456');
    await a.page.locator('#detail .result.err').waitFor({ timeout: T });
    console.log('unknown id: ' + await a.page.textContent('#detail .result.err'));

    // Search: highlighted, ranked results, paging, and a query that does not parse.
    await a.page.fill('#quick-q', 'Bodrum');
    await a.page.press('#quick-q', 'Enter');
    await a.page.locator('#search-results li').first().waitFor({ timeout: T });
    const marks = await a.page.locator('#search-results mark').allTextContents();
    check(marks.some((m) => /bodrum/i.test(m)), 'no highlighted match: ' + marks.join(','));
    console.log('search "Bodrum": ' + await a.page.textContent('#search-count') + ', marked ' + marks.slice(0, 3).join(', '));
    await a.page.fill('#search-form [name=q]', 'cross* OR border OR return*');
    await a.page.click('#search-form button');
    // The "Bodrum" results (fewer than 10) stay on screen until the new
    // answer replaces them: wait for a full page, not for any result.
    await a.page.waitForFunction(() => document.querySelectorAll('#search-results li').length >= 10, null, { timeout: T }).catch(() => {});
    const first = await a.page.locator('#search-results li').count();
    check(first === 10 && await a.page.isVisible('#search-more'), 'no second page: ' + first + ' results');
    await a.page.click('#search-more');
    await a.page.waitForFunction(() => document.querySelectorAll('#search-results li').length > 10, null, { timeout: T });
    const ids = await a.page.locator('#search-results li a[data-id]').evaluateAll((l) => l.map((x) => x.dataset.id));
    check(new Set(ids).size === ids.length, 'a result repeated across pages');
    console.log('search paging: ' + first + ' then ' + ids.length + ' results');
    await a.page.fill('#search-form [name=q]', '"van crossings');
    await a.page.click('#search-form button');
    await a.page.locator('#search-msg.err').waitFor({ timeout: T });
    check(await a.page.locator('#search-form [name=q][aria-invalid=true]').count(), 'search field not marked');
    console.log('bad query: ' + await a.page.textContent('#search-msg'));
    await a.page.selectOption('#search-form [name=kind]', 'meetings');
    await a.page.fill('#search-form [name=q]', 'smuggling');
    await a.page.click('#search-form button');
    await a.page.locator('#search-results li', { hasText: 'Exchange on a smuggling network' }).waitFor({ timeout: T });
    console.log('search across kinds: meetings found');

    // My desk (FR): the new task with its actions.
    await b.page.goto(E.URL_B.split('#')[0] + '?tab=desk');
    await ready(b.page);
    await b.page.locator('#desk-tasks tr', { hasText: 'Check the Kapikule figures' }).locator('button', { hasText: 'Accept' }).waitFor({ timeout: 30000 });
    console.log('FR desk: ' + (await b.page.textContent('#desk-tasks tbody')).replace(/\s+/g, ' ').slice(0, 160));

    // Keyboard: arrows move along the sections, Enter opens one, / searches.
    await a.page.goto(E.URL_A.split('#')[0] + '?tab=desk');
    await ready(a.page);
    await a.page.focus('nav button[data-tab=desk]');
    await a.page.keyboard.press('ArrowRight');
    check(await a.page.evaluate(() => document.activeElement.dataset.tab) === 'dashboard', 'ArrowRight did not move');
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector('#tab-dashboard:not([hidden])', { timeout: T });
    await a.page.locator('body').press('/');
    check(await a.page.evaluate(() => document.activeElement.id) === 'quick-q', '/ did not focus search');
    console.log('keyboard: arrows, Enter and / work');

    // WCAG 2.1 AA on every view (axe-core), at 1280 and at 360 px.
    let passes = 0;
    for (const [t, q] of [['desk', ''], ['dashboard', ''], ['records', '&kind=observations'], ['new', '&kind=meetings'],
      ['search', '&q=Bodrum'], ['grants', ''], ['evidence', ''], ['record', '&kind=observations&id=' + obsId], ['report', '']]) {
      await a.page.goto(E.URL_A.split('#')[0] + '?tab=' + t + q);
      await ready(a.page);
      await a.page.waitForTimeout(400);
      passes += await axe(a.page, t);
    }
    await a.page.setViewportSize({ width: 360, height: 740 });
    for (const [t, q] of [['desk', ''], ['records', '&kind=observations'], ['new', '&kind=observations'], ['search', '&q=Bodrum'], ['record', '&kind=observations&id=' + obsId]]) {
      await a.page.goto(E.URL_A.split('#')[0] + '?tab=' + t + q);
      await ready(a.page);
      await a.page.waitForTimeout(300);
      await noSideScroll(a.page, t);
      passes += await axe(a.page, t + ' at 360 px');
    }
    await a.page.setViewportSize({ width: 1280, height: 900 });
    console.log('axe-core: no WCAG 2.1 AA violation (' + passes + ' checks passed); 360 px without sideways scrolling');

    // Printing a list: only the table.
    await a.page.goto(E.URL_A.split('#')[0] + '?tab=records&kind=observations');
    await a.page.locator('#list-table').waitFor({ timeout: T });
    await a.page.emulateMedia({ media: 'print' });
    const disp = await a.page.evaluate(() => ['header', '#list-filter', '#kind-pick', '#list-table', '#rec-h']
      .map((s) => getComputedStyle(document.querySelector(s)).display));
    check(disp[0] === 'none' && disp[1] === 'none' && disp[2] === 'none' && disp[3] === 'table', 'print layout: ' + disp.join(','));
    await a.page.emulateMedia({ media: 'screen' });
    console.log('print: header, filters and buttons hidden, the table kept');

    // Exports in UTC.
    const [dl] = await Promise.all([a.page.waitForEvent('download', { timeout: T }), a.page.click('#list-filter button:has-text("CSV")')]);
    const csv = fs.readFileSync(await dl.path(), 'utf8').split('\r\n');
    check(/^id,time_utc,/.test(csv[0]) && /,\d{4}-\d\d-\d\dT[\d:.]+Z,/.test(csv[1]), 'CSV not in UTC: ' + csv.slice(0, 2).join(' / '));
    console.log('CSV export in UTC: ' + csv[1].slice(0, 100));

    // A translation is a file: German labels.
    await a.page.selectOption('#lang', 'de');
    await a.page.waitForFunction(() => document.documentElement.lang === 'de', null, { timeout: T });
    await ready(a.page);
    const navDe = await a.page.textContent('#tabs');
    check(/Schreibtisch/.test(navDe), 'German labels not shown: ' + navDe);
    console.log('German: ' + navDe.replace(/\s+/g, ' ').trim());
    await a.page.selectOption('#lang', 'en');
    await a.page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: T });

    // The report preview renders (pixels, not only the DOM).
    await b.page.goto(E.URL_B.split('#')[0] + '?tab=report');
    await ready(b.page);
    await b.page.frameLocator('iframe.report').locator('h1').first().waitFor({ timeout: T });
    await b.page.waitForTimeout(300);
    const shot = inkShare(pngPixels(await b.page.locator('iframe.report').screenshot()));
    check(shot.ink > 0.01 && shot.colours > 8, 'report preview blank: ' + JSON.stringify(shot));
    console.log('report preview rendered: ' + (shot.ink * 100).toFixed(1) + '% ink, ' + shot.colours + ' colours');

    // Narrative on the page: FR signs a section's text; bad input first (an
    // empty text, a period the server refuses), then the text is listed as
    // signed by this node and is in the report the API draws up.
    await b.page.locator('#rt-section option[value="I.8"]').waitFor({ state: 'attached', timeout: T });
    const rtPeriod = await b.page.inputValue('#rt-form input[name=period]');
    await b.page.selectOption('#rt-section', 'I.8');
    await b.page.fill('#rt-text', '  ');
    await b.page.click('#rt-save');
    await b.page.locator('#rt-msg.err').waitFor({ timeout: T });
    check(await b.page.getAttribute('#rt-text', 'aria-invalid') === 'true', 'empty narrative text not marked');
    console.log('narrative, empty text: ' + await b.page.textContent('#rt-msg'));
    await b.page.fill('#rt-form input[name=period]', '2026-H9');
    await b.page.fill('#rt-text', 'never signed');
    await b.page.click('#rt-save');
    await b.page.waitForFunction(() => /period/.test(document.querySelector('#rt-msg').textContent) &&
      document.querySelector('#rt-msg').classList.contains('err'), null, { timeout: T });
    console.log('narrative, bad period: ' + await b.page.textContent('#rt-msg'));
    const rtText = 'Good practice written on the page ' + process.pid;
    await b.page.fill('#rt-form input[name=period]', rtPeriod);
    await b.page.click('#rt-load');
    await b.page.waitForFunction((per) => document.querySelector('#rt-drafter').textContent.startsWith(per + ':') &&
      document.querySelector('#rt-msg').textContent === '', rtPeriod, { timeout: T });
    await b.page.selectOption('#rt-section', 'I.8');
    await b.page.fill('#rt-text', rtText);
    await b.page.click('#rt-save');
    await b.page.waitForFunction(() => /Signed|err/.test(document.querySelector('#rt-msg').textContent + ' ' +
      document.querySelector('#rt-msg').className), null, { timeout: T });
    const saved = await b.page.textContent('#rt-msg');
    check(/^Signed/.test(saved), 'narrative not signed: ' + saved);
    const rtRow = b.page.locator('#rt-table tr[data-section="I.8"][data-state="FR"]');
    await rtRow.waitFor({ timeout: T });
    const rowText = await rtRow.textContent();
    check(rowText.includes(rtText) && rowText.includes('(this node)'), 'narrative row: ' + rowText);
    const drafter = await b.page.textContent('#rt-drafter');
    check(/by FR\./.test(drafter) ? /In the report/.test(rowText) : /Draft/.test(rowText), 'narrative status: ' + rowText + ' / ' + drafter);
    const rtMd = await b.page.evaluate(async (per) => {
      const r = await fetch('/api/report?period=' + per + '&format=md&drafts=1',
        { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('ilonet-token') } });
      return r.status + ' ' + await r.text();
    }, rtPeriod);
    check(rtMd.startsWith('200 ') && rtMd.includes(rtText), 'narrative text not in the report from the API: ' + rtMd.slice(0, 200));
    console.log('narrative signed on the page: ' + rowText.replace(/\s+/g, ' ').slice(0, 120) + '; in the report from the API');

    // Officers: sign-in, wrong password, sign-out, expired session, lockout.
    c = await open(E.PROFILE_C, E.BASE_A, problems);
    await c.page.locator('#signin:not([hidden])').waitFor({ timeout: T });
    await c.page.fill('#si-user', E.USER);
    await c.page.fill('#si-pass', 'not-the-password');
    await c.page.click('#signin-form button');
    await c.page.locator('#signin-msg.err').waitFor({ timeout: T });
    console.log('wrong password: ' + await c.page.textContent('#signin-msg'));
    await c.page.fill('#si-pass', E.PASS);
    await c.page.click('#signin-form button');
    await ready(c.page);
    check((await c.page.textContent('#who')).includes(E.USER), 'officer not named in the header');
    const cookies = await c.ctx.cookies();
    const sc = cookies.find((k) => k.name === 'ilonet_session');
    check(sc && sc.httpOnly && sc.sameSite === 'Strict', 'session cookie: ' + JSON.stringify(cookies));
    check(!(await c.page.evaluate(() => sessionStorage.getItem('ilonet-token'))), 'a token in an officer\'s tab');
    console.log('signed in as ' + E.USER + ': ' + await c.page.textContent('#who'));
    const byOfficer = await newRecord(c.page, 'contacts', { counterpart: 'Turkish National Police', type: 'authority', date: '2026-07-20' });
    console.log('officer wrote: ' + byOfficer.text);
    // The session ends on the server (another tab signs out) while this
    // tab still holds its cookie: it is told to sign in again.
    const stale = (await c.ctx.cookies()).filter((k) => k.name === 'ilonet_session');
    const other = await c.ctx.newPage();
    await other.goto(E.BASE_A);
    await other.waitForFunction(() => !document.querySelector('#signout').hidden, null, { timeout: T });
    await other.click('#signout');
    await other.locator('#signin:not([hidden])').waitFor({ timeout: T });
    await other.close();
    await c.ctx.addCookies(stale);
    await c.page.evaluate(() => document.querySelector('nav button[data-tab=grants]').click());
    await c.page.locator('#signin:not([hidden])').waitFor({ timeout: T });
    console.log('expired session: ' + await c.page.textContent('#signin-msg'));
    await c.page.fill('#si-user', E.USER);
    await c.page.fill('#si-pass', E.PASS);
    await c.page.click('#signin-form button');
    await ready(c.page);
    await c.page.click('#signout');
    await c.page.locator('#signin:not([hidden])').waitFor({ timeout: T });
    check(!(await c.ctx.cookies()).some((k) => k.name === 'ilonet_session' && k.value), 'cookie kept after sign-out');
    console.log('signed out: ' + await c.page.textContent('#signin-msg'));
    let lockMsg = '';
    for (let i = 0; i < 7 && !/try again in/.test(lockMsg); i++) {
      await c.page.fill('#si-user', E.USER2);
      await c.page.fill('#si-pass', 'wrong-password-' + i);
      await c.page.evaluate(() => { const m = document.querySelector('#signin-msg'); m.className = 'result'; m.textContent = ''; });
      await c.page.click('#signin-form button');
      await c.page.locator('#signin-msg.err').waitFor({ timeout: T });
      lockMsg = await c.page.textContent('#signin-msg');
    }
    check(/locked for now/.test(lockMsg) && /try again in/.test(lockMsg), 'no lockout after repeated failures: ' + lockMsg);
    console.log('lockout: ' + lockMsg);

    // Dashboard screenshot (docs/web-page.png).
    await b.page.goto(E.URL_B.split('#')[0] + '?tab=dashboard');
    await ready(b.page);
    await b.page.locator('#chart svg rect').first().waitFor({ timeout: T });
    await b.page.locator('#members tbody tr').first().waitFor({ timeout: T });
    await b.page.waitForTimeout(500);
    await b.page.screenshot({ path: E.SHOT, fullPage: true });
    console.log('screenshot ' + E.SHOT);

    // A peer stops: FR's page says it is unreachable; DE stops: DE's page says offline.
    process.kill(Number(E.EU_PID), 'SIGTERM');
    await b.page.waitForFunction(() => /unreachable/.test(document.querySelector('#live').textContent), null, { timeout: 40000 });
    console.log('peer gone: ' + await b.page.textContent('#live'));
    await a.page.goto(E.URL_A.split('#')[0] + '?tab=desk');
    await ready(a.page);
    stopping = true;
    process.kill(Number(E.A_PID), 'SIGTERM');
    await a.page.waitForFunction(() => /offline/.test(document.querySelector('#live').textContent), null, { timeout: 40000 });
    console.log('node gone: ' + await a.page.textContent('#live'));
    const left = problems.filter((p) => !/request failed|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE/.test(p));
    if (left.length) throw new Error(left.join('\n'));
    console.log('all browser steps passed');
  } catch (e) {
    console.log('FAIL ' + e.message);
    for (const p of problems) console.log('  ' + p);
    process.exitCode = 1;
  } finally {
    await a.ctx.close();
    await b.ctx.close();
    if (c) await c.ctx.close();
  }
})();
