#!/usr/bin/env node
// End-to-end tests of the crew app in real headless Chromium against the local server.
//
// Starts `target/debug/local` (it never builds Rust: build it first with `cargo build -p local`)
// on a free port with a fresh data directory and the built frontend/dist, waits for /health,
// runs the scenarios, and stops the server at the end, also on failure or Ctrl-C.
//
//   LOCAL_BIN        path of the local server binary (default: $CARGO_TARGET_DIR/debug/local,
//                    then <repo>/target/debug/local)
//   CHROMIUM         path of Chromium (default /usr/bin/chromium)
//   E2E_SCREENSHOTS  where phone-size screenshots go (default frontend/e2e-screenshots)
//   CI=true          a missing Chromium fails instead of skipping
//   E2E_NUDGE_NEW_EVENT=1  the nudge-link test creates its event instead of using a seeded one
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(FRONTEND, '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CI = process.env.CI === 'true';
const SHOTS = resolve(process.env.E2E_SCREENSHOTS || join(FRONTEND, 'e2e-screenshots'));
const DIST = join(FRONTEND, 'dist');
const PHONE = { width: 360, height: 740 };
const STEP_TIMEOUT = 20_000;

function log(...args) {
  console.log('[e2e]', ...args);
}

function fail(message) {
  console.error(`[e2e] FAILED: ${message}`);
  process.exit(1);
}

// ---- preconditions ------------------------------------------------------------------------

if (!existsSync(CHROMIUM)) {
  if (CI) fail(`no Chromium at ${CHROMIUM} (CI=true: install it with apt-get install -y chromium)`);
  console.log(`SKIPPED: no Chromium at ${CHROMIUM}`);
  process.exit(0);
}

function localBinary() {
  if (process.env.LOCAL_BIN) return { path: resolve(process.env.LOCAL_BIN), tried: [resolve(process.env.LOCAL_BIN)] };
  const tried = [];
  if (process.env.CARGO_TARGET_DIR) tried.push(resolve(REPO, process.env.CARGO_TARGET_DIR, 'debug', 'local'));
  tried.push(join(REPO, 'target', 'debug', 'local'));
  return { path: tried.find((p) => existsSync(p)), tried };
}

const bin = localBinary();
if (!bin.path || !existsSync(bin.path)) {
  fail(
    `the local server binary is missing (looked at: ${bin.tried.join(', ')}). ` +
      'Build it first with `cargo build -p local` (this script never builds Rust), or set LOCAL_BIN.',
  );
}

if (!existsSync(join(DIST, 'index.html'))) {
  log('frontend/dist is missing: npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: FRONTEND, stdio: 'inherit' });
  if (r.status !== 0) fail('npm run build failed');
}

const { chromium } = await import('playwright-core');

// ---- the server -----------------------------------------------------------------------------

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const port = await freePort();
const tmp = mkdtempSync(join(tmpdir(), 'scc-e2e-'));
const serverLog = join(tmp, 'server.log');
const APP = `http://localhost:${port}`; // the server's APP_URL: links in emails point here
const API = `http://127.0.0.1:${port}`; // Node's own calls (no IPv6 guess for "localhost")

let server = null;
let browser = null;
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  try {
    await browser?.close();
  } catch {
    /* already gone */
  }
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', () => r(true)));
    server.stdin.end(); // the watchdog stops the server and exits
    const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!done) server.kill('SIGKILL');
  }
  if (process.env.E2E_KEEP_DATA !== '1') rmSync(tmp, { recursive: true, force: true });
}

// A closed stdout (`| head`) must not crash the run before the server is stopped.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
process.on('uncaughtException', async (e) => {
  console.error('[e2e] unexpected error:', e);
  await cleanup();
  process.exit(1);
});

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    await cleanup();
    process.exit(130);
  });
}

