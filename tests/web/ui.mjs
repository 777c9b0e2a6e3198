// Drives Debian's chromium (headless, kept off the network) through every
// page of the mitsu dashboard and checks that attacker bytes stay text.
//   BASE=http://127.0.0.1:8080 OUT=dir XSS_FILE=payloads.txt node ui.mjs
// XSS_FILE: one payload per line that was sent through the sensor and must
// appear as literal text.  Prints TAP lines; exits 1 if any check failed.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BASE = process.env.BASE || 'http://127.0.0.1:8080';
const OUT = process.env.OUT || '/tmp/mitsu-artifacts/web';
const QUERY = process.env.QUERY || 'filter readable like "alert(1)"';
const payloads = process.env.XSS_FILE
  ? readFileSync(process.env.XSS_FILE, 'utf8').split('\n').filter((l) => l.length)
  : [];
mkdirSync(OUT, { recursive: true });

let failed = 0;
const check = (desc, cond, extra) => {
  console.log(`${cond ? 'ok' : 'not ok'} - ${desc}`);
  if (!cond) {
    failed++;
    if (extra !== undefined) console.log('#   ' + JSON.stringify(extra).slice(0, 2000));
  }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : []),
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    '--disable-background-networking', '--no-first-run', '--disable-component-update',
    '--disable-sync', '--disable-default-apps', '--disable-domain-reliability',
    '--no-pings', '--disable-client-side-phishing-detection', '--metrics-recording-only',
    '--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions',
  ],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
const dialogs = [], consoleMsgs = [], pageErrors = [], offsite = [];
// The one step that asks for a bad query expects the browser's own log line
// about the API's 400 answer; anything else logged there still counts.
let expect400 = false;
context.on('request', (req) => {
  const u = req.url();
  if (!u.startsWith(BASE + '/') && !u.startsWith('data:')) offsite.push(u);
});
const page = await context.newPage();
page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
page.on('console', (m) => {
  if (m.type() !== 'error' && m.type() !== 'warning') return;
  if (expect400 && /status of 400/.test(m.text())) return;
  consoleMsgs.push(`${m.type()}: ${m.text()}`);
});
page.on('pageerror', (e) => pageErrors.push(String(e)));
// Anything a payload could run would call one of these: count the calls.
await context.addInitScript(() => {
  window.__xss = 0;
  for (const f of ['alert', 'confirm', 'prompt']) {
    const orig = window[f];
    window[f] = function (...a) { window.__xss++; return orig.apply(this, a); };
  }
});

// No element the UI builds ever carries an event handler, a javascript: URL,
// an <img>, <iframe>, <object> or <script> inside the page content.
const dangerous = () => page.evaluate(() => {
  const bad = [];
  for (const e of document.querySelectorAll('#main *')) {
    if (['SCRIPT', 'IMG', 'IFRAME', 'OBJECT', 'EMBED', 'FORM'].includes(e.tagName) && !(e.tagName === 'FORM' && e.classList.contains('query')))
      bad.push(e.tagName);
    for (const a of e.attributes) {
      if (/^on/i.test(a.name)) bad.push(`${e.tagName}[${a.name}]`);
      if (/^\s*javascript:/i.test(a.value)) bad.push(`${e.tagName}[${a.name}=${a.value}]`);
    }
  }
  return bad;
});

async function visit(hash, shot, waitFor) {
  await page.goto(`${BASE}/${hash}`, { waitUntil: 'load' });
  if (waitFor) await page.waitForSelector(waitFor, { timeout: 10000 });
  else await page.waitForTimeout(500);
  await page.screenshot({ path: join(OUT, shot), fullPage: true });
  const bad = await dangerous();
  check(`${hash || '/'}: no dangerous element or attribute`, bad.length === 0, bad);
}

