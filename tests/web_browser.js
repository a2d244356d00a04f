// web_browser.js - drives the node page in headless Chromium (Playwright).
// Run by tests/test_browser.c: PW_DIR (where playwright-core is installed),
// URL_A / URL_B (two nodes' page addresses with #token=...), SUMMARY (text
// of the observation to record through A's form), SHOT (screenshot path),
// PROFILE_A / PROFILE_B (fresh Chromium profile folders). Prints one line
// per step; exits non-zero on the first failure.
'use strict';
const path = require('path');
const { chromium } = require(path.join(process.env.PW_DIR, 'node_modules', 'playwright-core'));

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function open(profile, url, problems) {
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url()));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.hostname !== '127.0.0.1') problems.push('external request: ' + r.url());
  });
  await page.goto(url);
  return { ctx, page };
}

(async () => {
  const problems = [];
  const summary = process.env.SUMMARY;
  const a = await open(process.env.PROFILE_A, process.env.URL_A, problems);
  const b = await open(process.env.PROFILE_B, process.env.URL_B, problems);
  try {
    await a.page.waitForFunction(() => /\(ilo\)/.test(document.querySelector('#who').textContent), null, { timeout: 10000 });
    if (a.page.url().includes('token=')) throw new Error('token left in the address bar');
    const stored = await a.page.evaluate(() => sessionStorage.getItem('ilonet-token'));
    if (!/^[0-9a-f]{64}$/.test(stored || '')) throw new Error('token not in sessionStorage');
    if ((await a.page.context().cookies()).length) throw new Error('a cookie was set');
    console.log('page A loaded: ' + await a.page.textContent('#who'));

    // A form error names the field and marks it.
    await a.page.click('nav button[data-tab=record]');
    const form = a.page.locator('#form-observation');
    await form.locator('select[name=category]').selectOption('incidents');
    await form.locator('input[name=summary]').fill(summary);
    await form.locator('input[name=figure]').fill('-4');
    await form.locator('button').click();
    await form.locator('.result.err').waitFor({ timeout: 10000 });
    const err = await form.locator('.result').textContent();
    if (!/field 'figure'/.test(err)) throw new Error('error does not name the field: ' + err);
    if (!(await form.locator('input[name=figure].bad').count())) throw new Error('bad field not marked');
    console.log('form error shown: ' + err);
    // That 400 was the point; Chromium logs every failed fetch, so forget it.
    problems.splice(0, problems.length);

    await form.locator('input[name=figure]').fill('41');
    await form.locator('input[name=unit]').fill('persons');
    await form.locator('input[name=nationality]').fill('SY,AF');
    await form.locator('input[name=place]').fill('Bodrum');
    await form.locator('select[name=reliability]').selectOption('B');
    await form.locator('button').click();
    await form.locator('.result.ok').waitFor({ timeout: 10000 });
    console.log('recorded through the form: ' + await form.locator('.result').textContent());

    // Node B's page shows it once the nodes have synced (it refreshes itself).
    await b.page.waitForFunction(() => /\(ilo\)/.test(document.querySelector('#who').textContent), null, { timeout: 10000 });
    await b.page.click('nav button[data-tab=observations]');
    const row = b.page.locator('#obs-table tbody tr', { hasText: summary });
    await row.waitFor({ timeout: 30000 });
    const text = await row.textContent();
    if (!/net · all members/.test(text)) throw new Error('audience not shown: ' + text);
    console.log('visible on node B: ' + text.replace(/\s+/g, ' '));

    // Details with history, then the dashboard for the screenshot.
    await row.click();
    await b.page.locator('#obs-detail h3').first().waitFor({ timeout: 10000 });
    await b.page.click('nav button[data-tab=report]');
    await b.page.frameLocator('iframe.report').locator('h1').first().waitFor({ timeout: 15000 });
    console.log('report preview shown');
    await b.page.click('nav button[data-tab=dashboard]');
    await b.page.locator('#chart svg rect').first().waitFor({ timeout: 10000 });
    await b.page.locator('#members tbody tr').first().waitFor({ timeout: 10000 });
    await b.page.waitForTimeout(500);
    await b.page.screenshot({ path: process.env.SHOT, fullPage: true });
    console.log('screenshot ' + process.env.SHOT);
    if (problems.length) throw new Error(problems.join('\n'));
  } catch (e) {
    console.log('FAIL ' + e.message);
    for (const p of problems) console.log('  ' + p);
    process.exitCode = 1;
  } finally {
    await a.ctx.close();
    await b.ctx.close();
  }
})();