async function startServer() {
  const out = openSync(serverLog, 'a');
  // Through a small shell watchdog: it stops the server when this script's end of the pipe
  // closes, so the server never outlives the test, even if Node is killed outright.
  const watchdog = 'exec 3<&0; "$0" "$@" </dev/null & pid=$!; read -r _ <&3; kill "$pid" 2>/dev/null; wait "$pid"';
  server = spawn('sh', ['-c', watchdog, bin.path, '--port', String(port), '--data', join(tmp, 'data'), '--static', DIST], {
    stdio: ['pipe', out, out],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  server.on('exit', (code, signal) => {
    if (!cleaned) log(`server exited early (code ${code}, signal ${signal})`);
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) break;
    try {
      const r = await fetch(`${API}/health`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  let tail = '';
  try {
    tail = readFileSync(serverLog, 'utf8').slice(-2000);
  } catch {
    /* no log */
  }
  throw new Error(`the local server did not become healthy on port ${port}\n${tail}`);
}

// ---- helpers ----------------------------------------------------------------------------------

async function outbox() {
  const r = await fetch(`${API}/dev/outbox.json`);
  if (!r.ok) throw new Error(`outbox: HTTP ${r.status}`);
  return r.json();
}

/** The newest sign-in email to `email`, after `sinceIds` (ids already seen). */
async function signinMail(email, sinceIds = new Set()) {
  for (let i = 0; i < 50; i++) {
    const mail = (await outbox()).find((m) => m.to === email && !sinceIds.has(m.id));
    if (mail) {
      const link = /(http:\/\/localhost:\d+\/signin#token=[^\s]+)/.exec(mail.text)?.[1];
      const code = /Enter this code instead: ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(mail.text)?.[1];
      if (!link || !code) throw new Error(`no link or code in the email to ${email}: ${mail.text}`);
      return { mail, link, code };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sign-in email for ${email}`);
}

async function seenIds() {
  return new Set((await outbox()).map((m) => m.id));
}

async function api(path, { token, method = 'GET', body } = {}) {
  const r = await fetch(`${API}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return json;
}

/** A session token for checks made from the test itself, through the API. */
async function apiToken(email, orgId) {
  const before = await seenIds();
  await api('/auth/magic-link', { method: 'POST', body: { email } });
  const { link } = await signinMail(email, before);
  const token = decodeURIComponent(link.split('#token=')[1]);
  const grant = await api('/auth/exchange', { method: 'POST', body: orgId ? { token, org_id: orgId } : { token } });
  return grant.token;
}

/** Polls `check` until it returns true (or throws its last error at the deadline). */
async function until(check, what, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** A second local server on its own port, serving `dir` as the app (for a deploy of a changed build). */
async function startStaticServer(dir) {
  const port2 = await freePort();
  const out = openSync(join(tmp, 'server2.log'), 'a');
  const watchdog = 'exec 3<&0; "$0" "$@" </dev/null & pid=$!; read -r _ <&3; kill "$pid" 2>/dev/null; wait "$pid"';
  const child = spawn('sh', ['-c', watchdog, bin.path, '--port', String(port2), '--data', join(tmp, 'data2'), '--static', dir], {
    stdio: ['pipe', out, out],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', () => r(true)));
    child.stdin.end();
    if (!(await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 5000))]))) child.kill('SIGKILL');
  };
  await until(async () => (await fetch(`http://127.0.0.1:${port2}/health`)).ok, 'the second local server', 30_000).catch(async (e) => {
    await stop();
    throw e;
  });
  return { url: `http://localhost:${port2}`, stop };
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

let shotIndex = 0;
async function shot(page, name, fullPage = false) {
  shotIndex += 1;
  const file = join(SHOTS, `${String(shotIndex).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

const problems = [];

async function phone(name) {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
    // A phone set to another zone: the app must still show the org's (San Diego) times.
    timezoneId: 'Europe/Berlin',
    serviceWorkers: 'allow',
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (apply|load|execute)/i.test(text)) problems.push(`[${name}] CSP: ${text}`);
    else if (msg.type() === 'error' && !/Failed to load resource|net::ERR_INTERNET_DISCONNECTED|status of 40[134]/.test(text)) {
      problems.push(`[${name}] console error: ${text}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`[${name}] page error: ${err.message}`));
  return { context, page };
}

/** Signs in through the UI: ask for a link, open it from the outbox, press "Sign in". */
async function signInWithLink(page, email, shots = false) {
  await page.goto(`${APP}/signin`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  if (shots) {
    assert(await page.getByRole('link', { name: /local outbox/i }).first().isVisible(), 'the local outbox link is missing');
    await tapTargets(page, 'Sign in');
    await shot(page, 'signin');
  }
  const before = await seenIds();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  if (shots) await shot(page, 'check-email');
  const { link } = await signinMail(email, before);
  let exchanges = 0;
  const count = (req) => {
    if (req.url().endsWith('/auth/exchange')) exchanges += 1;
  };
  page.on('request', count);
  await page.goto(link);
  const button = page.getByRole('button', { name: 'Sign in', exact: true });
  await button.waitFor();
  // Opening the link spends nothing (mail scanners open links): only the button does.
  await page.waitForTimeout(500);
  assert(exchanges === 0, 'opening the sign-in link called /auth/exchange by itself');
  assert(!page.url().includes('token='), 'the token stayed in the address bar');
  if (shots) await shot(page, 'signin-link');
  await button.click();
  page.off('request', count);
}

/** Signs in through the UI with the emailed code instead of the link. */
async function signInWithCode(page, email) {
  await page.goto(`${APP}/signin`);
  const before = await seenIds();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  const { code } = await signinMail(email, before);
  await page.getByLabel('Sign-in code').fill(code.toLowerCase().replace('-', ' '));
  await page.getByRole('button', { name: 'Sign in with code' }).click();
}

/** Every visible control on the page is at least 44x44 CSS px (links inside text excepted). */
async function tapTargets(page, where) {
  const small = await page.evaluate(() => {
    const out = [];
    const els = document.querySelectorAll('button, select, input, textarea, summary, nav a, a.btn, .event-card, .back a, .sync-badge');
    for (const el of els) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
      if (r.height < 44 || r.width < 44) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
  assert(small.length === 0, `tap targets under 44 px on ${where}: ${small.join('; ')}`);
  // Nothing wider than the phone: no sideways scrolling of the page or of the tabs.
  const wide = await page.evaluate(() => {
    const nav = document.querySelector('.bar nav');
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      nav: nav ? nav.scrollWidth - nav.clientWidth : 0,
    };
  });
  assert(wide.page <= 0 && wide.nav <= 0, `${where} is wider than the phone (page +${wide.page} px, tabs +${wide.nav} px)`);
}

/**
 * The centre of a button scrolled into view, for presses by coordinates: `mouse` and `touchscreen`
 * neither scroll nor wait, and a point below the screen presses nothing (which would let a double
 * tap "pass" without touching the button).
 */
async function centreInView(page, locator) {
  await locator.waitFor();
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  const view = page.viewportSize();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  assert(x > 0 && y > 0 && x < view.width && y < view.height, `the button's centre ${Math.round(x)},${Math.round(y)} is off the screen`);
  const hit = await locator.evaluate((el, { x, y }) => el.contains(document.elementFromPoint(x, y)), { x, y });
  assert(hit, `the button is not what is at its centre ${Math.round(x)},${Math.round(y)}`);
  return { x, y };
}

/** A real double tap: two presses 120 ms apart at the centre of where the button was first. */
async function doubleClick(page, locator) {
  const { x, y } = await centreInView(page, locator);
  await page.mouse.click(x, y, { clickCount: 1 });
  await page.waitForTimeout(120);
  await page.mouse.click(x, y, { clickCount: 1 });
}

/** The session token the app keeps (for checks through the API as the same person). */
async function pageToken(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('scc.session') || '{}').token);
}

/** `$13,278`: whole dollars, as the app and the emails show money. */
function dollars(cents) {
  return `$${Math.round(cents / 100).toLocaleString('en-US')}`;
}

/** The wall clock (`YYYY-MM-DDTHH:mm`) in Los Angeles at an instant (the seeded orgs' zone). */
function laWall(ms) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** The week before an ISO week (`2026-W47` -> `2026-W46`). */
function previousWeek(week) {
  const [y, w] = week.split('-W').map(Number);
  const jan4 = Date.UTC(y, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000 + (w - 1) * 7 * 86_400_000;
  const t = monday - 7 * 86_400_000 + 3 * 86_400_000; // the Thursday of the week before
  const year = new Date(t).getUTCFullYear();
  const n = 1 + Math.floor((t - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(n).padStart(2, '0')}`;
}

/**
 * The event form's vessel: picked from the org's vessel records when it keeps any (the option
 * reads `Jada · COI 49`), typed when it keeps none.
 */
async function chooseVessel(page, name) {
  const field = page.locator('#ev-vessel');
  await field.waitFor();
  if ((await field.evaluate((el) => el.tagName)) !== 'SELECT') {
    await field.fill(name);
    return;
  }
  const labels = await field.locator('option').allTextContents();
  const label = labels.find((t) => t === name || t.startsWith(`${name} · `));
  assert(label, `no ${name} among the vessels to pick (${labels.join(', ')})`);
  await field.selectOption({ label });
}

/**
 * A camera-sized photo to pick: a `width` x `height` PNG (a colour gradient), written to `path`.
 * Larger than 1600 px on its long side, so the app has to scale it down before keeping it.
 */
function writePng(path, width, height) {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * row + 1 + x * 3;
      raw[o] = Math.floor((x * 255) / width);
      raw[o + 1] = Math.floor((y * 255) / height);
      raw[o + 2] = 128;
    }
  }
  const chunk = (type, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const png = Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  writeFileSync(path, png);
  return path;
}

/** An image's natural size once it has loaded (0 x 0 if it cannot). */
async function loadedSize(img) {
  await img.waitFor();
  await img.evaluate((el) => (el.complete ? undefined : new Promise((r) => el.addEventListener('load', r, { once: true }))));
  return img.evaluate((el) => ({ width: el.naturalWidth, height: el.naturalHeight, src: el.currentSrc || el.src }));
}

function auditCount(event, action, task) {
  return event.audit.filter((a) => a.action === action && a.task === task).length;
}

function taskDone(event, task) {
  for (const p of event.checklist.phases) for (const t of p.tasks) if (t.id === task) return t.done;
  throw new Error(`no task ${task}`);
}

// ---- scenarios --------------------------------------------------------------------------------

const results = [];
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    log(`FAIL ${name}: ${e instanceof Error ? e.stack || e.message : e}`);
    throw e;
  }
}

// ---- issue 17, items 6, 2 and 4: the event screen's top, the departure check, the sign-off -----

/** `less than a minute`, `42 min`, `1 h 5 min`, `8 h`, `2 d 4 h`: written again here as the oracle. */
function spanWords(ms) {
  const total = Math.floor(Math.abs(ms) / 60_000);
  if (total < 1) return 'less than a minute';
  if (total < 60) return `${total} min`;
  if (total < 24 * 60) {
    const h = Math.floor(total / 60);
    const m = total % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/** The local date (YYYY-MM-DD) in Los Angeles, the seeded orgs' zone. */
function laDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(ms);
}

/** The latest seeded event of that title still hours away (today's first belongs to earlier steps). */
async function upcomingSeeded(token, title, skip = []) {
  const q = new URLSearchParams({ from: laDate(Date.now()), to: laDate(Date.now() + 2 * 86_400_000), limit: '100' });
  const listed = await api(`/api/events?${q}`, { token });
  const found = listed.events
    .filter((e) => e.title === title && e.status === 'scheduled' && !skip.includes(e.id) && Date.parse(e.departs_at.at) > Date.now() + 2 * 3_600_000)
    .sort((a, b) => Date.parse(b.departs_at.at) - Date.parse(a.departs_at.at));
  assert(found.length > 0, `no seeded "${title}" hours away: ${listed.events.map((e) => e.title).join(', ')}`);
  return found[0];
}

/** The first open task (earliest due) that `ok` admits, from an EventView. */
function firstOpen(event, ok) {
  return event.checklist.phases
    .flatMap((p) => p.tasks)
    .filter((t) => !t.done && ok(t))
    .sort((a, b) => (a.due ? Date.parse(a.due.at) : Infinity) - (b.due ? Date.parse(b.due.at) : Infinity))[0];
}

/** The tick boxes' look, measured: size, border width and the border's contrast on the page. */
async function boxLook(locator) {
  return locator.evaluate((el) => {
    const lum = (css) => {
      const [r, g, b] = (css.match(/[\d.]+/g) || ['0', '0', '0']).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // The colour behind the box: the nearest ancestor with an opaque background.
    let bg = 'rgb(255, 255, 255)';
    for (let p = el.parentElement; p; p = p.parentElement) {
      const c = getComputedStyle(p).backgroundColor;
      if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) {
        bg = c;
        break;
      }
    }
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const [a, b] = [lum(s.borderTopColor), lum(bg)].sort((x, y) => y - x);
    return {
      width: r.width,
      height: r.height,
      border: parseFloat(s.borderTopWidth),
      style: s.borderTopStyle,
      appearance: s.appearance,
      contrast: (a + 0.05) / (b + 0.05),
    };
  });
}

/** Issue 17, item 6: at 360 x 780, the top of the event screen says what to do next. */
async function nextUpSteps({ adminJada }) {
  await step('a deckhand at 360 x 780: the top says "Departs in …" and their next crew task, ticked right there; bold boxes; rows say one state and one time (issue 17, item 6)', async () => {
    const deck = await phone('deck.jada.next');
    const p = deck.page;
    await p.setViewportSize({ width: 360, height: 780 });
    await signInWithCode(p, 'deck.jada@example.com');
    await p.getByRole('heading', { name: 'My events' }).waitFor();
    const token = await pageToken(p);
    const sail = await upcomingSeeded(token, 'Sunset sail');
    let ev = await api(`/api/events/${sail.id}`, { token });
    assert(ev.my_role === 'crew', `the deckhand is ${ev.my_role} on ${sail.id}`);
    const first = firstOpen(ev, (t) => t.role === 'crew');
    assert(first, 'no open crew task on the sail');
    await p.goto(`${APP}/events/${sail.id}`);
    await p.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();

    // The countdown, in words, matches the departure the server gives (within the minute it ticks).
    const countdown = p.locator('.nextup-countdown');
    const dep = Date.parse(ev.departs_at.at);
    await until(async () => {
      const said = (await countdown.innerText()).trim();
      const now = Date.now();
      return [now - 61_000, now, now + 61_000].some((t) => said === `Departs in ${spanWords(dep - t)}`);
    }, 'the countdown "Departs in …"');
    // The next task is the earliest open crew task, with its box, above the fold.
    const next = p.locator('.next-task');
    await next.locator('.task-title', { hasText: first.title }).waitFor();
    const box = p.locator(`#next-${first.id}`);
    for (const [what, loc] of [['the countdown', countdown], ['the next task', next], ['its box', box]]) {
      const b = await loc.boundingBox();
      assert(b && b.y >= 0 && b.y + b.height <= 780, `${what} is not on the first screen at 360 x 780: ${JSON.stringify(b)}`);
    }
    // Bold boxes for the sun: at least 44 px, a 3 px or thicker solid border, 4.5:1 against the page.
    for (const [what, loc] of [['the next task\'s box', box], ['a row\'s box', p.locator(`#task-${first.id}`)]]) {
      const look = await boxLook(loc);
      assert(look.width >= 44 && look.height >= 44, `${what} is ${look.width}x${look.height}`);
      assert(look.border >= 3 && look.style === 'solid', `${what}'s border is ${look.border}px ${look.style}`);
      assert(look.contrast >= 4.5, `${what}'s border contrast is ${look.contrast.toFixed(2)}:1`);
      assert(look.appearance === 'none', `${what} is the browser's thin default box (appearance ${look.appearance})`);
    }
    // Quieter rows: one state and one time each, no stack of badges.
    const lines = await p.locator('li.task').evaluateAll((els) =>
      els.map((li) => ({
        states: [...li.querySelectorAll('.task-state')].map((e) => e.textContent.trim()),
        chips: li.querySelectorAll('.chip').length,
        tags: [...li.querySelectorAll('.tag')].map((e) => e.textContent.trim()),
      })),
    );
    const oneLine = /^(due \d{1,2}:\d{2}\s[AP]M( tomorrow| \w{3}, \w{3} \d{1,2})?|due in .+|due now|overdue .+|done( \d{1,2}:\d{2}\s[AP]M)?( by .+)?|no set time|not needed: .+|not done|.+ that day.*)$/;
    for (const l of lines) {
      assert(l.states.length === 1 && oneLine.test(l.states[0]), `a row says ${JSON.stringify(l.states)}`);
      assert(l.chips === 0 && l.tags.every((t) => /^Captain's task/.test(t)), `a row carries badges: ${JSON.stringify(l)}`);
    }
    await tapTargets(p, 'the top of the event screen');
    await shot(p, 'event-next-up');

    // Ticked at the top: saved, said there and on the row, and the next crew task takes its place.
    const second = firstOpen(ev, (t) => t.role === 'crew' && t.id !== first.id);
    await box.click();
    await p.locator('.nextup-result', { hasText: `“${first.title}” ticked: saved` }).waitFor();
    await next.locator('.task-title', { hasText: second.title }).waitFor();
    assert((await p.locator(`#next-${first.id}`).count()) === 0, 'the ticked task is still offered at the top');
    const row = p.locator('li.task', { has: p.locator(`#task-${first.id}`) });
    assert(await p.locator(`#task-${first.id}`).isChecked(), 'the row is not ticked');
    await row.locator('.task-result', { hasText: 'Saved' }).waitFor();
    await row.locator('.task-state', { hasText: /^done \d{1,2}:\d{2}\s[AP]M by Dana Deck$/ }).waitFor();
    await row.scrollIntoViewIfNeeded();
    await shot(p, 'event-row-saved');
    await p.evaluate(() => window.scrollTo(0, 0));
    ev = await api(`/api/events/${sail.id}`, { token: adminJada });
    assert(taskDone(ev, first.id) && auditCount(ev, 'task_done', first.id) === 1, `${first.id} is not done once on the server`);
    await shot(p, 'event-next-up-ticked');

    // Offline, a tick at the top says it is queued, there and on its row; back online it is saved.
    await deck.context.setOffline(true);
    await p.locator(`#next-${second.id}`).click();
    await p.locator('.nextup-result', { hasText: `“${second.title}” ticked: queued offline` }).waitFor();
    const row2 = p.locator('li.task', { has: p.locator(`#task-${second.id}`) });
    await row2.locator('.task-sync', { hasText: 'Queued offline' }).waitFor();
    await shot(p, 'event-next-up-offline');
    await deck.context.setOffline(false);
    await p.locator('.nextup-result', { hasText: `“${second.title}” ticked: saved` }).waitFor({ timeout: 30_000 });
    await until(async () => taskDone(await api(`/api/events/${sail.id}`, { token: adminJada }), second.id), 'the queued tick on the server');
    await deck.context.close();
  });
}

/** Holds the event's GETs at the page's copy (304) while `body` runs: the server changes under it. */
async function withStaleCopy(page, eventId, body) {
  const pattern = `**/api/events/${eventId}`;
  const hold = (route) => (route.request().method() === 'GET' ? route.fulfill({ status: 304 }) : route.continue());
  await page.route(pattern, hold);
  try {
    return await body();
  } finally {
    await page.unroute(pattern, hold);
  }
}

/** PUTs a tick straight to the API and returns the answer's status and body. */
async function rawTick(token, eventId, taskId, done) {
  const r = await fetch(`${API}/api/events/${eventId}/tasks/${taskId}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ done, op_id: `e2e-${taskId}-${Date.now().toString(36)}`, at: new Date().toISOString() }),
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.json().catch(() => null) };
}

/** Issue 17, items 2 and 4: departure as a safety moment, the sign-off as a real step. */
async function departureAndSignOffSteps({ adminJada }) {
  let charterId = '';
  // The sign-off step's sessions and event, for the axe step after it.
  let kept = null;
  await step('the captain marks a charter departed hours early: a double tap departs nothing; armed, how early and the open safety tasks come above the buttons; a 409 shows the server\'s list there; the audit keeps them (issue 17, item 2)', async () => {
    const cap = await phone('captain.jada.depart');
    const c = cap.page;
    await c.setViewportSize({ width: 360, height: 780 });
    await signInWithCode(c, 'captain.jada@example.com');
    await c.getByRole('heading', { name: 'My events' }).waitFor();
    const token = await pageToken(c);
    const charter = await upcomingSeeded(token, 'Private charter: Lee family');
    charterId = charter.id;
    // One safety task done before the page loads; undone behind its back below (the 409).
    let ev = await api(`/api/events/${charterId}`, { token });
    assert(ev.my_role === 'captain', `the captain is ${ev.my_role} on ${charterId}`);
    assert(ev.departure_check && ev.departure_check.minutes_early >= 60, `departure_check: ${JSON.stringify(ev.departure_check)}`);
    const undone = ev.departure_check.open_safety_tasks.find((t) => t.role === 'crew');
    assert(undone, 'no open crew safety task before departure');
    assert((await rawTick(adminJada, charterId, undone.id, true)).status === 200, 'the admin could not tick');
    ev = await api(`/api/events/${charterId}`, { token });
    const open = ev.departure_check.open_safety_tasks;
    assert(open.length > 0 && !open.some((t) => t.id === undone.id), `open safety tasks: ${JSON.stringify(open)}`);

    await c.goto(`${APP}/events/${charterId}`);
    await c.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const dep = Date.parse(ev.departs_at.at);
    await withStaleCopy(c, charterId, async () => {
      // A double tap on Mark departed departs nothing: the first press arms it and the check opens
      // where the button was, so the second press lands on its text; the confirm comes after the
      // list and ignores presses for 0.8 s anyway.
      // Pressed at the bottom of the screen, the hard case: the page has to scroll to the start.
      const mark = c.getByRole('button', { name: 'Mark departed' });
      await mark.scrollIntoViewIfNeeded();
      await mark.evaluate((el) => window.scrollBy({ top: el.getBoundingClientRect().bottom - window.innerHeight + 2, behavior: 'instant' }));
      const at = await mark.boundingBox();
      assert(at.y + at.height > 700, `Mark departed is not at the bottom of the screen: ${JSON.stringify(at)}`);
      const tap = { x: at.x + at.width / 2, y: at.y + at.height / 2 };
      await doubleClick(c, mark);
      const details = c.locator('.confirm-details');
      await details.waitFor();
      const under = await c.evaluate(({ x, y }) => {
        const el = document.elementFromPoint(x, y);
        return {
          what: el ? `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || '').trim().slice(0, 40)}"` : 'nothing',
          inert: !!el && !el.closest('button, a, input, select, textarea, summary, label'),
          onCheck: !!el?.closest('.checked-confirm'),
        };
      }, tap);
      assert(under.inert && under.onCheck, `after arming, under the finger is ${under.what}, not the check's text`);
      // The guard ends with the confirm still armed (a press that passed would have disarmed it).
      const settled = await c.waitForFunction(
        () => {
          const b = [...document.querySelectorAll('.depart-action button')].find((e) => e.textContent.includes("Yes, we've departed"));
          if (!b) return 'disarmed';
          return b.hasAttribute('aria-disabled') ? null : 'ready';
        },
        null,
        { timeout: STEP_TIMEOUT },
      );
      assert((await settled.jsonValue()) === 'ready', 'the double tap disarmed the departure check');
      assert((await api(`/api/events/${charterId}`, { token })).status === 'scheduled', 'a double tap on Mark departed departed it');
      const early = /This is (.+) before the scheduled departure\./.exec(await details.innerText())?.[1];
      const now = Date.now();
      assert(early && [now - 61_000, now, now + 61_000].some((t) => early === spanWords(dep - t)), `the check says "${early}" early`);
      const listed = await details.locator('.open-tasks li').allInnerTexts();
      assert(
        JSON.stringify(listed.map((t) => t.trim())) === JSON.stringify(open.map((t) => t.title)),
        `listed ${JSON.stringify(listed)}, the server has ${JSON.stringify(open.map((t) => t.title))}`,
      );
      // Reading before confirming: how early, then the list, then the buttons; the start in view.
      const confirm = c.getByRole('button', { name: "Yes, we've departed" });
      const keep = c.getByRole('button', { name: 'Keep as is' });
      const above = async (what) => {
        const [e, l, k, y] = await Promise.all([c.locator('.depart-early'), details.locator('.open-tasks'), keep, confirm].map((x) => x.boundingBox()));
        assert(e.y + e.height <= l.y, `${what}: the early notice is not above the list (${JSON.stringify({ e, l })})`);
        assert(l.y + l.height <= k.y && l.y + l.height <= y.y, `${what}: the list is not above the buttons (${JSON.stringify({ l, k, y })})`);
      };
      await above('armed');
      const inView = async (loc, what) => {
        const b = await loc.boundingBox();
        assert(b && b.y >= 0 && b.y + Math.min(b.height, 60) <= 780, `${what} is not in view at 360 x 780: ${JSON.stringify(b)}`);
      };
      await inView(c.locator('.depart-early'), 'the early notice');
      await shot(c, 'depart-check');
      await confirm.scrollIntoViewIfNeeded();
      await shot(c, 'depart-check-buttons');
      // Meanwhile a safety task is unticked on the server: the confirm names too few, 409.
      assert((await rawTick(adminJada, charterId, undone.id, false)).status === 200, 'the admin could not untick');
      await confirm.click();
      const warn = c.locator('.depart-action .notice-warn', { hasText: 'Not departed yet' });
      await warn.waitFor();
      await details.locator('.open-tasks li', { hasText: undone.title }).waitFor();
      assert((await api(`/api/events/${charterId}`, { token })).status === 'scheduled', 'departed despite the 409');
      // The server's list opens above the buttons too, its start scrolled back into view.
      await above('after the 409');
      const [w, d2] = await Promise.all([warn.boundingBox(), details.boundingBox()]);
      assert(w.y + w.height <= d2.y, `the 409 notice is not above the list (${JSON.stringify({ w, d2 })})`);
      await inView(warn, 'the 409 notice');
      await shot(c, 'depart-check-409');
      await c.locator('.depart-action button:not([aria-disabled])', { hasText: "Yes, we've departed" }).click();
      await c.locator('.badge', { hasText: 'Underway' }).waitFor();
    });
    ev = await api(`/api/events/${charterId}`, { token: adminJada });
    assert(ev.status === 'underway', `the charter is ${ev.status}`);
    const entry = ev.audit.find((a) => a.action === 'departed');
    const ids = [...open.map((t) => t.id), undone.id].sort();
    assert(entry && JSON.stringify([...(entry.open_safety_tasks ?? [])].sort()) === JSON.stringify(ids), `the audit entry: ${JSON.stringify(entry)}`);
    assert(entry.by === 'captain.jada@example.com', `departed by ${entry.by}`);
    const minutes = (dep - Date.parse(entry.at)) / 60_000;
    assert(Math.abs(entry.minutes_early - minutes) <= 1 && entry.minutes_early >= 60, `minutes_early ${entry.minutes_early}, expected about ${minutes}`);
    await c.locator('summary', { hasText: 'History' }).click();
    await c.locator('.history li', { hasText: `marked it departed with ${ids.length} safety tasks open` }).waitFor();
    await cap.context.close();
  });

  await step('after the return the captain signs the checklist off with what is open listed; crew see it but cannot sign (403); a tick after it is refused (409) and shown closed (issue 17, item 4)', async () => {
    assert(charterId, 'no departed charter from the step before');
    const cap = await phone('captain.jada.signoff');
    const c = cap.page;
    await c.setViewportSize({ width: 360, height: 780 });
    await signInWithCode(c, 'captain.jada@example.com');
    await c.getByRole('heading', { name: 'My events' }).waitFor();
    const capToken = await pageToken(c);
    await c.goto(`${APP}/events/${charterId}`);
    await c.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    // No sign-off before the return.
    assert((await c.getByRole('heading', { name: 'Sign off the checklist' }).count()) === 0, 'sign-off offered while underway');
    await c.getByRole('button', { name: 'Mark returned' }).click();
    await c.getByRole('button', { name: "Yes, we're back" }).click();
    await c.locator('.badge', { hasText: 'Completed' }).waitFor();
    await c.getByRole('heading', { name: 'Sign off the checklist' }).waitFor();
    let ev = await api(`/api/events/${charterId}`, { token: capToken });
    assert(ev.sign_off?.status === 'ready' && ev.sign_off.open_tasks.length > 1, `sign_off: ${JSON.stringify(ev.sign_off)}`);
    assert(!ev.checklist.phases.some((p) => p.tasks.some((t) => t.id === 'sign_off')), 'sign_off is still a task');
    const panel = c.locator('.signoff');
    const listed = (await panel.locator('.open-tasks li').allInnerTexts()).map((t) => t.replace(/ \(safety\)$/, '').trim());
    assert(JSON.stringify(listed) === JSON.stringify(ev.sign_off.open_tasks.map((t) => t.title)), `listed ${JSON.stringify(listed)}`);
    await panel.scrollIntoViewIfNeeded();
    await shot(c, 'signoff-ready');

    // The deckhand sees where it stands, no button; the API refuses them (403).
    const deck = await phone('deck.jada.signoff');
    const d = deck.page;
    await d.setViewportSize({ width: 360, height: 780 });
    await signInWithCode(d, 'deck.jada@example.com');
    await d.getByRole('heading', { name: 'My events' }).waitFor();
    const deckToken = await pageToken(d);
    await d.goto(`${APP}/events/${charterId}`);
    await d.getByRole('heading', { name: 'Sign off the checklist' }).waitFor();
    await d.getByText('Waiting for the captain to sign it off.').waitFor();
    assert((await d.locator('.signoff button').count()) === 0, 'the deckhand is offered a sign-off button');
    const refused = await fetch(`${API}/api/events/${charterId}/sign-off`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${deckToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ open_tasks: ev.sign_off.open_tasks.map((t) => t.id) }),
    });
    assert(refused.status === 403, `the deckhand's sign-off answered ${refused.status}`);
    // The deckhand ticks an open crew task offline: it waits in the queue.
    const crewOpen = ev.sign_off.open_tasks.map((t) => t.id).filter((id) => crewTaskOf(ev, id));
    assert(crewOpen.length >= 2, `open crew tasks: ${crewOpen.join(', ')}`);
    const late = crewOpen[0];
    await deck.context.setOffline(true);
    await d.locator(`#task-${late}`).click();
    await d.locator('li.task', { has: d.locator(`#task-${late}`) }).locator('.task-sync', { hasText: 'Queued offline' }).waitFor();

    // The list changes under the captain's page (the office ticks one): 409, the new list, confirm again.
    await withStaleCopy(c, charterId, async () => {
      await c.getByRole('button', { name: 'Sign off the checklist' }).click();
      assert((await rawTick(adminJada, charterId, crewOpen[1], true)).status === 200, 'the admin could not tick');
      await c.getByRole('button', { name: 'Yes, sign it off' }).click();
      await panel.locator('.notice-warn', { hasText: 'The open tasks changed' }).waitFor();
      assert((await panel.locator('.open-tasks li', { hasText: titleOf(ev, crewOpen[1]) }).count()) === 0, 'the new list still has the ticked task');
      await c.getByRole('button', { name: 'Yes, sign it off' }).click();
      await c.locator('.signoff-headline', { hasText: /^Signed off by Casey Captain at \d{1,2}:\d{2}\s[AP]M$/ }).waitFor();
    });
    await c.locator('.signed-line', { hasText: 'Signed off by Casey Captain' }).waitFor();
    const enabled = await c.locator('.task > input[type=checkbox]:not([disabled])').count();
    assert(enabled === 0, `${enabled} boxes still tickable after the sign-off`);
    ev = await api(`/api/events/${charterId}`, { token: adminJada });
    assert(ev.sign_off?.status === 'signed' && ev.sign_off.by === 'captain.jada@example.com', `sign_off: ${JSON.stringify(ev.sign_off)}`);
    const signed = ev.audit.find((a) => a.action === 'signed_off');
    assert(signed && signed.open_tasks?.includes(late) && !signed.open_tasks.includes(crewOpen[1]), `the audit entry: ${JSON.stringify(signed)}`);
    await c.locator('.signoff').scrollIntoViewIfNeeded();
    await shot(c, 'signed-off');

    // A tick now is refused (409, problem+json, saying it is signed off) ...
    const put = await rawTick(deckToken, charterId, late, true);
    assert(put.status === 409 && /problem\+json/.test(put.type), `a tick after the sign-off answered ${put.status} ${put.type}`);
    assert(/signed off/i.test(put.body?.detail ?? ''), `the 409 says ${JSON.stringify(put.body)}`);
    // ... and the deckhand's queued one leaves the queue refused, with the server's reason on its row.
    await deck.context.setOffline(false);
    const row = d.locator('li.task', { has: d.locator(`#task-${late}`) });
    await row.locator('.notice-error', { hasText: /refused.*signed off/i }).waitFor({ timeout: 30_000 });
    await d.locator('.sync-badge').waitFor({ state: 'detached', timeout: 30_000 });
    await d.locator('.signed-line', { hasText: 'Signed off by Casey Captain' }).waitFor({ timeout: 30_000 });
    assert(await d.locator(`#task-${late}`).isDisabled(), 'the box is still tickable for the deckhand');
    ev = await api(`/api/events/${charterId}`, { token: adminJada });
    assert(!taskDone(ev, late), 'the refused tick landed');
    await row.locator('.task-state', { hasText: /^not done$/ }).waitFor();
    await row.scrollIntoViewIfNeeded();
    await tapTargets(d, 'the signed-off event');
    await shot(d, 'tick-refused-signed-off');
    kept = { cap, deck, charterId, capToken, deckToken };
  });

  await step('axe finds no accessibility violations on the event screen: a deckhand\'s scheduled sail, the captain\'s departure check, the sign-off ready, signed off, and in dark mode', async () => {
    assert(kept, 'no sessions from the step before');
    const { cap, deck } = kept;
    try {
      const c = cap.page;
      const d = deck.page;
      const found = [];
      // A deckhand's view of a scheduled event (tomorrow's sunset sail).
      const sail = await upcomingSeeded(kept.deckToken, 'Sunset sail');
      await d.goto(`${APP}/events/${sail.id}`);
      await d.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
      found.push(...(await axeViolations(d, "a deckhand's scheduled sail")));
      // Not blind: a button without a name, put in for a moment, is found.
      const canary = await d.evaluate(async () => {
        const b = document.createElement('button');
        b.id = 'axe-canary';
        document.querySelector('main').append(b);
        try {
          return (await window.axe.run('#axe-canary', { runOnly: ['button-name'] })).violations.map((v) => v.id);
        } finally {
          b.remove();
        }
      });
      assert(canary.includes('button-name'), `axe missed a button without a name (${canary.join(', ')})`);
      // The captain's view of it with Mark departed armed: the departure check shows.
      await c.goto(`${APP}/events/${sail.id}`);
      await c.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
      await c.getByRole('button', { name: 'Mark departed' }).click();
      await c.locator('.depart-check').waitFor();
      await c.locator('.depart-action button:not([aria-disabled])', { hasText: "Yes, we've departed" }).waitFor();
      found.push(...(await axeViolations(c, "the captain's departure check")));
      // Dark mode, the check still open.
      await c.emulateMedia({ colorScheme: 'dark' });
      found.push(...(await axeViolations(c, 'the departure check, dark')));
      await shot(c, 'depart-check-dark');
      await c.emulateMedia({ colorScheme: 'light' });
      await c.getByRole('button', { name: 'Keep as is' }).click();
      // The sign-off ready: a past charter of the captain's, returned and not signed.
      const ready = await signOffReady(kept.capToken);
      await c.goto(`${APP}/events/${ready}`);
      await c.getByRole('heading', { name: 'Sign off the checklist' }).waitFor();
      found.push(...(await axeViolations(c, 'the sign-off ready')));
      // The charter signed off in the step before, light and dark.
      await c.goto(`${APP}/events/${kept.charterId}`);
      await c.locator('.signoff-headline', { hasText: 'Signed off by' }).waitFor();
      found.push(...(await axeViolations(c, 'signed off')));
      await c.emulateMedia({ colorScheme: 'dark' });
      found.push(...(await axeViolations(c, 'signed off, dark')));
      await shot(c, 'signed-off-dark');
      assert(found.length === 0, `axe violations:\n${found.join('\n')}`);
      assert((await api(`/api/events/${sail.id}`, { token: adminJada })).status === 'scheduled', 'the sail left scheduled');
    } finally {
      await deck.context.close();
      await cap.context.close();
    }
  });
}