try {
  const resp = await page.goto(`${BASE}/`, { waitUntil: 'load' });
  const h = resp.headers();
  check('CSP header on the page', /default-src 'self'/.test(h['content-security-policy'] || '') && !/unsafe-inline/.test(h['content-security-policy']));
  await visit('#/overview', 'overview.png', '.cards');
  check('overview shows the flows-per-hour chart', (await page.locator('svg.chart rect.b').count()) > 0);
  if (process.env.GEO_TEXT) {
    const ov = await page.evaluate(() => document.getElementById('main').innerText);
    check('overview shows the source network from --mmdb as text', ov.includes(process.env.GEO_TEXT), ov.slice(0, 600));
  }
  await visit('#/ports', 'ports.png', 'canvas.ports');
  const probed = await page.evaluate(() => (document.getElementById('main').innerText.match(/([\d,]+) of 65536 ports were probed/) || [])[1]);
  check(`port map counts the probed ports (${probed})`, Number(String(probed).replace(/,/g, '')) > 0);
  // hover a probed port: its count shows in the hint
  // hover() waits until the canvas is laid out and visible (boundingBox()
  // could still be null right after the page rendered, on a loaded machine).
  await page.locator('canvas.ports').hover({ position: { x: 1, y: 1 } });
  check('port map hover names the port', /^port 0\/tcp:/.test(await page.locator('.hint').innerText()));
  await visit('#/sessions', 'sessions.png', 'table.sessions tbody tr');
  check('sessions table has rows', (await page.locator('table.sessions tbody tr').count()) > 0);

  // Search with the query box
  await page.fill('input[name=q]', QUERY);
  await page.click('form.query button[type=submit]');
  await page.waitForFunction(() => location.hash.includes('q='));
  await page.waitForSelector('table.sessions tbody tr', { timeout: 10000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, 'search.png'), fullPage: true });
  const rows = await page.locator('table.sessions tbody tr').count();
  check(`search "${QUERY}" finds sessions (${rows})`, rows > 0);
  const text = await page.evaluate(() => document.getElementById('main').innerText);
  for (const p of payloads) check(`payload shown as text: ${JSON.stringify(p)}`, text.includes(p));
  check('search page: no dangerous element or attribute', (await dangerous()).length === 0, await dangerous());

  // A query error comes back with its column
  expect400 = true;
  await page.fill('input[name=q]', 'filter nosuchfield = 1');
  await page.click('form.query button[type=submit]');
  await page.waitForSelector('#main .error', { timeout: 10000 });
  const errText = await page.locator('#main .error').innerText();
  await page.screenshot({ path: join(OUT, 'query-error.png'), fullPage: true });
  expect400 = false;
  check('query error shown with a caret', /unknown field/.test(errText) && errText.includes('^'), errText);

  // Open a session from the search
  await page.goto(`${BASE}/#/sessions?` + new URLSearchParams({ q: QUERY }), { waitUntil: 'load' });
  await page.waitForSelector('table.sessions tbody tr', { timeout: 10000 });
  await page.locator('table.sessions tbody tr').first().click();
  await page.waitForSelector('pre.payload', { timeout: 10000 });
  await page.screenshot({ path: join(OUT, 'session.png'), fullPage: true });
  const detail = await page.evaluate(() => document.getElementById('main').innerText);
  check('session detail shows the payload with the marker as text', detail.includes('alert(1)'), detail.slice(0, 400));
  await page.locator('.tabs button', { hasText: 'hex' }).first().click();
  check('hex view renders', /00000000 {2}[0-9a-f]{2} /.test(await page.locator('pre.payload').first().innerText()));
  check('session: no dangerous element or attribute', (await dangerous()).length === 0, await dangerous());

  // Download its pcap
  const link = page.locator('a.pcap');
  check('pcap link present', (await link.count()) === 1);
  if (await link.count()) {
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), link.click()]);
    await dl.saveAs(join(OUT, 'session.pcap'));
    check('pcap downloaded', !(await dl.failure()));
  }
  // Terminal escapes and broken UTF-8 show as visible escapes / U+FFFD
  if (process.env.ESCAPE_PORT) {
    await page.goto(`${BASE}/#/sessions?` + new URLSearchParams({ q: `filter dst_port = ${process.env.ESCAPE_PORT}` }), { waitUntil: 'load' });
    await page.waitForSelector('table.sessions tbody tr', { timeout: 10000 });
    await page.locator('table.sessions tbody tr').first().click();
    await page.waitForSelector('pre.payload', { timeout: 10000 });
    await page.screenshot({ path: join(OUT, 'session-escapes.png'), fullPage: true });
    const t = await page.locator('pre.payload').first().innerText();
    check('escape bytes shown visibly (\\x1b]0;x\\x07, U+FFFD), no raw control byte',
      t.includes('\\x1b]0;x\\x07') && t.includes('\ufffd') && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(t), t);
  }
  await visit('#/alerts', 'alerts.png', 'h1');
  if (process.env.ALERT_TEXT) {
    const t = await page.evaluate(() => document.getElementById('main').innerText);
    check('alerts page shows the alert summary as text', t.includes(process.env.ALERT_TEXT), t.slice(0, 400));
  }
  await visit('#/tokens', 'tokens.png', 'h1');
  if (process.env.TOKEN_TEXT) {
    const t = await page.evaluate(() => document.getElementById('main').innerText);
    check('tokens page shows the note as text, never the secret', t.includes(process.env.TOKEN_TEXT) && !t.includes('SECRET'), t.slice(0, 400));
  }
  // Let the event stream deliver at least once more
  await page.goto(`${BASE}/#/overview`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('live').textContent.startsWith('live'), null, { timeout: 10000 })
    .then(() => check('live updates connected (SSE)', true), () => check('live updates connected (SSE)', false));
  check('no script ran (alert/confirm/prompt never called)', (await page.evaluate(() => window.__xss)) === 0);
} catch (e) {
  check('browser run completed', false, String(e && e.stack || e));
}
check('no dialog opened', dialogs.length === 0, dialogs);
check('no console error or warning', consoleMsgs.length === 0, consoleMsgs);
check('no page error', pageErrors.length === 0, pageErrors);
check('no request left ' + BASE, offsite.length === 0, offsite);
await browser.close();
process.exit(failed ? 1 : 0);
