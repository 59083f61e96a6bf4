// The service worker: keeps the app shell (index.html, the hashed JS and CSS, the manifest and
// the small icons) so the app opens with no signal. API calls are never cached here: the app keeps its own
// copies of the last-seen events in IndexedDB, per person, and clears them at sign-out.
//
// The build replaces the two placeholders below with the list of files and a hash of it, so every
// deploy that changes a file changes this script, which is how browsers notice a new version.

/// <reference lib="webworker" />
const sw = globalThis as unknown as ServiceWorkerGlobalScope;

declare const __PRECACHE_MANIFEST__: string[];
declare const __PRECACHE_VERSION__: string;

const PRECACHE: string[] = __PRECACHE_MANIFEST__;
const VERSION: string = __PRECACHE_VERSION__;
const PREFIX = 'scc-shell-';
const CACHE = `${PREFIX}${VERSION}`;
const SHELL = '/index.html';

/** Paths that are always the network's: the API, sign-in, local dev pages, health. */
const NETWORK_ONLY = /^\/(api|auth|dev|health)(\/|$)/;

/** Vite's content-hashed build output: the bytes never change under the name. */
const HASHED = /^\/assets\//;

/**
 * Fills this version's cache without downloading the app a second time. The page has just loaded
 * index.html's JS and CSS, and the server marks hashed files `immutable` for a year (CloudFront
 * and the local server alike), so a plain fetch of them is answered by the browser's HTTP cache;
 * an older version's copy of the same hashed name is taken first, since it is the same file. Only
 * the files that keep their name across deploys (index.html, the manifest, icons) are revalidated
 * with the server (`no-cache`: a 304 of a few hundred bytes when unchanged, never a stale copy).
 */
async function fromOlderVersion(url: string): Promise<Response | undefined> {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit) return hit;
  }
  return undefined;
}

async function precache(): Promise<void> {
  const cache = await caches.open(CACHE);
  await Promise.all(
    PRECACHE.map(async (url) => {
      if (HASHED.test(url)) {
        if (await cache.match(url)) return;
        const kept = await fromOlderVersion(url);
        if (kept) return cache.put(url, kept);
        return cache.add(url);
      }
      return cache.add(new Request(url, { cache: 'no-cache' }));
    }),
  );
}

sw.addEventListener('install', (event) => {
  event.waitUntil(precache());
  // The first install takes over at once (so the app works offline from the first visit);
  // a later version waits until the page asks (see SKIP_WAITING).
  if (!sw.registration.active) void sw.skipWaiting();
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

async function fromCacheThenNetwork(request: Request, fallback?: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(fallback ?? request);
  if (hit) return hit;
  try {
    const response = await fetch(request);
    if (response.ok && !fallback && HASHED.test(new URL(request.url).pathname)) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (e) {
    if (fallback) {
      const shell = await caches.match(fallback);
      if (shell) return shell;
    }
    throw e;
  }
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || NETWORK_ONLY.test(url.pathname)) return;
  const last = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  if (request.mode === 'navigate' && !last.includes('.')) {
    // Every app route is the same page: the cached shell, which routes itself.
    event.respondWith(fromCacheThenNetwork(request, SHELL));
    return;
  }
  if (PRECACHE.includes(url.pathname) || HASHED.test(url.pathname)) {
    event.respondWith(fromCacheThenNetwork(request));
  }
});

// ---- Web Push ---------------------------------------------------------------------------------
// A nudge arrives as {"title", "body", "url", "tag"} (crates/push, port.rs). The notification
// opens the event; the URL carries the org (`?org=`), so the app switches to it if it must.

interface PushNote {
  title?: string;
  body?: string;
  url?: string;
  tag?: string;
}

sw.addEventListener('push', (event) => {
  let note: PushNote = {};
  try {
    note = (event.data?.json() as PushNote | undefined) ?? {};
  } catch {
    note = { body: event.data?.text() };
  }
  // Only our own origin's pages are opened from a notification.
  const url = note.url && new URL(note.url, sw.location.origin).origin === sw.location.origin ? note.url : '/';
  event.waitUntil(
    sw.registration.showNotification(note.title || 'Ship Captain Crew', {
      body: note.body ?? '',
      tag: note.tag,
      data: { url },
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
    }),
  );
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data as { url?: string } | null)?.url ?? '/', sw.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === sw.location.origin);
      if (open) {
        await open.focus();
        await open.navigate(url);
      } else {
        await sw.clients.openWindow(url);
      }
    })(),
  );
});