const AXE = join(FRONTEND, 'node_modules', 'axe-core', 'axe.min.js');
const axeRouted = new WeakSet();

/**
 * Runs axe-core on the page as it is and returns its violations, one line per rule with its
 * targets. The app's CSP (`script-src 'self'`) refuses an inline script, so axe comes as a file of
 * the app's own origin, answered by the test from node_modules.
 */
async function axeViolations(page, where) {
  const url = `${new URL(page.url()).origin}/e2e-axe/axe.min.js`;
  if (!axeRouted.has(page)) {
    await page.route(url, (route) => route.fulfill({ path: AXE, contentType: 'text/javascript; charset=utf-8' }));
    axeRouted.add(page);
  }
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ url });
  const { violations, passes, incomplete } = await page.evaluate(async () => {
    const r = await window.axe.run(document);
    return {
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)})` : ''}`),
      })),
      passes: r.passes.length,
      incomplete: r.incomplete.map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`),
    };
  });
  log(`  axe on ${where}: ${violations.length} violations, ${passes} rules passed${incomplete.length ? `, to review by hand: ${incomplete.join(', ')}` : ''}`);
  assert(passes >= 20, `axe passed only ${passes} rules on ${where}: did it run?`);
  return violations.map((v) => `  ${where}: ${v.id} (${v.impact}: ${v.help}) at ${v.nodes.join('; ')}`);
}

/** A past event the captain may sign off (returned, not signed): the seeded weeks have them. */
async function signOffReady(token) {
  const q = new URLSearchParams({ from: laDate(Date.now() - 21 * 86_400_000), to: laDate(Date.now() - 86_400_000), limit: '100' });
  const listed = await api(`/api/events?${q}`, { token });
  for (const e of listed.events.filter((x) => x.status === 'completed')) {
    const ev = await api(`/api/events/${e.id}`, { token });
    if (ev.my_role === 'captain' && ev.sign_off?.status === 'ready') return ev.id;
  }
  throw new Error(`no past event ready to sign off among ${listed.events.length}`);
}

function crewTaskOf(event, id) {
  return event.checklist.phases.some((p) => p.tasks.some((t) => t.id === id && t.role === 'crew'));
}

function titleOf(event, id) {
  for (const p of event.checklist.phases) for (const t of p.tasks) if (t.id === id) return t.title;
  return id;
}

async function main() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  await startServer();
  log(`server ${bin.path} on ${APP} (data in ${tmp})`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });

  // Tokens for checks made through the API (taken first: a new sign-in email replaces older ones).
  const adminJada = await apiToken('admin.jada@example.com');
  const adminCentaur = await apiToken('admin.centaur@example.com');

  await step("a first visit downloads the app once: compressed, the service worker's precache from the HTTP cache, offline at once (issue 17, item 8)", async () => {
    const first = await phone('first.visit');
    const fetched = [];
    const sizes = [];
    // Every request the page and its service worker make (Playwright follows the worker's own
    // fetches through CDP): what crossed the network is its encodedDataLength (headers + body as
    // sent), 0 for an answer from the HTTP cache.
    first.context.on('requestfinished', (req) => {
      sizes.push(
        (async () => {
          const s = await req.sizes();
          const response = await req.response();
          const headers = (await response?.allHeaders()) ?? {};
          fetched.push({
            path: new URL(req.url()).pathname,
            by: req.serviceWorker() ? 'sw' : 'page',
            status: response?.status() ?? 0,
            bytes: Math.max(0, s.responseHeadersSize + s.responseBodySize),
            encoding: headers['content-encoding'] ?? '',
            type: headers['content-type'] ?? '',
          });
        })(),
      );
    });
    await first.page.goto(`${APP}/`);
    await first.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await first.page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: STEP_TIMEOUT });
    await first.page.waitForTimeout(1500);
    await Promise.all(sizes);
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const firstLoad = new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]));
    const network = fetched.filter((f) => f.bytes > 0 && f.path.startsWith('/') && !/^\/(api|auth|dev|health)\b/.test(f.path));
    const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
    const sum = (rows) => rows.reduce((n, f) => n + f.bytes, 0);
    const perPath = new Map();
    for (const f of network) perPath.set(f.path, [...(perPath.get(f.path) ?? []), f]);
    for (const [path, rows] of [...perPath].sort()) {
      log(`  first visit: ${path} ${rows.map((f) => `${f.by} ${f.status} ${kb(f.bytes)}${f.encoding ? ` ${f.encoding}` : ''}`).join(', ')}`);
    }
    const shell = network.filter((f) => ['/', '/index.html', '/sw.js', '/manifest.webmanifest'].includes(f.path) || firstLoad.has(f.path));
    const screens = network.filter((f) => f.path.startsWith('/assets/') && !firstLoad.has(f.path));
    log(
      `  first visit over the network: ${kb(sum(network))} in ${network.length} responses; app shell (index.html, first-load JS and CSS, manifest, sw.js) ${kb(sum(shell))}; screens loaded on demand, precached ${kb(sum(screens))}; the rest (icons) ${kb(sum(network) - sum(shell) - sum(screens))}`,
    );
    const twice = [...perPath].filter(([path, rows]) => path.startsWith('/assets/') && rows.length > 1);
    assert(twice.length === 0, `downloaded more than once: ${twice.map(([p, rows]) => `${p} (${rows.map((r) => r.by).join(', ')})`).join('; ')}`);
    for (const path of firstLoad) assert(perPath.has(path), `${path} did not come over the network at all (the measure is blind)`);
    assert(sum(shell) < 60_000, `the app shell took ${kb(sum(shell))} over the network, not under 60 KB`);
    const plain = network.filter((f) => f.status === 200 && /javascript|css|html|json|manifest|svg/.test(f.type) && !/^(br|gzip)$/.test(f.encoding));
    assert(plain.length === 0, `sent uncompressed: ${plain.map((f) => `${f.path} (${f.type})`).join(', ')}`);
    // The precache holds every built file, so the screens loaded on demand open offline too.
    const cached = await first.page.evaluate(async () => {
      const out = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) out.push(new URL(r.url).pathname);
      return out;
    });
    const built = readdirSync(join(DIST, 'assets')).map((f) => `/assets/${f}`);
    const missing = built.filter((p) => !cached.includes(p));
    assert(missing.length === 0, `not in the service worker's cache: ${missing.join(', ')}`);
    // Offline from the first visit: the shell opens with no network.
    await first.context.setOffline(true);
    await first.page.reload();
    await first.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(first.page, 'first-visit-offline');
    await first.context.close();
  });

  await step('a new deploy: the open tab offers it, "Reload now" loads it, only the changed file is downloaded, the old cache is gone (issue 17, item 8)', async () => {
    // A copy of the build served by a second local server (its own origin, so a fresh worker).
    const site = join(tmp, 'site');
    cpSync(DIST, site, { recursive: true });
    const html = readFileSync(join(site, 'index.html'), 'utf8');
    const main = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    assert(main, 'no main chunk in index.html');
    const second = await startStaticServer(site);
    const tab = await phone('deploy.tab');
    try {
      const cachedPaths = () =>
        tab.page.evaluate(async () => {
          const out = {};
          for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
          return out;
        });
      await tab.page.goto(`${second.url}/`);
      await tab.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await tab.page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: STEP_TIMEOUT });
      await tab.page.waitForTimeout(1000);
      const before = Object.keys(await cachedPaths());
      assert(before.length === 1, `caches after the first visit: ${before.join(', ')}`);
      // The deploy: the main chunk changed (a new hashed name), index.html and sw.js name it, and
      // the worker's precache version moves; everything else is as it was.
      const next = main.replace(/\.js$/, 'x2.js');
      writeFileSync(join(site, next), `${readFileSync(join(site, main), 'utf8')}\n// deploy 2\n`);
      writeFileSync(join(site, 'index.html'), html.replaceAll(main, next));
      const worker = readFileSync(join(site, 'sw.js'), 'utf8');
      const versions = worker.match(/"[0-9a-f]{16}"/g) ?? [];
      assert(versions.length === 1 && worker.includes(main), `sw.js has ${versions.length} version strings`);
      writeFileSync(join(site, 'sw.js'), worker.replaceAll(main, next).replace(versions[0], '"0123456789abcdef"'));
      const fetched = [];
      const sizes = [];
      tab.context.on('requestfinished', (req) => {
        sizes.push(
          req.sizes().then((s) => {
            if (s.responseHeadersSize + s.responseBodySize > 0) fetched.push(new URL(req.url()).pathname);
          }),
        );
      });
      // What the hourly check (or a reload) does.
      await tab.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      await tab.page.getByText('A new version of the app is ready').waitFor();
      await tab.page.waitForTimeout(500);
      await Promise.all(sizes);
      const assets = fetched.filter((p) => p.startsWith('/assets/'));
      log(`  the update fetched: ${fetched.join(', ')}`);
      assert(assets.length === 1 && assets[0] === next, `the update downloaded ${assets.join(', ') || 'no asset'}, not only ${next}`);
      const waiting = await cachedPaths();
      assert(Object.keys(waiting).length === 2, `caches while the update waits: ${Object.keys(waiting).join(', ')}`);
      await shot(tab.page, 'update-ready');
      await tab.page.getByRole('button', { name: 'Reload now' }).click();
      await tab.page.waitForFunction((src) => !!document.querySelector(`script[src="${src}"]`), next, { timeout: STEP_TIMEOUT });
      await tab.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const after = await cachedPaths();
      const names = Object.keys(after);
      assert(names.length === 1 && !before.includes(names[0]), `caches after the update: ${names.join(', ')}`);
      assert(after[names[0]].includes(next) && !after[names[0]].includes(main), `the new cache holds ${after[names[0]].join(', ')}`);
      // And the new version opens offline.
      await tab.context.setOffline(true);
      await tab.page.reload();
      await tab.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert(await tab.page.evaluate((src) => !!document.querySelector(`script[src="${src}"]`), next), 'offline, the old version opened');
    } finally {
      await tab.context.close();
      await second.stop();
    }
  });

  const crew = await phone('deck.jada');
  const page = crew.page;
  let eventId = '';
  let tasks = [];
  // The deckhand's tasks (role "crew" in the event's checklist): the only ones they may tick.
  let crewTasks = new Set();

  await step('sign in through the outbox link (the page shows a Sign in button)', async () => {
    await signInWithLink(page, 'deck.jada@example.com', true);
    await page.getByRole('heading', { name: 'My events' }).waitFor();
    await page.locator('.event-card').first().waitFor();
    assert(/PST|PDT/.test(await page.locator('main').innerText()), "My events does not show the org's zone");
    await tapTargets(page, 'My events');
    await shot(page, 'my-events');
  });

  await step("open a seeded event: timing panel ticking in the org zone, checklist; the captain's tasks are not the deckhand's to tick", async () => {
    await page.locator('.event-card').first().click();
    await page.waitForURL(/\/events\/[0-9A-Z]+$/);
    eventId = page.url().split('/').pop();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const clock = page.locator('.clock-time');
    const first = await clock.innerText();
    await page.waitForTimeout(1300);
    assert((await clock.innerText()) !== first, 'the clock does not tick');
    // The phone is on Berlin time; the panel must show San Diego's.
    const sdHour = (ms) =>
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: 'numeric', hour12: true })
        .format(ms)
        .replace(/ (AM|PM)$/, '');
    const shown = await clock.innerText();
    const hours = new Set([sdHour(Date.now()), sdHour(Date.now() - 5000)]);
    assert([...hours].some((h) => shown.startsWith(`${h}:`)), `clock ${shown} is not in San Diego time (${[...hours]})`);
    assert(await page.getByText('Sunset').first().isVisible(), 'no sunset in the timing panel');
    assert(await page.getByText('Civil dusk').first().isVisible(), 'no civil dusk in the timing panel');
    // Issue 17, item 3: the checklist says whose each task is; the deckhand ticks crew tasks only.
    const deckToken = await page.evaluate(() => JSON.parse(localStorage.getItem('scc.session') || '{}').token);
    const seen = await api(`/api/events/${eventId}`, { token: deckToken });
    assert(seen.my_role === 'crew', `the deckhand is ${seen.my_role} on the seeded event, not crew`);
    const all = seen.checklist.phases.flatMap((p) => p.tasks);
    crewTasks = new Set(all.filter((t) => t.role === 'crew').map((t) => t.id));
    const captains = all.filter((t) => t.role === 'captain');
    const tickable = await page
      .locator('.task > input[type=checkbox]:not([disabled])')
      .evaluateAll((els) => els.map((e) => e.id.replace(/^task-/, '')));
    assert(
      JSON.stringify([...tickable].sort()) === JSON.stringify([...crewTasks].sort()),
      `the deckhand may tick ${tickable.join(', ')}, not exactly the crew tasks ${[...crewTasks].join(', ')}`,
    );
    tasks = await page
      .locator('.task > input[type=checkbox]:not(:checked):not([disabled])')
      .evaluateAll((els) => els.slice(0, 4).map((e) => e.id.replace(/^task-/, '')));
    assert(tasks.length === 4 && tasks.every((t) => crewTasks.has(t)), `fewer than 4 crew tasks to tick (${tasks.join(', ')})`);

    // A captain's task shows as the captain's: the box disabled and pointing to who ticks it, no
    // note or photo button; a tap on the row changes nothing; the server answers 403.
    const plan = captains.find((t) => t.id === 'float_plan') ?? captains.find((t) => t.id === 'marine_forecast') ?? captains[0];
    assert(plan, 'the seeded event has no captain\'s task');
    const box = page.locator(`#task-${plan.id}`);
    const row = page.locator('li.task', { has: box });
    assert(await box.isDisabled(), `the deckhand has an active checkbox on the captain's task ${plan.id}`);
    await row.locator('.tag-captain', { hasText: /^Captain's task$/ }).waitFor();
    assert((await row.locator('.task-extra').count()) === 0, `the captain's task ${plan.id} offers the deckhand a note or photo`);
    const hint = await box.getAttribute('aria-describedby');
    assert(hint, `the captain's task ${plan.id} does not say who ticks it`);
    const says = await page.locator(`#${hint}`).innerText();
    assert(/ticked by the event's captain or the office/.test(says), `the hint says ${JSON.stringify(says)}`);
    const wasDone = await box.isChecked();
    // Forced: Playwright would wait for the disabled box the label points to. A finger does not.
    await row.locator(':scope > label').click({ force: true });
    await page.waitForTimeout(300);
    assert((await box.isChecked()) === wasDone, `a tap on the captain's task ${plan.id} changed its box`);
    assert((await page.getByText(/waiting to sync/).count()) === 0, `a tap on the captain's task ${plan.id} queued a tick`);
    for (const [method, path, body] of [
      ['PUT', `/api/events/${eventId}/tasks/${plan.id}`, { done: !wasDone, op_id: `e2e-captains-${Date.now()}`, at: new Date().toISOString() }],
      ['POST', `/api/events/${eventId}/tasks/${plan.id}/photos`, { content_type: 'image/jpeg', bytes: 100, thumb_bytes: 10 }],
    ]) {
      const r = await fetch(`${API}${path}`, {
        method,
        headers: { Authorization: `Bearer ${deckToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const problem = await r.json().catch(() => null);
      assert(r.status === 403, `${method} ${path} as the deckhand answered ${r.status}, not 403`);
      assert(/problem\+json/.test(r.headers.get('content-type') ?? ''), `the 403 is ${r.headers.get('content-type')}, not problem+json`);
      assert(problem?.detail?.includes(plan.title), `the 403's detail does not name "${plan.title}": ${JSON.stringify(problem)}`);
    }
    const after = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(taskDone(after, plan.id) === wasDone && auditCount(after, 'task_done', plan.id) === 0, `the deckhand's tick of ${plan.id} changed the event`);
    await row.scrollIntoViewIfNeeded();
    await shot(page, 'event-captains-task');
    await page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: STEP_TIMEOUT });
    await tapTargets(page, 'the event screen');
    await shot(page, 'event');
    await shot(page, 'event-timeline-full', true);
    await page.getByRole('button', { name: 'By phase' }).click();
    assert((await page.getByRole('button', { name: 'By phase' }).getAttribute('aria-pressed')) === 'true', 'the checklist view did not open');
    await page.getByRole('heading', { level: 3 }).first().waitFor();
    await shot(page, 'event-checklist-full', true);
  });

  await nextUpSteps({ adminJada });
  await departureAndSignOffSteps({ adminJada });

  await step('tick a task (with the keyboard), reload: still ticked (and done on the server)', async () => {
    const box = page.locator(`#task-${tasks[0]}`);
    await box.focus();
    await page.keyboard.press('Space');
    assert(await box.isChecked(), 'the tick did not show at once');
    await until(async () => taskDone(await api(`/api/events/${eventId}`, { token: adminJada }), tasks[0]), 'the tick on the server');
    await page.locator('.task-sync').waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await page.waitForFunction((id) => document.querySelector(`#task-${id}`)?.checked === true, tasks[0]);
    const ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(taskDone(ev, tasks[0]), 'the server does not have the tick');
    assert(auditCount(ev, 'task_done', tasks[0]) === 1, 'the tick is not in the audit exactly once');
  });

  await step('offline: tick two tasks, "2 changes waiting", online again: both synced exactly once', async () => {
    await crew.context.setOffline(true);
    await page.locator(`#task-${tasks[1]}`).click();
    await page.locator(`#task-${tasks[2]}`).click();
    await page.getByText('2 changes waiting to sync').waitFor();
    assert(await page.locator(`#task-${tasks[1]}`).isChecked(), 'offline tick 1 not shown');
    assert(await page.locator(`#task-${tasks[2]}`).isChecked(), 'offline tick 2 not shown');
    await shot(page, 'offline-waiting');
    // The app shell and the last-seen event open with no network, and the queue survives it.
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await page.getByText('2 changes waiting to sync').waitFor();
    assert(await page.locator(`#task-${tasks[1]}`).isChecked(), 'offline tick 1 lost on reload');
    let ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(!taskDone(ev, tasks[1]) && !taskDone(ev, tasks[2]), 'offline ticks reached the server while offline');
    await shot(page, 'offline-reloaded');
    await crew.context.setOffline(false);
    await page.locator('.sync-badge').waitFor({ state: 'detached', timeout: 30_000 });
    // Give any duplicate replay a chance to happen before counting.
    await page.waitForTimeout(1500);
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await page.waitForTimeout(1000);
    ev = await api(`/api/events/${eventId}`, { token: adminJada });
    for (const t of tasks.slice(0, 3)) {
      assert(taskDone(ev, t), `${t} is not done on the server`);
      const n = auditCount(ev, 'task_done', t);
      assert(n === 1, `${t} has ${n} audit entries, not exactly 1`);
    }
    assert(ev.audit.filter((a) => a.action === 'task_done').length === 3, 'unexpected extra ticks in the audit');
  });

  await step('a 401 while syncing keeps the queue and asks to sign in again; then it syncs once', async () => {
    await crew.context.setOffline(true);
    await page.locator(`#task-${tasks[3]}`).click();
    await page.getByText('1 change waiting to sync').waitFor();
    // Meanwhile the session dies (signed out everywhere from another device).
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('scc.session') || '{}').token);
    assert(token, 'no session token in localStorage');
    await api('/auth/logout-all', { method: 'POST', token });
    await crew.context.setOffline(false);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 30_000 });
    await page.getByText('Your session has ended').waitFor();
    await page.getByText('1 change is waiting on this phone').waitFor();
    await shot(page, 'session-ended');
    let ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(!taskDone(ev, tasks[3]), 'the tick went through with a dead token');
    await signInWithLink(page, 'deck.jada@example.com');
    // Back where they were, and the waiting tick goes out.
    await page.waitForURL(new RegExp(`/events/${eventId}$`));
    await page.locator('.sync-badge').waitFor({ state: 'detached', timeout: 30_000 });
    await until(async () => taskDone(await api(`/api/events/${eventId}`, { token: adminJada }), tasks[3]), 'the kept tick on the server');
    ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(auditCount(ev, 'task_done', tasks[3]) === 1, 'the kept tick is not in the audit exactly once');
  });

  await step('offline: a note and a photo on a tick wait with it, sync once (photo straight to storage, then the tick), and show after a reload and in the history', async () => {
    const photo = writePng(join(tmp, 'fuel-gauge.png'), 1800, 2400);
    await page.goto(`${APP}/events/${eventId}`);
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const task = await page
      .locator('.task > input[type=checkbox]:not(:checked):not([disabled])')
      .first()
      .evaluate((el) => el.id.replace(/^task-/, ''));
    assert(crewTasks.has(task), `the deckhand's photo goes on ${task}, not a crew task`);
    const row = page.locator('li.task', { has: page.locator(`#task-${task}`) });
    const note = 'Fuel 3/4, topped up at the dock';
    await crew.context.setOffline(true);
    await row.locator('.task-extra').click();
    await row.getByRole('textbox', { name: 'Note', exact: true }).fill(note);
    await row.getByText(`${note.length} / 280`).waitFor();
    await row.locator('input[type=file]').setInputFiles(photo);
    // Scaled down on the phone before anything is kept: 1800 x 2400 -> a 240 x 320 thumbnail.
    const preview = await loadedSize(row.locator('.task-panel .photo-thumb img'));
    assert(preview.width === 240 && preview.height === 320, `the preview is ${preview.width} x ${preview.height}, not 240 x 320`);
    await row.locator('.task-panel').scrollIntoViewIfNeeded();
    await tapTargets(page, 'the note and photo panel');
    await shot(page, 'task-note-photo');
    await row.getByRole('button', { name: 'Tick with a note and 1 photo' }).click();
    await page.getByText('1 change waiting to sync · 1 photo waiting').waitFor();
    assert(await page.locator(`#task-${task}`).isChecked(), 'the tick with a photo is not shown');
    await row.locator('.task-note', { hasText: note }).waitFor();
    await row.getByText('Waiting to sync · 1 photo').waitFor();
    const waiting = await loadedSize(row.locator('.attachments .photo-thumb img'));
    assert(waiting.width > 0 && waiting.src.startsWith('blob:'), `the waiting photo does not show from the phone (${waiting.src})`);
    const queued = await page.evaluate(
      () =>
        new Promise((res, rej) => {
          const r = indexedDB.open('shipcaptaincrew');
          r.onerror = () => rej(r.error);
          r.onsuccess = () => {
            const g = r.result.transaction('ops').objectStore('ops').getAll();
            g.onsuccess = () =>
              res(g.result.map((o) => ({ note: o.note, photos: (o.photos ?? []).map((p) => ({ full: p.full.size, thumb: p.thumb.size, type: p.full.type, id: p.id ?? null })) })));
          };
        }),
    );
    assert(queued.length === 1 && queued[0].note === note, `the queue holds ${JSON.stringify(queued)}`);
    const [kept] = queued[0].photos;
    assert(kept && kept.type === 'image/jpeg' && kept.full > kept.thumb && kept.thumb > 0 && kept.id === null, `the queued photo is ${JSON.stringify(kept)}`);
    await shot(page, 'task-photo-waiting');
    // A reload offline keeps it (the blobs are in IndexedDB).
    await page.reload();
    await page.getByText('1 change waiting to sync · 1 photo waiting').waitFor();
    await row.locator('.task-note', { hasText: note }).waitFor();
    let ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(!taskDone(ev, task), 'the tick reached the server while offline');

    const sent = [];
    const watch = (req) => {
      if (req.method() === 'GET') return;
      const url = new URL(req.url());
      sent.push({ what: `${req.method()} ${url.pathname}`, auth: req.headers().authorization ?? null });
    };
    page.on('request', watch);
    await crew.context.setOffline(false);
    await page.locator('.sync-badge').waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForTimeout(1500);
    page.off('request', watch);
    const base = `/api/events/${eventId}/tasks/${task}`;
    const order = sent.map((r) => (r.what.startsWith('PUT /api/') || r.what.startsWith('POST /api/') ? r.what : r.what.replace(/^PUT .*/, 'PUT storage')));
    assert(
      JSON.stringify(order) === JSON.stringify([`POST ${base}/photos`, 'PUT storage', 'PUT storage', `PUT ${base}`]),
      `the sync sent ${JSON.stringify(sent.map((r) => r.what))}`,
    );
    const uploads = sent.filter((r) => r.what.startsWith('PUT') && !r.what.startsWith('PUT /api/'));
    assert(uploads.every((r) => r.auth === null), 'a bearer token went to photo storage');

    ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(taskDone(ev, task), 'the tick with a photo is not done on the server');
    assert(auditCount(ev, 'task_done', task) === 1, 'the tick with a photo is not in the audit exactly once');
    const onServer = ev.checklist.phases.flatMap((p) => p.tasks).find((t) => t.id === task);
    assert(onServer.note === note, `the task's note on the server is ${JSON.stringify(onServer.note)}`);
    assert(onServer.photos?.length === 1, `the task has ${onServer.photos?.length} photos on the server`);
    const entry = ev.audit.find((a) => a.action === 'task_done' && a.task === task);
    assert(entry.note === note && entry.photos?.length === 1, `the history entry is ${JSON.stringify(entry)}`);
    assert(ev.photo_urls?.[entry.photos[0].id], 'photo_urls lacks the photo');

    // After a reload, from the server: the note and a thumbnail that loads; a tap shows the photo.
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    await row.locator('.task-note', { hasText: note }).waitFor();
    const thumb = await loadedSize(row.locator('.attachments .photo-thumb img'));
    assert(!thumb.src.startsWith('blob:'), 'the thumbnail still shows from the phone after the sync');
    assert(thumb.width === 240 && thumb.height === 320, `the thumbnail from the server is ${thumb.width} x ${thumb.height}`);
    await row.locator('.attachments .photo-thumb').scrollIntoViewIfNeeded();
    await tapTargets(page, 'the event with a photo on a task');
    await shot(page, 'task-photo-synced');
    await row.locator('.attachments .photo-thumb').click();
    const full = await loadedSize(page.locator('dialog.photo-viewer img'));
    assert(full.width === 1200 && full.height === 1600, `the full photo is ${full.width} x ${full.height}, not 1200 x 1600`);
    await shot(page, 'task-photo-full');
    await page.locator('dialog.photo-viewer').getByRole('button', { name: 'Close', exact: true }).click();
    await page.locator('dialog.photo-viewer').waitFor({ state: 'detached' });

    // The history line: who ticked it, with the note and the thumbnail.
    await page.locator('details.history > summary').click();
    const line = page.locator('.history li', { hasText: 'with a note and 1 photo' });
    await line.locator('.task-note', { hasText: note }).waitFor();
    const inHistory = await loadedSize(line.locator('.photo-thumb img'));
    assert(inHistory.width > 0, 'the thumbnail in the history does not load');
    await line.scrollIntoViewIfNeeded();
    await shot(page, 'history-photo');

    // Another org's admin: the event, and so its photos, are not there.
    for (const [method, path] of [
      ['GET', `/api/events/${eventId}`],
      ['POST', `${base}/photos`],
    ]) {
      const r = await fetch(`${API}${path}`, {
        method,
        headers: { Authorization: `Bearer ${adminCentaur}`, 'Content-Type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ content_type: 'image/jpeg', bytes: 100, thumb_bytes: 10 }) : undefined,
      });
      assert(r.status === 404, `${method} ${path} as another org's admin answered ${r.status}, not 404`);
    }
  });

  let exec = null;
  let execToken = '';
  let lastWeek = '';
  const title = `E2E charter ${Date.now().toString(36)}`;
  const admin = await phone('admin.jada');
  let newId = '';
  // The sunset sail the vessels step creates (Casey Captain its captain): its float plan is sent below.
  let sailId = '';
  let sail = '';
  await step('an admin creates an event with a crew member assigned', async () => {
    await signInWithCode(admin.page, 'admin.jada@example.com');
    await admin.page.getByRole('heading', { name: 'Events' }).waitFor();
    await admin.page.getByRole('link', { name: 'New event' }).click();
    await admin.page.getByRole('heading', { name: 'New event' }).waitFor();
    const f = admin.page;
    await f.getByLabel('Kind').selectOption('charter');
    await f.getByLabel('Title').fill(title);
    await chooseVessel(f, 'Jada');
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(tomorrow);
    await f.getByLabel('Departs').fill(`${day}T10:00`);
    await f.getByLabel('Returns').fill(`${day}T13:30`);
    await f.locator('#crew-sam-crew-example-com').selectOption('crew');
    await f.locator('#crew-captain-jada-example-com').selectOption('captain');
    await f.getByLabel('Notes').fill('Birthday party of 6. Cake in the galley.');
    await tapTargets(f, 'the event form');
    await shot(f, 'new-event-form', true);
    await f.getByRole('button', { name: 'Create event' }).click();
    await f.getByRole('heading', { name: title }).waitFor();
    await f.getByText('Sam Crew').waitFor();
    const shown = await f.locator('.times').innerText();
    assert(shown.includes('10:00 AM') && shown.includes('1:30 PM'), `times not in the org zone: ${shown}`);
    newId = f.url().split('/').pop();
    await shot(f, 'admin-event');
  });

  /** The date (YYYY-MM-DD) in Los Angeles, JADA's zone. */
  const laDay = (ms) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(ms);
  /** Events of the admin's org titled `title` between yesterday and the day after tomorrow. */
  const titled = async (title) => {
    const q = new URLSearchParams({ from: laDay(Date.now() - 86_400_000), to: laDay(Date.now() + 2 * 86_400_000), limit: '100' });
    return (await api(`/api/events?${q}`, { token: adminJada })).events.filter((e) => e.title === title);
  };

  await step('an admin creates a sail departing yesterday: warned under the departure, the server asks to confirm, a double tap of "Create anyway" creates nothing, the guarded confirm creates it once (issue 17, item 5)', async () => {
    const f = admin.page;
    const late = `E2E late sail ${Date.now().toString(36)}`;
    await f.goto(`${APP}/admin/events/new`);
    await f.getByRole('heading', { name: 'New event' }).waitFor();
    await f.getByLabel('Kind').selectOption('sunset_sail');
    await f.getByLabel('Title').fill(late);
    await chooseVessel(f, 'Jada');
    const yesterday = laDay(Date.now() - 86_400_000);
    await f.getByLabel('Departs').fill(`${yesterday}T17:00`);
    await f.getByLabel('Returns').fill(`${yesterday}T19:00`);
    await f.locator('#crew-captain-jada-example-com').selectOption('captain');
    await f.locator('#crew-sam-crew-example-com').selectOption('crew');
    // The form says it before the server does.
    const warn = f.locator('#ev-departs-warn');
    await warn.waitFor();
    assert(/already in the past/.test(await warn.innerText()), `the departure's warning reads: ${await warn.innerText()}`);
    assert((await f.locator('#ev-departs').getAttribute('aria-describedby'))?.includes('ev-departs-warn'), 'the warning is not tied to the departure field');
    await warn.scrollIntoViewIfNeeded();
    await shot(f, 'new-event-past-hint');
    await f.getByRole('button', { name: 'Create event' }).click();
    // The server's 409: its words under the field and above "Create anyway", where the finger is.
    const box = f.locator('.create-anyway');
    await box.waitFor();
    const said = await box.innerText();
    assert(/in the past/.test(said), `the server's warnings read: ${said}`);
    assert(!/departure_in_past|short_of_crew/.test(said), `a warning shows its code, not its message: ${said}`);
    assert(!/already in the past/.test(await warn.innerText()), "the form's own line stayed in place of the server's");
    assert((await titled(late)).length === 0, 'the event was created before it was confirmed');
    await tapTargets(f, 'the new-event warnings');
    await shot(f, 'new-event-past-warning');
    await shot(f, 'new-event-past-warning-full', true);
    // A double tap creates nothing: the first tap arms, the second lands on "Keep as is".
    const anyway = f.getByRole('button', { name: 'Create anyway' });
    await doubleClick(f, anyway);
    await f.waitForTimeout(300);
    assert((await titled(late)).length === 0, 'a double tap of "Create anyway" created the event');
    assert(/new$/.test(f.url()), `a double tap left the form: ${f.url()}`);
    await anyway.click();
    const yes = f.getByRole('button', { name: 'Yes, create it' });
    await yes.waitFor();
    await shot(f, 'new-event-create-anyway');
    await f.waitForTimeout(900);
    await yes.click();
    await f.getByRole('heading', { name: late }).waitFor();
    const made = await titled(late);
    assert(made.length === 1, `${made.length} events titled "${late}", not 1`);
    const ev = await api(`/api/events/${made[0].id}`, { token: adminJada });
    assert(ev.departs_at.local.startsWith(`${yesterday}T17:00`), `it departs at ${ev.departs_at.local}`);
  });

  await step('a charter without a captain: the form says to pick one, the server\'s "a charter needs a captain" shows at the crew, and nothing is created (issue 17, item 5)', async () => {
    const f = admin.page;
    const crewless = `E2E captainless ${Date.now().toString(36)}`;
    await f.goto(`${APP}/admin/events/new`);
    await f.getByRole('heading', { name: 'New event' }).waitFor();
    await f.getByLabel('Kind').selectOption('charter');
    await f.getByLabel('Title').fill(crewless);
    await chooseVessel(f, 'Jada');
    const tomorrow = laDay(Date.now() + 86_400_000);
    await f.getByLabel('Departs').fill(`${tomorrow}T11:00`);
    await f.getByLabel('Returns').fill(`${tomorrow}T14:00`);
    // Two aboard, the captain among them as crew: enough hands, no one in command.
    await f.locator('#crew-captain-jada-example-com').selectOption('crew');
    await f.locator('#crew-sam-crew-example-com').selectOption('crew');
    const crewField = f.locator('fieldset.crew-picker');
    await crewField.getByText('Pick a captain: a charter sails with one.').waitFor();
    await f.getByRole('button', { name: 'Create event' }).click();
    const error = crewField.locator('.error-text');
    await error.waitFor();
    assert(/a charter needs a captain/i.test(await error.innerText()), `the crew field's error reads: ${await error.innerText()}`);
    assert((await crewField.getByText('Pick a captain').count()) === 0, "the form's own line shows beside the server's");
    assert((await f.locator('.create-anyway').count()) === 0, 'a missing captain was offered "Create anyway"');
    await crewField.scrollIntoViewIfNeeded();
    await shot(f, 'new-event-captain-required');
    await f.waitForTimeout(300);
    assert((await titled(crewless)).length === 0, 'a charter without a captain was created');
    assert(/new$/.test(f.url()), `the form was left: ${f.url()}`);
  });

  await step('the admin adds a boat on Vessels, sails it over its COI limit (field error), then at the limit', async () => {
    const f = admin.page;
    const boat = 'Test Boat';
    await f.getByRole('link', { name: 'Members' }).click();
    await f.getByRole('heading', { name: 'Members' }).waitFor();
    await f.getByRole('link', { name: 'Vessels', exact: true }).click();
    await f.getByRole('heading', { name: 'Vessels', exact: true }).waitFor();
    await f.getByRole('heading', { name: 'Boats and trucks' }).waitFor();

    await f.getByRole('button', { name: 'Add a vessel or truck' }).click();
    await f.getByLabel('Name', { exact: true }).fill(boat);
    await f.getByLabel('Registration or documentation number').fill('CF 4242 TB');
    await f.getByLabel('Hull colour and description').fill('White hull, blue stripe, tan bimini');
    await f.getByLabel('Length (feet)').fill('32');
    await f.getByLabel('Minimum crew').fill('2');
    await f.getByLabel('COI max passengers').fill('6');
    await f.getByLabel('Call sign').fill('wtb4242');
    await tapTargets(f, 'the vessel form');
    await shot(f, 'vessel-form', true);
    await f.getByRole('button', { name: 'Add vessel' }).click();
    await f.getByText(`Added ${boat}.`).waitFor();
    const card = f.locator('.vessel', { hasText: boat });
    await card.getByText('6 passengers').waitFor();
    await card.getByText('WTB4242').waitFor();

    // The same name again (another case): the server's field error shows next to the name.
    await f.getByRole('button', { name: 'Add a vessel or truck' }).click();
    await f.getByLabel('Kind').selectOption('truck');
    assert(!(await f.getByLabel('COI max passengers').count()), 'a truck is asked for a COI limit');
    await f.getByLabel('Name', { exact: true }).fill('test boat');
    await f.getByRole('button', { name: 'Add vessel' }).click();
    const nameError = f.locator('#vessel-new-name-error');
    await nameError.waitFor();
    assert((await f.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')) === 'true', 'the name is not marked invalid');
    assert(
      (await f.getByLabel('Name', { exact: true }).getAttribute('aria-describedby')) === 'vessel-new-name-error',
      'the name field is not described by its error',
    );
    await shot(f, 'vessel-form-field-error');
    await f.getByLabel('Name', { exact: true }).fill('Test Truck');
    await f.getByRole('button', { name: 'Add vessel' }).click();
    await f.getByText('Added Test Truck.').waitFor();
    // Editing replaces the record (PUT): the form opens in the card's place.
    await card.getByRole('button', { name: `Edit ${boat}` }).click();
    await f.getByRole('heading', { name: `Edit ${boat}` }).waitFor();
    assert((await f.getByLabel('COI max passengers').inputValue()) === '6', 'the edit form lost the COI limit');
    await f.getByLabel('Safety gear').fill('8 adult PFDs, throwable cushion, VHF');
    await f.getByRole('button', { name: 'Save vessel' }).click();
    await f.getByText(`Saved ${boat}.`).waitFor();
    await card.getByText('8 adult PFDs, throwable cushion, VHF').waitFor();
    const vessels = await api('/api/vessels', { token: adminJada });
    const saved = vessels.find((v) => v.name === boat);
    assert(saved && saved.kind === 'boat' && saved.coi_max_passengers === 6 && saved.min_crew === 2, `saved as ${JSON.stringify(saved)}`);
    assert(vessels.some((v) => v.name === 'Test Truck' && v.kind === 'truck'), 'the truck was not saved');
    await tapTargets(f, 'Vessels');
    await shot(f, 'vessels', true);

    // A sunset sail picks from the boats (not the trucks), 7 aboard: over the COI.
    await f.getByRole('link', { name: 'Events', exact: true }).click();
    await f.getByRole('link', { name: 'New event' }).click();
    await f.getByRole('heading', { name: 'New event' }).waitFor();
    await f.getByLabel('Kind').selectOption('sunset_sail');
    const picker = f.locator('select#ev-vessel');
    const options = await picker.locator('option').allTextContents();
    assert(options.includes(`${boat} · COI 6`), `the picker lacks ${boat}: ${options.join(', ')}`);
    assert(!options.some((o) => o.startsWith('Test Truck')), 'a sail lists trucks');
    await picker.selectOption({ label: `${boat} · COI 6` });
    await f.getByText('Certificate of Inspection: at most 6 passengers').waitFor();
    sail = `E2E sail ${Date.now().toString(36)}`;
    await f.getByLabel('Title').fill(sail);
    const later = new Date(Date.now() + 2 * 86_400_000);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(later);
    await f.getByLabel('Departs').fill(`${day}T16:00`);
    await f.getByLabel('Returns').fill(`${day}T18:30`);
    await f.locator('#crew-captain-jada-example-com').selectOption('captain');
    const count = f.getByLabel('Passengers', { exact: true });
    await count.fill('7');
    await f.getByLabel('Passenger names (optional)').fill('Ana Ruiz\n\n  Bo Chen \n');
    await f.getByLabel('Emergency contact ashore (optional)').fill('Mo Ruiz, 619-555-0100');
    await f.getByRole('button', { name: 'Create event' }).click();
    const countError = f.locator('#ev-passengers-error');
    await countError.waitFor();
    const said = await countError.innerText();
    assert(/\b6\b/.test(said), `the passenger error does not name the limit 6: ${said}`);
    assert((await count.getAttribute('aria-invalid')) === 'true', 'the passenger count is not marked invalid');
    assert((await count.getAttribute('aria-describedby')).includes('ev-passengers-error'), 'the count is not described by its error');
    await tapTargets(f, 'the event form with passengers');
    await countError.scrollIntoViewIfNeeded();
    await shot(f, 'new-sail-over-coi');
    await count.fill('6');
    await f.getByRole('button', { name: 'Create event' }).click();
    // One crew on a sail that sails with two: the server asks to confirm it (issue 17, item 5).
    await f.locator('.create-anyway').getByText(/at least 2 crew/).waitFor();
    await f.getByRole('button', { name: 'Create anyway' }).click();
    await f.waitForTimeout(900);
    await f.getByRole('button', { name: 'Yes, create it' }).click();
    await f.getByRole('heading', { name: sail }).waitFor();
    await f.locator('.passenger-count', { hasText: '6 passengers' }).waitFor();
    await f.getByText('crew 1 of 2 required').waitFor();
    sailId = f.url().split('/').pop();
    const ev = await api(`/api/events/${sailId}`, { token: adminJada });
    assert(ev.vessel === boat && ev.vessel_id === saved.id, `the sail is on ${ev.vessel} (${ev.vessel_id})`);
    assert(ev.passengers.count === 6, `passengers ${JSON.stringify(ev.passengers)}`);
    assert(JSON.stringify(ev.passengers.manifest) === '["Ana Ruiz","Bo Chen"]', `manifest ${JSON.stringify(ev.passengers.manifest)}`);
    assert(ev.crew_required === 2, `crew_required ${ev.crew_required}`);
    const headcount = ev.checklist.phases.flatMap((p) => p.tasks).find((t) => t.headcount);
    assert(headcount, 'no headcount task on the sail');
    const h = headcount.headcount;
    assert(h.passengers === 6 && h.crew === ev.crew.length && h.total === h.passengers + h.crew, `headcount ${JSON.stringify(h)}`);
    await f
      .locator(`#task-${headcount.id} ~ label`, { hasText: `Expected aboard: ${h.total} (6 passengers + ${h.crew} crew)` })
      .waitFor();
    await f.locator('summary', { hasText: 'Manifest' }).click();
    await f.locator('.manifest li', { hasText: 'Bo Chen' }).waitFor();
    await f.locator('.manifest', { hasText: 'Mo Ruiz, 619-555-0100' }).waitFor();
    await tapTargets(f, 'the sail with passengers');
    await shot(f, 'sail-with-passengers', true);

    // Removing: a double tap on Remove does nothing; Remove, then the confirm, does.
    await f.getByRole('link', { name: 'Account' }).click();
    await f.getByRole('link', { name: 'Vessels', exact: true }).click();
    const truck = f.locator('.vessel', { hasText: 'Test Truck' });
    const remove = truck.getByRole('button', { name: 'Remove', exact: true });
    const at = await centreInView(f, remove);
    await f.touchscreen.tap(at.x, at.y);
    await f.touchscreen.tap(at.x, at.y);
    await f.waitForTimeout(1200);
    assert((await api('/api/vessels', { token: adminJada })).some((v) => v.name === 'Test Truck'), 'a double tap removed the truck');
    await f.reload();
    await remove.click();
    await truck.getByRole('button', { name: 'Remove Test Truck' }).click();
    await f.getByText('Test Truck was removed').waitFor();
    assert(!(await f.locator('.vessel', { hasText: 'Test Truck' }).count()), 'the removed truck is still listed');
    assert(!(await api('/api/vessels', { token: adminJada })).some((v) => v.name === 'Test Truck'), 'the truck is still on the server');
    await f.goto(`${APP}/events/${newId}`);
    await f.getByRole('heading', { name: title }).waitFor();
  });

  await step('the admin edits the event (If-Match) and manages members', async () => {
    const f = admin.page;
    await f.getByRole('link', { name: 'Edit event' }).click();
    await f.getByRole('heading', { name: 'Edit event' }).waitFor();
    assert((await f.getByLabel('Departs').inputValue()).endsWith('T10:00'), 'the edit form lost the local departure time');
    await f.getByLabel('Notes').fill('Birthday party of 8. Cake in the galley.');
    await f.getByRole('button', { name: 'Save changes' }).click();
    await f.getByRole('heading', { name: title }).waitFor();
    await f.getByText('Birthday party of 8.').waitFor();
    await f.getByRole('link', { name: 'Members' }).click();
    await f.getByRole('heading', { name: 'Members' }).waitFor();
    await f.getByText('Dana Deck', { exact: true }).waitFor();
    const before = await seenIds();
    await f.getByLabel('Email address').fill('new.deck@example.com');
    await f.getByLabel('Name').fill('Noa Newdeck');
    await f.getByRole('button', { name: 'Send invitation' }).click();
    await f.getByText('Invited Noa Newdeck as crew').waitFor();
    await signinMail('new.deck@example.com', before);
    await f.getByLabel('Role of Noa Newdeck').selectOption('captain');
    await f.getByRole('button', { name: 'Save role' }).click();
    await f.getByText('Noa Newdeck is now captain').waitFor();
    await tapTargets(f, 'Members');
    await shot(f, 'members', true);
    await f.locator('.member', { hasText: 'new.deck@example.com' }).getByRole('button', { name: 'Remove' }).click();
    await f.getByRole('button', { name: 'Remove Noa Newdeck' }).click();
    await f.getByText('Noa Newdeck was removed').waitFor();
    const members = await api('/api/members', { token: adminJada });
    assert(!members.some((m) => m.email === 'new.deck@example.com'), 'the removed member is still listed');
  });

  let sam = null;
  await step('that crew member, signed in separately, sees it in My events', async () => {
    sam = await phone('sam.crew');
    await signInWithLink(sam.page, 'sam.crew@example.com');
    // Sam is in two orgs: the app asks which.
    await sam.page.getByRole('heading', { name: 'Which org?' }).waitFor();
    await shot(sam.page, 'choose-org');
    await sam.page.getByRole('button', { name: /^Queen of San Diego/ }).click();
    await sam.page.getByRole('heading', { name: 'My events' }).waitFor();
    await sam.page.locator('.org-name', { hasText: 'Queen of San Diego' }).waitFor();
    await sam.page.locator('.event-card').first().waitFor();
    assert(!(await sam.page.getByText(title).count()), "JADA's event shows in Queen of San Diego");
    await sam.page.getByRole('link', { name: 'Account' }).click();
    await sam.page.getByRole('button', { name: /Switch to JADA/ }).waitFor();
    await tapTargets(sam.page, 'Account');
    await shot(sam.page, 'account');
    await sam.page.getByRole('button', { name: /Switch to JADA/ }).click();
    await sam.page.getByRole('heading', { name: 'My events' }).waitFor();
    await sam.page.locator('.org-name', { hasText: 'JADA' }).waitFor();
    await sam.page.getByText(title).waitFor();
    await shot(sam.page, 'sam-my-events');
  });

  await step('that crew member subscribes their calendar from Account; stopping it kills the link', async () => {
    await sam.page.getByRole('link', { name: 'Account' }).click();
    await sam.page.getByRole('button', { name: 'Subscribe in my calendar' }).click();
    const input = sam.page.locator('#cal-url');
    await input.waitFor();
    const url = await input.inputValue();
    assert(/\/cal\/[A-Za-z0-9_-]{43}\.ics$/.test(url), `not a feed URL: ${url}`);
    const webcal = await sam.page.getByRole('link', { name: 'Add to my calendar' }).getAttribute('href');
    assert(webcal === url.replace(/^https?:/, 'webcal:'), `webcal link ${webcal} for ${url}`);
    await shot(sam.page, 'account-calendar');
    const feed = await fetch(url);
    const text = await feed.text();
    assert(feed.status === 200 && text.startsWith('BEGIN:VCALENDAR'), `feed answered ${feed.status}: ${text.slice(0, 200)}`);
    assert(text.includes(`UID:${newId}.jada@`), 'the event Sam is on is not in the feed');
    await sam.page.reload();
    await sam.page.getByText('You have a calendar link').waitFor();
    assert(!(await sam.page.locator('#cal-url').count()), 'the link is shown again after a reload');
    await sam.page.getByRole('button', { name: 'Stop my calendar link' }).click();
    await sam.page.getByRole('button', { name: 'Yes, stop it' }).click();
    await sam.page.getByRole('button', { name: 'Subscribe in my calendar' }).waitFor();
    assert((await fetch(url)).status === 404, 'a stopped link still answers');
  });

  await step('that crew member turns on notifications on the phone: permission asked only on the tap', async () => {
    await sam.context.grantPermissions(['notifications'], { origin: APP });
    // Headless Chromium has no push service to reach: the browser's subscribe() answers with a
    // subscription as a push service would (a real P-256 key), and we count permission prompts.
    await sam.context.addInitScript(() => {
      window.__permissionAsks = 0;
      const ask = Notification.requestPermission.bind(Notification);
      Notification.requestPermission = (...args) => {
        window.__permissionAsks += 1;
        return ask(...args);
      };
      const json = {
        endpoint: 'https://push.example.net/e2e-sam-phone',
        expirationTime: null,
        keys: {
          p256dh: 'BGsX0fLhLEJH-Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU',
          auth: 'AAECAwQFBgcICQoLDA0ODw',
        },
      };
      PushManager.prototype.getSubscription = async () => null;
      PushManager.prototype.subscribe = async () => ({ endpoint: json.endpoint, toJSON: () => json });
    });
    await sam.page.goto(`${APP}/account`);
    const button = sam.page.getByRole('button', { name: 'Notify me on this phone' });
    await button.waitFor();
    assert((await sam.page.evaluate(() => window.__permissionAsks)) === 0, 'permission was asked on load');
    await button.click();
    await sam.page.getByText('This phone will get your nudges.').waitFor();
    assert((await sam.page.evaluate(() => window.__permissionAsks)) === 1, 'permission was not asked on the tap');
    const phones = sam.page.getByRole('list', { name: 'Phones that get nudges' }).locator('li');
    assert((await phones.count()) === 1, 'the phone is not listed');
    await shot(sam.page, 'account-notifications');

    // The service worker's side: Chromium delivers a push (as its push service would, after
    // decrypting) and the worker shows it as a notification that names the event's link.
    const cdp = await sam.context.newCDPSession(sam.page);
    const registration = new Promise((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL.startsWith(APP) && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const note = { title: 'E2E sail departs in 30 min', body: 'Jada · open the checklist', url: `${APP}/events/${newId}?org=jada`, tag: 'e2e' };
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: new URL(APP).origin,
      registrationId: await registration,
      data: JSON.stringify(note),
    });
    await until(async () => {
      const shown = await sam.page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, url: n.data?.url })),
      );
      return shown.some((n) => n.title === note.title && n.body === note.body && n.url === note.url);
    }, 'the pushed note shown as a notification by the service worker');
  });

  await step('a captain edits the crew of their event, picking from the members', async () => {
    const cap = await phone('captain.jada');
    await signInWithCode(cap.page, 'captain.jada@example.com');
    await cap.page.getByRole('heading', { name: 'My events' }).waitFor();
    await cap.page.goto(`${APP}/events/${newId}`);
    // A charter: the captain answers for who is aboard, passengers too.
    await cap.page.getByRole('link', { name: 'Edit crew, passengers and notes' }).click();
    await cap.page.getByRole('heading', { name: 'Edit crew, passengers and notes' }).waitFor();
    // The captain picks from the org's members (GET /api/members), not by typing addresses.
    assert((await cap.page.locator('#crew-sam-crew-example-com').inputValue()) === 'crew', 'Sam is not shown on the crew');
    await cap.page.locator('#crew-deck-jada-example-com').selectOption('crew');
    assert(!(await cap.page.getByLabel('Title').count()), 'a captain sees the admin-only fields');
    // The seeded Jada's Certificate of Inspection shows as the limit of the count.
    await cap.page.getByText(/Certificate of Inspection: at most \d+ passengers/).waitFor();
    await cap.page.getByLabel('Passengers', { exact: true }).fill('6');
    await tapTargets(cap.page, 'the captain\'s edit form');
    await shot(cap.page, 'captain-edit-crew', true);
    await cap.page.getByRole('button', { name: 'Save changes' }).click();
    await cap.page.getByRole('heading', { name: title }).waitFor();
    await cap.page.locator('.crew', { hasText: 'Dana Deck' }).waitFor();
    const ev = await api(`/api/events/${newId}`, { token: adminJada });
    assert(ev.crew.some((c) => c.email === 'deck.jada@example.com' && c.role === 'crew'), 'Dana is not on the crew');
    assert(ev.passengers.count === 6, `the captain's passenger count was not saved: ${JSON.stringify(ev.passengers)}`);
    assert(ev.audit.some((a) => a.action === 'edited' && a.by === 'captain.jada@example.com'), 'the edit is not in the audit');
    await cap.page.locator('.passenger-count', { hasText: '6 passengers' }).waitFor();
    // The history names who did what.
    await cap.page.locator('summary', { hasText: 'History' }).click();
    await cap.page.locator('.history li', { hasText: /Casey Captain changed the (crew, passengers|passengers, crew)$/ }).waitFor();
    await cap.context.close();
  });

  await step('an emailed nudge link for another of Sam\'s orgs switches org and opens the event', async () => {
    const adminQueen = await apiToken('admin.queen@example.com');
    const pending = (await (await fetch(`${API}/dev/schedules`)).json()).filter(
      // E2E_NUDGE_NEW_EVENT=1 skips the seeded schedules, to exercise the path that creates an event.
      (p) => p.org_id === 'queenofsandiego' && p.kind === 'departure' && process.env.E2E_NUDGE_NEW_EVENT !== '1',
    );
    /** Fires the event's departure nudge and returns the link in Sam's email (null if none came). */
    const nudgeLink = async (eventId) => {
      const before = await seenIds();
      const fired = await fetch(`${API}/dev/nudges/${eventId}/departure`, { method: 'POST' });
      // A 404 here may mean the in-process scheduler fired it a moment ago: look for the email anyway.
      if (!fired.ok && fired.status !== 404) throw new Error(`firing the nudge: HTTP ${fired.status} ${await fired.text()}`);
      const deadline = Date.now() + (fired.ok ? STEP_TIMEOUT : 2000);
      while (Date.now() < deadline) {
        const mail = (await outbox()).find(
          (m) => m.to === 'sam.crew@example.com' && !before.has(m.id) && m.text.includes(`/events/${eventId}?`),
        );
        const found = mail && /(http:\/\/localhost:\d+\/events\/[0-9A-Z]+\?org=[a-z0-9-]+)/.exec(mail.text)?.[1];
        if (found) return found;
        await new Promise((r) => setTimeout(r, 200));
      }
      return null;
    };
    let target = null;
    let link = null;
    for (const p of pending) {
      const ev = await api(`/api/events/${p.event_id}`, { token: adminQueen });
      if (ev.status === 'scheduled' && ev.crew.some((c) => c.email === 'sam.crew@example.com')) {
        link = await nudgeLink(ev.id);
        if (link) {
          target = ev;
          log(`nudged through the pending schedule of seeded event ${ev.id} (${ev.title})`);
          break;
        }
      }
    }
    if (!target) {
      // None pending: create one departing in 2 hours with Sam on the crew (that schedules a nudge).
      target = await api('/api/events', {
        token: adminQueen,
        method: 'POST',
        body: {
          kind: 'charter',
          title: 'E2E nudge charter',
          vessel: 'Queen of San Diego',
          departs_at: laWall(Date.now() + 2 * 3_600_000),
          returns_at: laWall(Date.now() + 5 * 3_600_000),
          crew: [
            { email: 'captain.queen@example.com', role: 'captain' },
            { email: 'sam.crew@example.com', role: 'crew' },
          ],
        },
      });
      const scheduled = (await (await fetch(`${API}/dev/schedules`)).json()).some((p) => p.event_id === target.id);
      assert(scheduled, 'creating an event scheduled no nudge');
      link = await nudgeLink(target.id);
      log(`nudged through a new event ${target.id}`);
    }
    assert(link, 'no nudge email to Sam');
    assert(link.endsWith(`/events/${target.id}?org=queenofsandiego`), `unexpected link ${link}`);
    // Sam is signed in to JADA (the last step switched there): the link must switch to Queen.
    await sam.page.locator('.org-name', { hasText: 'JADA' }).waitFor();
    await sam.page.goto(link);
    await sam.page.getByRole('heading', { name: target.title }).waitFor();
    await sam.page.locator('.org-name', { hasText: 'Queen of San Diego' }).waitFor();
    await sam.page.waitForURL(new RegExp(`/events/${target.id}$`));
    await sam.page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    // The nudge is in the event's history.
    await sam.page.locator('summary', { hasText: 'History' }).click();
    await sam.page.locator('.history li', { hasText: 'Sam Crew: departure reminder sent by email' }).waitFor();
    // Sam turned on notifications on this phone (step above): the nudge went there too, once.
    await sam.page.locator('.history li', { hasText: 'Sam Crew: departure reminder sent to their phone' }).waitFor();
    const pushed = (await (await fetch(`${API}/dev/push.json`)).json()).filter((p) => p.url.includes(`/events/${target.id}?org=queenofsandiego`));
    assert(pushed.length === 1, `pushes of that nudge to Sam's phone: ${JSON.stringify(pushed)}`);
    await tapTargets(sam.page, 'the event opened from a nudge');
    await sam.page.locator('.history').scrollIntoViewIfNeeded();
    await shot(sam.page, 'event-history');
    await sam.context.close();
  });

  await step('the crew screen refreshes without reload when the admin marks it departed', async () => {
    await page.goto(`${APP}/events/${eventId}`);
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const f = admin.page;
    await f.goto(`${APP}/events/${eventId}`);
    // A double tap on Mark departed marks nothing (issue 17, item 1): "Keep as is" takes the
    // button's place and the confirm beside it ignores presses for 0.8 s.
    const depart = f.getByRole('button', { name: 'Mark departed' });
    await doubleClick(f, depart);
    await f.waitForTimeout(1200);
    let ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(ev.status === 'scheduled', `a double tap on Mark departed made it ${ev.status}`);
    const keepDep = f.getByRole('button', { name: 'Keep as is' });
    if (await keepDep.count()) await keepDep.click();
    await depart.click();
    await f.getByRole('button', { name: "Yes, we've departed" }).click();
    await f.locator('.badge', { hasText: 'Underway' }).waitFor();
    ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(ev.status === 'underway', `status is ${ev.status} after the confirm`);
    // The crew's page polls (ETag) every 15 s while visible.
    await page.locator('.badge', { hasText: 'Underway' }).waitFor({ timeout: 25_000 });
    await shot(page, 'underway');
  });

  await step('a double tap on Mark returned returns nothing; the guarded confirm completes it (issue 17, item 1)', async () => {
    const f = admin.page;
    await f.goto(`${APP}/events/${eventId}`);
    await f.locator('.badge', { hasText: 'Underway' }).waitFor();
    // "Keep as is" takes the button's place and the confirm beside it ignores presses for 0.8 s.
    const back = f.getByRole('button', { name: 'Mark returned' });
    await doubleClick(f, back);
    await f.waitForTimeout(1200);
    let ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(ev.status === 'underway', `a double tap on Mark returned made it ${ev.status}`);
    const keep = f.getByRole('button', { name: 'Keep as is' });
    if (await keep.count()) await keep.click();
    await back.click();
    await f.getByRole('button', { name: "Yes, we're back" }).click();
    await f.locator('.badge', { hasText: 'Completed' }).waitFor();
    ev = await api(`/api/events/${eventId}`, { token: adminJada });
    assert(ev.status === 'completed', `status is ${ev.status} after the confirm`);
  });

  await step('the admin cancels an event', async () => {
    const f = admin.page;
    await f.goto(`${APP}/events/${newId}`);
    // A double tap on Cancel event cancels nothing (issue 17, item 1).
    const cancel = f.getByRole('button', { name: 'Cancel event' });
    await doubleClick(f, cancel);
    await f.waitForTimeout(1200);
    const before = await api(`/api/events/${newId}`, { token: adminJada });
    assert(before.status === 'scheduled', `a double tap on Cancel event made it ${before.status}`);
    const keep = f.getByRole('button', { name: 'Keep as is' });
    if (await keep.count()) await keep.click();
    await cancel.click();
    await f.getByRole('button', { name: 'Yes, cancel it' }).click();
    await f.locator('.badge', { hasText: 'Cancelled' }).waitFor();
    const ev = await api(`/api/events/${newId}`, { token: adminJada });
    assert(ev.status === 'cancelled', `status is ${ev.status}`);
  });

  await step('the admin adds a report recipient in org settings; a bad address gets a field error', async () => {
    const f = admin.page;
    await f.getByRole('link', { name: 'Account' }).click();
    await f.getByRole('link', { name: 'Org settings' }).click();
    await f.getByRole('heading', { name: 'Org settings' }).waitFor();
    assert((await f.getByLabel('Time zone').inputValue()) === 'America/Los_Angeles', 'the zone is not shown');
    assert((await f.getByLabel('Latitude').inputValue()) === '32.7157', 'the home port is not shown');
    assert(await f.getByLabel('Sunset sail').isChecked(), 'enabled kinds are not shown');
    await tapTargets(f, 'Org settings');
    await shot(f, 'org-settings');
    const safety = f.locator('fieldset', { hasText: 'Safety report' });
    await f.getByLabel('Add to the safety report').fill('safety.officer@example.com');
    await safety.getByRole('button', { name: 'Add', exact: true }).click();
    await safety.getByText('safety.officer@example.com').waitFor();
    await f.getByRole('button', { name: 'Save settings' }).click();
    await f.getByText('Saved.').waitFor();
    await f.reload();
    await f.getByRole('heading', { name: 'Org settings' }).waitFor();
    await f.locator('fieldset', { hasText: 'Safety report' }).getByText('safety.officer@example.com').waitFor();
    let org = await api('/api/org', { token: adminJada });
    assert(org.report_recipients.safety.includes('safety.officer@example.com'), 'the recipient was not saved');
    assert(org.report_recipients.finance.includes('owner@example.com'), 'other perspectives lost their recipients');
    // A bad address: the server's field error shows next to it, and nothing is saved.
    const finance = f.locator('fieldset', { hasText: 'Finance report' });
    await f.getByLabel('Add to the finance report').fill('not-an-email');
    await finance.getByRole('button', { name: 'Add', exact: true }).click();
    await f.getByRole('button', { name: 'Save settings' }).click();
    await finance.locator('.recipient.field-error', { hasText: 'not-an-email' }).locator('.error-text').waitFor();
    await f.getByText('The server did not accept some fields').waitFor();
    org = await api('/api/org', { token: adminJada });
    assert(!org.report_recipients.finance.includes('not-an-email'), 'the bad address was saved');
    await finance.locator('.recipient.field-error').scrollIntoViewIfNeeded();
    await shot(f, 'org-settings-field-error');
    await shot(f, 'org-settings-full', true);
  });

  const HARBOR = 'harbor.watch@example.com';
  await step('the admin adds a shore contact in org settings; a bad phone gets its field error under it', async () => {
    const f = admin.page;
    // The bad address of the step before goes: the form is as saved again.
    await f.getByRole('button', { name: 'Remove not-an-email from the finance report' }).click();
    const contacts = f.locator('fieldset.contacts');
    await contacts.getByText('They receive float plans and overdue alerts').waitFor();
    await f.getByText('Whom a shore contact calls if a boat is overdue').waitFor();
    const seeded = (await api('/api/org', { token: adminJada })).safety.shore_contacts;
    assert((await contacts.locator('.contact').count()) === seeded.length, `${seeded.length} contacts saved, others shown`);
    await f.getByRole('button', { name: 'Add a shore contact' }).click();
    const row = contacts.locator('.contact').nth(seeded.length);
    const phone = row.getByLabel('Phone', { exact: true });
    await row.getByLabel('Name', { exact: true }).fill('Harbor Watch');
    await row.getByLabel('Email', { exact: true }).fill(HARBOR);
    await phone.fill('call the harbor');
    await f.getByRole('button', { name: 'Save settings' }).click();
    const phoneError = f.locator(`#contact-${seeded.length}-phone-error`);
    await phoneError.waitFor();
    assert(/phone/i.test(await phoneError.innerText()), `the phone error says ${await phoneError.innerText()}`);
    assert((await phone.getAttribute('aria-invalid')) === 'true', 'the phone is not marked invalid');
    assert((await phone.getAttribute('aria-describedby')) === `contact-${seeded.length}-phone-error`, 'the phone is not described by its error');
    // Only the phone is in error: not its row's other fields, nor the list.
    assert((await contacts.locator('.error-text').count()) === 1, 'more than the phone error shown among the shore contacts');
    assert((await contacts.locator('.field-error').count()) === 1, 'fields other than the phone are marked in error');
    let org = await api('/api/org', { token: adminJada });
    assert(!org.safety.shore_contacts.some((c) => c.email === HARBOR), 'the contact with a bad phone was saved');
    await phoneError.scrollIntoViewIfNeeded();
    await shot(f, 'org-settings-contact-error');
    await phone.fill('+1 619 555 0199');
    await f.getByRole('button', { name: 'Save settings' }).click();
    await f.getByText('Saved.').waitFor();
    org = await api('/api/org', { token: adminJada });
    const saved = org.safety.shore_contacts.find((c) => c.email === HARBOR);
    assert(saved && saved.name === 'Harbor Watch' && saved.phone === '+1 619 555 0199', `saved as ${JSON.stringify(saved)}`);
    assert(org.safety.shore_contacts.length === seeded.length + 1, 'a seeded shore contact was lost');
    assert(!org.report_recipients.finance.includes('not-an-email'), 'the bad address was saved');
    await tapTargets(f, 'Org settings with shore contacts');
    await shot(f, 'org-settings-safety', true);
  });

  let overdueId = '';
  await step('an underway sail past its return shows Overdue in the list and a red banner; the admin acknowledges it', async () => {
    const f = admin.page;
    // Out since three hours ago, due back two hours ago: past its return plus the grace (30 min).
    const jada = (await api('/api/vessels', { token: adminJada })).find((v) => v.name === 'Jada');
    const late = await api('/api/events', {
      token: adminJada,
      method: 'POST',
      body: {
        kind: 'sunset_sail',
        title: `E2E overdue ${Date.now().toString(36)}`,
        vessel_id: jada.id,
        departs_at: laWall(Date.now() - 3 * 3_600_000),
        returns_at: laWall(Date.now() - 2 * 3_600_000),
        passenger_count: 2,
        crew: [{ email: 'captain.jada@example.com', role: 'captain' }],
        // Both on purpose: the server creates it once they are confirmed (issue 17, item 5).
        confirm: ['departure_in_past', 'short_of_crew'],
      },
    });
    overdueId = late.id;
    // Departing with its safety tasks open means naming them (issue 17, item 2).
    const out = await api(`/api/events/${late.id}/departed`, {
      token: adminJada,
      method: 'POST',
      body: { confirm_open_safety_tasks: (late.departure_check?.open_safety_tasks ?? []).map((t) => t.id) },
    });
    assert(out.overdue && out.overdue.acknowledged_at == null, `the server does not call it overdue: ${JSON.stringify(out.overdue)}`);
    const grace = (await api('/api/org', { token: adminJada })).safety.overdue_grace_minutes;
    assert(Date.parse(out.overdue.since) === Date.parse(out.returns_at.at) + grace * 60_000, `overdue since ${out.overdue.since}`);
    const since = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: 'numeric', minute: '2-digit' }).format(
      Date.parse(out.overdue.since),
    );

    await f.getByRole('link', { name: 'Events', exact: true }).click();
    const card = f.locator('.event-card', { hasText: late.title });
    await card.locator('.badge-overdue', { hasText: 'Overdue' }).waitFor();
    await card.click();
    await f.getByRole('heading', { name: late.title }).waitFor();
    const banner = f.locator('.overdue-banner');
    const headline = banner.getByRole('heading', { level: 2 });
    await headline.waitFor();
    const said = await headline.innerText();
    assert(said.startsWith('Overdue since ') && said.includes(since) && said.endsWith('— not marked returned'), `the banner says ${said}`);
    await banner.getByText('Shore contacts and admins are alerted every 30 minutes').waitFor();
    await tapTargets(f, 'the overdue event');
    await shot(f, 'overdue-banner');

    // A double tap on Acknowledge acknowledges nothing: the confirm is inert for 0.8 s.
    const ack = banner.getByRole('button', { name: 'Acknowledge', exact: true });
    const at = await centreInView(f, ack);
    await f.touchscreen.tap(at.x, at.y);
    await f.touchscreen.tap(at.x, at.y);
    await f.waitForTimeout(1200);
    let ev = await api(`/api/events/${late.id}`, { token: adminJada });
    assert(ev.overdue && ev.overdue.acknowledged_at == null, 'a double tap acknowledged the alert');
    // The second tap landed on "Keep as is" (under the finger) or left the confirm armed: start over.
    const keep = banner.getByRole('button', { name: 'Keep as is' });
    if (await keep.count()) await keep.click();
    await ack.click();
    await banner.getByRole('button', { name: 'Yes, the office has it' }).click();
    await headline.filter({ hasText: 'acknowledged by the office at' }).waitFor();
    assert(!(await banner.getByRole('button', { name: 'Acknowledge', exact: true }).count()), 'Acknowledge is still offered');
    ev = await api(`/api/events/${late.id}`, { token: adminJada });
    assert(ev.overdue && ev.overdue.acknowledged_at, `not acknowledged on the server: ${JSON.stringify(ev.overdue)}`);
    assert(ev.audit.filter((a) => a.action === 'overdue_acknowledged').length === 1, 'the acknowledgement is not in the audit once');
    await f.locator('summary', { hasText: 'History' }).click();
    await f.locator('.history li', { hasText: 'acknowledged the overdue alert' }).waitFor();
    await shot(f, 'overdue-acknowledged');
    await admin.context.close();
  });

  await step('the captain sends their sail\'s float plan: once to each shore contact; again, nothing mailed twice', async () => {
    const cap = await phone('captain.jada.plan');
    const c = cap.page;
    await signInWithCode(c, 'captain.jada@example.com');
    await c.getByRole('heading', { name: 'My events' }).waitFor();
    // The overdue sail the office acknowledged: the captain sees the banner, not the button.
    await c.goto(`${APP}/events/${overdueId}`);
    await c.locator('.overdue-banner h2', { hasText: 'acknowledged by the office at' }).waitFor();
    assert(!(await c.getByRole('button', { name: 'Acknowledge', exact: true }).count()), 'a captain is offered Acknowledge');
    await c.goto(`${APP}/events/${sailId}`);
    await c.getByRole('heading', { name: sail }).waitFor();
    await c.getByRole('link', { name: 'Float plan', exact: true }).click();
    await c.waitForURL(new RegExp(`/events/${sailId}/float-plan$`));
    await c.getByRole('heading', { level: 1, name: /Float plan/ }).waitFor();
    const n = (await api('/api/org', { token: adminJada })).safety.shore_contacts.length;
    const harbor = c.locator('.recipient-list li', { hasText: HARBOR });
    await harbor.getByText('not yet', { exact: true }).waitFor();
    await tapTargets(c, 'the float plan');
    await shot(c, 'float-plan', true);
    const before = await seenIds();
    const send = c.getByRole('button', { name: 'Send float plan' });
    await send.click();
    await c.getByText(`Sent to ${n} shore contact${n === 1 ? '' : 's'}.`, { exact: true }).waitFor();
    await harbor.getByText('sent', { exact: true }).waitFor();
    await send.click();
    await c
      .getByText(n === 1 ? 'Already sent to the shore contact: nothing mailed twice.' : `Already sent to all ${n}: nothing mailed twice.`, {
        exact: true,
      })
      .waitFor();
    await shot(c, 'float-plan-sent');
    const mails = (await outbox()).filter((m) => !before.has(m.id) && m.category === 'float_plan');
    const toHarbor = mails.filter((m) => m.to === HARBOR);
    assert(toHarbor.length === 1, `float plan mails to ${HARBOR}: ${toHarbor.length}, not exactly 1`);
    assert(mails.length === n, `${mails.length} float plan mails for ${n} shore contacts`);
    assert(toHarbor[0].text.includes(`/events/${sailId}/float-plan?org=jada`), 'the mail does not link to the plan in the app');
    // On paper: the plan, without the app's header and buttons.
    await c.emulateMedia({ media: 'print' });
    assert(!(await c.locator('.bar').isVisible()), 'the app header prints');
    assert(!(await c.getByRole('button', { name: 'Print' }).isVisible()), 'the buttons print');
    assert(await c.locator('.plan-section').first().isVisible(), 'the plan does not print');
    await shot(c, 'float-plan-print', true);
    await c.emulateMedia({ media: 'screen' });

    // Ticking the float-plan task of another sail sends that plan, and says so next to the task.
    const jada = (await api('/api/vessels', { token: adminJada })).find((v) => v.name === 'Jada');
    assert(jada, 'no seeded Jada among the vessels');
    const other = await api('/api/events', {
      token: adminJada,
      method: 'POST',
      body: {
        kind: 'sunset_sail',
        title: `E2E plan tick ${Date.now().toString(36)}`,
        vessel_id: jada.id,
        departs_at: laWall(Date.now() + 3 * 3_600_000),
        returns_at: laWall(Date.now() + 5 * 3_600_000),
        passenger_count: 4,
        crew: [{ email: 'captain.jada@example.com', role: 'captain' }],
        confirm: ['short_of_crew'],
      },
    });
    const seen = await seenIds();
    await c.goto(`${APP}/events/${other.id}`);
    await c.getByRole('heading', { name: other.title }).waitFor();
    // The event's captain ticks their own tasks as before, and the row says they are theirs.
    const planRow = c.locator('li.task', { has: c.locator('#task-float_plan') });
    await planRow.locator('.tag-captain', { hasText: "Captain's task: yours" }).waitFor();
    assert(await c.locator('#task-float_plan').isEnabled(), "the captain's own float-plan task is not tickable");
    assert((await planRow.locator('.task-extra').count()) === 1, "the captain's float-plan task has no note or photo button");
    assert((await c.locator('#tasks-locked-hint').count()) === 0, 'the captain is told someone else ticks their tasks');
    await c.locator('#task-float_plan').click();
    const said = c.locator('.task-after .notice', { hasText: `Float plan sent to ${n} shore contact${n === 1 ? '' : 's'}.` });
    await said.waitFor();
    await c.locator('.task.has-after').getByRole('link', { name: 'Open the float plan' }).waitFor();
    const ticked = (await outbox()).filter((m) => !seen.has(m.id) && m.category === 'float_plan');
    assert(ticked.length === n && ticked.every((m) => m.text.includes(`/events/${other.id}/float-plan`)), `the tick mailed ${ticked.length}`);
    await said.scrollIntoViewIfNeeded();
    await tapTargets(c, 'the event with the float plan ticked');
    await shot(c, 'float-plan-ticked');
    await cap.context.close();
  });

  await step('another org\'s event URL shows "not found"', async () => {
    const centaur = await api('/api/events', { token: adminCentaur });
    const foreign = centaur.events[0]?.id;
    assert(foreign, 'no DangerousCentaur event to try');
    await page.goto(`${APP}/events/${foreign}`);
    await page.getByRole('heading', { name: 'Event not found' }).waitFor();
    await shot(page, 'not-found');
  });

  await step('the phone header keeps a long org name whole: one line, never broken mid-word (issue 17, item 7)', async () => {
    const c = await phone('admin.centaur');
    const f = c.page;
    await signInWithCode(f, 'admin.centaur@example.com');
    const org = await api('/api/org', { token: adminCentaur });
    const name = f.locator('.org-name');
    await name.filter({ hasText: org.name }).waitFor();
    assert((await name.getAttribute('title')) === org.name, `the org name's title is ${await name.getAttribute('title')}`);
    const look = await name.evaluate((el) => {
      const cs = getComputedStyle(el);
      return { height: el.getBoundingClientRect().height, line: parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5, wordBreak: cs.wordBreak, wrap: cs.overflowWrap };
    });
    assert(look.height <= look.line + 1, `the org name takes more than one line: ${JSON.stringify(look)}`);
    assert(look.wordBreak === 'keep-all' && look.wrap === 'normal', `the org name may break mid-word: ${JSON.stringify(look)}`);
    await shot(f, 'header-long-org-name');
    await c.context.close();
  });

  await step('an executive lands on Reports: last week\'s summary with charts and their numbers', async () => {
    exec = await phone('owner');
    const e = exec.page;
    await signInWithLink(e, 'owner@example.com');
    // Executive in every org: no org question, straight to Reports.
    await e.waitForURL(/\/reports$/);
    await e.getByRole('heading', { name: 'Reports' }).waitFor();
    execToken = await pageToken(e);
    const summary = await api('/api/reports/weekly', { token: execToken });
    assert(summary.perspective === 'executive_summary', `default perspective ${summary.perspective}`);
    lastWeek = summary.week;
    await until(async () => (await e.locator('#report-week').inputValue()) === summary.week, 'the week picker on last week');
    await e.locator('.report-heading', { hasText: `Summary · Week ${Number(summary.week.slice(6))}` }).waitFor();
    const chart = e.locator('svg.bars').first();
    await chart.waitFor();
    assert((await chart.locator('rect.bar').count()) > 0, 'the chart has no bars');
    const first = summary.data.orgs[0];
    const revenue = dollars(first.this_week.revenue_cents);
    const label = await chart.getAttribute('aria-label');
    assert(label.includes(first.org_name) && label.includes(revenue), `the chart's text equivalent lacks ${revenue}: ${label}`);
    const table = await e.locator('figure.chart').first().locator('table').textContent();
    assert(table.includes(revenue), `the chart's table lacks ${revenue}`);
    assert(summary.data.orgs.length === 4, `the summary spans ${summary.data.orgs.length} orgs, not 4`);
    const total = summary.data.orgs.reduce((n, o) => n + o.this_week.revenue_cents, 0);
    await e.locator('.kpi', { hasText: 'Revenue' }).getByText(dollars(total), { exact: true }).waitFor();
    await tapTargets(e, 'Reports');
    await shot(e, 'reports-summary');
    await shot(e, 'reports-summary-full', true);
  });

  await step('the executive switches to Safety, Finance (and the rest), then to the previous week', async () => {
    const e = exec.page;
    const perspective = async (name, key) => {
      await e.getByRole('navigation', { name: 'Perspective' }).getByRole('link', { name, exact: true }).click();
      await e.waitForURL(new RegExp(`perspective=${key}`));
      await e.locator('.report-heading', { hasText: `${name} · Week` }).waitFor();
    };
    await perspective('Safety', 'safety');
    const safety = await api(`/api/reports/weekly?perspective=safety&week=${lastWeek}`, { token: execToken });
    await e
      .locator('.kpi', { hasText: 'Safety misses' })
      .locator('.kpi-value', { hasText: new RegExp(`^${safety.kpis.safety_misses}$`) })
      .waitFor();
    if (safety.data.misses.length > 0) {
      const miss = safety.data.misses[0];
      const link = e.locator(`a[href="/events/${miss.event_id}?org=${safety.org_id}"]`).first();
      await link.waitFor();
    } else {
      await e.getByText('Every safety-critical task was done on time.').waitFor();
    }
    await tapTargets(e, 'the safety report');
    await shot(e, 'reports-safety', true);

    await perspective('Finance', 'finance');
    const finance = await api(`/api/reports/weekly?perspective=finance&week=${lastWeek}`, { token: execToken });
    await e.locator('.kpi', { hasText: 'Revenue' }).locator('.kpi-value', { hasText: dollars(finance.kpis.revenue_cents) }).waitFor();
    const byKind = e.locator('svg.bars').first();
    assert((await byKind.locator('rect.bar').count()) === Object.keys(finance.data.by_kind).length, 'revenue by kind: wrong bar count');
    const [kind, cents] = Object.entries(finance.data.by_kind)[0];
    assert((await byKind.getAttribute('aria-label')).includes(dollars(cents)), `revenue by kind lacks ${kind} ${dollars(cents)}`);
    await shot(e, 'reports-finance', true);

    await perspective('Operations', 'operations');
    await e.getByText('Checklist completion by kind').first().waitFor();
    await shot(e, 'reports-operations', true);
    await perspective('Crew', 'crew');
    await e.getByText('Hours on duty per person').first().waitFor();
    await shot(e, 'reports-crew', true);

    // Back to finance, then a week earlier: the figures follow.
    await perspective('Finance', 'finance');
    await e.getByRole('button', { name: 'Previous week' }).click();
    const earlier = previousWeek(lastWeek);
    await e.waitForURL(new RegExp(`week=${earlier}`));
    await e.locator('.report-heading', { hasText: `Finance · Week ${Number(earlier.slice(6))}` }).waitFor();
    const prev = await api(`/api/reports/weekly?perspective=finance&week=${earlier}`, { token: execToken });
    assert(prev.week === earlier, `the API answered ${prev.week}`);
    await e.locator('.kpi', { hasText: 'Revenue' }).locator('.kpi-value', { hasText: dollars(prev.kpis.revenue_cents) }).waitFor();
    assert((await e.locator('#report-week').inputValue()) === earlier, 'the week picker did not follow');
    // Back (the browser's) returns to last week.
    await e.goBack();
    await e.locator('.report-heading', { hasText: `Finance · Week ${Number(lastWeek.slice(6))}` }).waitFor();
    // Another org's figures: the org picker switches the session.
    await e.getByLabel('Org').selectOption('queenofsandiego');
    await e.locator('.org-name', { hasText: 'Queen of San Diego' }).waitFor();
    const queenToken = await pageToken(e);
    assert(queenToken !== execToken, 'the org picker did not switch the session');
    const queen = await api(`/api/reports/weekly?perspective=finance&week=${lastWeek}`, { token: queenToken });
    assert(queen.org_id === 'queenofsandiego', `the report is of ${queen.org_id}`);
    await e.locator('.kpi', { hasText: 'Revenue' }).locator('.kpi-value', { hasText: dollars(queen.kpis.revenue_cents) }).waitFor();
  });

  await step('a report link to another org\'s event switches the executive to that org', async () => {
    const e = exec.page;
    await e.getByRole('navigation', { name: 'Perspective' }).getByRole('link', { name: 'Summary', exact: true }).click();
    const summary = await api(`/api/reports/weekly?week=${lastWeek}`, { token: execToken });
    const current = await e.evaluate(() => JSON.parse(localStorage.getItem('scc.session')).org.id);
    const x = summary.data.exceptions.find((ex) => ex.link && ex.org_id !== current);
    if (!x) {
      log('no exception of another org last week: link switching not exercised here');
      await exec.context.close();
      return;
    }
    const path = new URL(x.link).pathname;
    await e.locator(`.exceptions a[href="${path}?org=${x.org_id}"]`).first().click();
    await e.waitForURL(new RegExp(`${path}$`));
    await e.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const name = summary.data.orgs.find((o) => o.org_id === x.org_id).org_name;
    await e.locator('.org-name', { hasText: name }).waitFor();
    await exec.context.close();
  });

  await step('sign out from the account screen', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert((await page.evaluate(() => localStorage.getItem('scc.session'))) === null, 'the session is still stored');
  });

  await crew.context.close();
}

let exitCode = 0;
const started = Date.now();
try {
  await main();
} catch (e) {
  exitCode = 1;
  if (!results.some((r) => !r.ok)) log(`FAIL setup: ${e instanceof Error ? e.stack || e.message : e}`);
  try {
    log(`server log tail:\n${readFileSync(serverLog, 'utf8').slice(-3000)}`);
  } catch {
    /* no log */
  }
} finally {
  await cleanup();
}
if (problems.length) {
  exitCode = 1;
  for (const p of problems) log(`problem: ${p}`);
  results.push({ name: 'no CSP violations or console errors', ok: false });
} else if (exitCode === 0) {
  results.push({ name: 'no CSP violations or console errors', ok: true });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
log(`screenshots (360x740): ${SHOTS}`);
log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed ? 1 : 0));
