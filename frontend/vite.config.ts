/// <reference types="vitest/config" />
// Vite builds the app (index.html + hashed /assets/*) and, from src/sw.ts, the service worker at
// /sw.js (not hashed: its URL must stay put), with the list of files to precache written into it.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const publicDir = join(root, 'public');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/**
 * Icons only a browser installing the app asks for (the 512 px ones of the manifest, the iOS
 * home-screen icon): it fetches them then, online, so the service worker does not precache them
 * (33 KB of PNG on every first visit otherwise). The 192 px icon stays: notifications show it.
 */
const INSTALL_ONLY = /^\/icons\/(apple-touch-icon|icon(-maskable)?-512)\.png$/;

/** Writes the precache list (every emitted file but the worker and source maps, plus public/ but
 * the install-only icons) and a hash of all their contents into sw.js. */
function serviceWorkerManifest(): Plugin {
  return {
    name: 'scc-service-worker-manifest',
    apply: 'build',
    // After Vite's own HTML plugin has emitted index.html.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const sw = Object.values(bundle).find((f) => f.type === 'chunk' && f.fileName === 'sw.js');
        if (!sw || sw.type !== 'chunk') {
          this.error('sw.js was not built');
          return;
        }
        if (sw.imports.length > 0) this.error(`sw.js must not import other chunks: ${sw.imports.join(', ')}`);
        const hash = createHash('sha256');
        const files: string[] = [];
        for (const f of Object.values(bundle)) {
          if (f.fileName === 'sw.js' || f.fileName.endsWith('.map')) continue;
          files.push(`/${f.fileName}`);
          hash.update(f.fileName);
          hash.update(f.type === 'chunk' ? f.code : f.source);
        }
        for (const path of filesUnder(publicDir)) {
          const url = `/${relative(publicDir, path).split(sep).join('/')}`;
          if (!INSTALL_ONLY.test(url)) files.push(url);
          hash.update(url);
          hash.update(readFileSync(path));
        }
        files.sort();
        const version = hash.digest('hex').slice(0, 16);
        const code = sw.code
          .replaceAll('__PRECACHE_MANIFEST__', JSON.stringify(files))
          .replaceAll('__PRECACHE_VERSION__', JSON.stringify(version));
        if (code === sw.code) this.error('sw.js has no precache placeholders');
        sw.code = code;
      },
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No data: URIs and nothing inline: the CSP is `default-src 'self'`.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        index: join(root, 'index.html'),
        sw: join(root, 'src/sw.ts'),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  plugins: [serviceWorkerManifest()],
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
