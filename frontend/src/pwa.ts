// Installs the service worker (/sw.js: the app shell, offline) and offers a new version when one
// is waiting, rather than swapping code under a crew member's thumb mid-checklist.

import { Store } from './store';

export const pwa = new Store<{ updateReady: boolean }>({ updateReady: false });

let waiting: ServiceWorker | null = null;

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  // The first install takes control quietly; a later one was asked for: load its version. Also in
  // a tab open since the first visit, whose first change of controller was that quiet one.
  let controlled = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (controlled) location.reload();
    controlled = true;
  });
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .then((reg) => {
        const offer = (sw: ServiceWorker | null) => {
          if (sw && navigator.serviceWorker.controller) {
            waiting = sw;
            pwa.set({ updateReady: true });
          }
        };
        if (reg.waiting) offer(reg.waiting);
        reg.addEventListener('updatefound', () => {
          const sw = reg.installing;
          sw?.addEventListener('statechange', () => {
            if (sw.state === 'installed') offer(sw);
          });
        });
        // Long-lived tabs (a phone left on the event screen) look for a new version hourly.
        setInterval(() => void reg.update().catch(() => undefined), 60 * 60_000);
      })
      .catch(() => {
        /* no service worker (private mode, old browser): the app still works online */
      });
  });
}

/** Switches to the waiting version (the page reloads when it takes over). */
export function applyUpdate(): void {
  waiting?.postMessage({ type: 'SKIP_WAITING' });
}
