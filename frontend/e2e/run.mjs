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
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

  const crew = await phone('deck.jada');
  const page = crew.page;
  let eventId = '';
  let tasks = [];

  await step('sign in through the outbox link (the page shows a Sign in button)', async () => {
    await signInWithLink(page, 'deck.jada@example.com', true);
    await page.getByRole('heading', { name: 'My events' }).waitFor();
    await page.locator('.event-card').first().waitFor();
    assert(/PST|PDT/.test(await page.locator('main').innerText()), "My events does not show the org's zone");
    await tapTargets(page, 'My events');
    await shot(page, 'my-events');
  });

  await step('open a seeded event: timing panel ticking in the org zone, checklist', async () => {
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
    tasks = await page
      .locator('.task input[type=checkbox]:not(:checked):not([disabled])')
      .evaluateAll((els) => els.slice(0, 4).map((e) => e.id.replace(/^task-/, '')));
    assert(tasks.length === 4, 'fewer than 4 tasks to tick');
    await page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: STEP_TIMEOUT });
    await tapTargets(page, 'the event screen');
    await shot(page, 'event');
    await shot(page, 'event-timeline-full', true);
    await page.getByRole('button', { name: 'By phase' }).click();
    assert((await page.getByRole('button', { name: 'By phase' }).getAttribute('aria-pressed')) === 'true', 'the checklist view did not open');
    await page.getByRole('heading', { level: 3 }).first().waitFor();
    await shot(page, 'event-checklist-full', true);
  });

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

  const title = `E2E charter ${Date.now().toString(36)}`;
  const admin = await phone('admin.jada');
  let newId = '';
  await step('an admin creates an event with a crew member assigned', async () => {
    await signInWithCode(admin.page, 'admin.jada@example.com');
    await admin.page.getByRole('heading', { name: 'Events' }).waitFor();
    await admin.page.getByRole('link', { name: 'New event' }).click();
    await admin.page.getByRole('heading', { name: 'New event' }).waitFor();
    const f = admin.page;
    await f.getByLabel('Kind').selectOption('charter');
    await f.getByLabel('Title').fill(title);
    await f.getByLabel('Vessel').fill('Jada');
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

  await step('that crew member, signed in separately, sees it in My events', async () => {
    const sam = await phone('sam.crew');
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
    await sam.context.close();
  });

  await step('the crew screen refreshes without reload when the admin marks it departed', async () => {
    await page.goto(`${APP}/events/${eventId}`);
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor();
    const f = admin.page;
    await f.goto(`${APP}/events/${eventId}`);
    await f.getByRole('button', { name: 'Mark departed' }).click();
    await f.getByRole('button', { name: "Yes, we've departed" }).click();
    await f.locator('.badge', { hasText: 'Underway' }).waitFor();
    // The crew's page polls (ETag) every 15 s while visible.
    await page.locator('.badge', { hasText: 'Underway' }).waitFor({ timeout: 25_000 });
    await shot(page, 'underway');
  });

  await step('the admin cancels an event', async () => {
    const f = admin.page;
    await f.goto(`${APP}/events/${newId}`);
    await f.getByRole('button', { name: 'Cancel event' }).click();
    await f.getByRole('button', { name: 'Yes, cancel it' }).click();
    await f.locator('.badge', { hasText: 'Cancelled' }).waitFor();
    const ev = await api(`/api/events/${newId}`, { token: adminJada });
    assert(ev.status === 'cancelled', `status is ${ev.status}`);
    await admin.context.close();
  });

  await step('another org\'s event URL shows "not found"', async () => {
    const centaur = await api('/api/events', { token: adminCentaur });
    const foreign = centaur.events[0]?.id;
    assert(foreign, 'no DangerousCentaur event to try');
    await page.goto(`${APP}/events/${foreign}`);
    await page.getByRole('heading', { name: 'Event not found' }).waitFor();
    await shot(page, 'not-found');
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
