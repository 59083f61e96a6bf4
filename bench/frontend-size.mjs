#!/usr/bin/env node
// The web app's first-load weight: every JS and CSS file index.html loads (scripts, stylesheets,
// module preloads), gzipped (default level 6, as a CDN would), one line each and the total.
// Fails over the budget: 60 KB (60,000 bytes) gzipped.
// Builds frontend/dist first when it is missing or older than the sources.
//
//   node bench/frontend-size.mjs            (from anywhere)
//   SIZE_BUDGET_BYTES=60000                  (the default budget)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'frontend');
const DIST = join(FRONTEND, 'dist');
const BUDGET = Number(process.env.SIZE_BUDGET_BYTES || 60_000);

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => newest(join(FRONTEND, p)));
const built = existsSync(join(DIST, 'index.html')) ? statSync(join(DIST, 'index.html')).mtimeMs : 0;
if (built === 0 || Math.max(...sources) > built) {
  console.log(built === 0 ? 'frontend/dist is missing: building' : 'sources changed since the last build: building');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: FRONTEND, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('build failed');
    process.exit(1);
  }
}

const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const refs = new Set();
for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) refs.add(m[1]);
for (const m of html.matchAll(/<link\b[^>]*>/g)) {
  const tag = m[0];
  const rel = /\brel="([^"]+)"/.exec(tag)?.[1] ?? '';
  const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
  if (href && /\b(stylesheet|modulepreload)\b/.test(rel)) refs.add(href);
}
if (/<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/.test(html) || /<style\b/.test(html) || /\sstyle="/.test(html)) {
  console.error('index.html has inline script or style: the CSP (script-src/style-src self) would block it');
  process.exit(1);
}

const gz = (buf) => gzipSync(buf).length;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const rows = [];
for (const ref of refs) {
  if (/^(https?:)?\/\//.test(ref)) {
    console.error(`first-load asset from another origin: ${ref} (no CDNs: the CSP is 'self')`);
    process.exit(1);
  }
  const file = join(DIST, ref.replace(/^\//, ''));
  const buf = readFileSync(file);
  rows.push({ ref, raw: buf.length, gzip: gz(buf) });
}
const total = rows.reduce((s, r) => s + r.gzip, 0);
const width = Math.max(...rows.map((r) => r.ref.length), 10);
console.log('first-load JS + CSS (gzip):');
for (const r of rows) console.log(`  ${r.ref.padEnd(width)}  ${kb(r.raw).padStart(9)} raw  ${kb(r.gzip).padStart(8)} gzip`);
console.log(`  ${'total'.padEnd(width)}  ${kb(rows.reduce((s, r) => s + r.raw, 0)).padStart(9)} raw  ${kb(total).padStart(8)} gzip`);
// Chunks the app imports on demand (reports, org settings): not first load, listed for the record.
const lazy = readdirSync(join(DIST, 'assets'))
  .filter((f) => /\.(js|css)$/.test(f) && !refs.has(`/assets/${f}`))
  .sort()
  .map((f) => {
    const buf = readFileSync(join(DIST, 'assets', f));
    return { ref: `/assets/${f}`, raw: buf.length, gzip: gz(buf) };
  });
if (lazy.length) {
  const w = Math.max(...lazy.map((r) => r.ref.length), 10);
  console.log('loaded on demand (not in the budget):');
  for (const r of lazy) console.log(`  ${r.ref.padEnd(w)}  ${kb(r.raw).padStart(9)} raw  ${kb(r.gzip).padStart(8)} gzip`);
  console.log(`  ${'total'.padEnd(w)}  ${kb(lazy.reduce((s, r) => s + r.raw, 0)).padStart(9)} raw  ${kb(lazy.reduce((s, r) => s + r.gzip, 0)).padStart(8)} gzip`);
}
const extra = ['index.html', 'sw.js', 'manifest.webmanifest']
  .filter((f) => existsSync(join(DIST, f)))
  .map((f) => `${f} ${kb(gz(readFileSync(join(DIST, f))))}`);
console.log(`  (not counted: ${extra.join(', ')} gzip)`);
if (total > BUDGET) {
  console.error(`OVER BUDGET: ${kb(total)} > ${kb(BUDGET)}`);
  process.exit(1);
}
console.log(`within budget: ${kb(total)} of ${kb(BUDGET)} (${Math.round((100 * total) / BUDGET)}%)`);
