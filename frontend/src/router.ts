// Client-side routes on the History API. The server (and CloudFront) answer index.html for any
// extension-less path, so every route here is also a real URL that can be opened or shared.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'events' }
  | { name: 'event'; id: string }
  | { name: 'signin' }
  | { name: 'newEvent' }
  | { name: 'editEvent'; id: string }
  | { name: 'floatPlan'; id: string }
  | { name: 'members' }
  | { name: 'orgSettings' }
  | { name: 'vessels' }
  | { name: 'reports' }
  | { name: 'account' }
  | { name: 'notFound'; path: string };

const ID = '([0-9A-Za-z]{1,64})';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  let m: RegExpExecArray | null;
  if (path === '/') return { name: 'events' };
  if (path === '/signin') return { name: 'signin' };
  if (path === '/account') return { name: 'account' };
  if (path === '/admin/members') return { name: 'members' };
  if (path === '/admin/org') return { name: 'orgSettings' };
  if (path === '/admin/vessels') return { name: 'vessels' };
  if (path === '/reports') return { name: 'reports' };
  if (path === '/admin/events/new') return { name: 'newEvent' };
  if ((m = new RegExp(`^/events/${ID}/edit$`).exec(path)) && m[1]) return { name: 'editEvent', id: m[1] };
  if ((m = new RegExp(`^/events/${ID}/float-plan$`).exec(path)) && m[1]) return { name: 'floatPlan', id: m[1] };
  if ((m = new RegExp(`^/events/${ID}$`).exec(path)) && m[1]) return { name: 'event', id: m[1] };
  return { name: 'notFound', path };
}

type Listener = () => void;
const listeners = new Set<Listener>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(to, location.href);
  if (url.origin !== location.origin) {
    location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  if (target === location.pathname + location.search + location.hash) {
    for (const l of listeners) l();
    return;
  }
  if (opts.replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

/** Paths the app does not own: the browser loads them (the local outbox, the API). */
export function isAppPath(pathname: string): boolean {
  return !/^\/(api|auth|dev|health)(\/|$)/.test(pathname) && !/\.[a-z0-9]+$/i.test(pathname);
}

let leaveQuestion: string | null = null;

/**
 * While a screen holds unsaved edits: the question a tap on an in-app link asks first (null when
 * there is nothing to lose). Reloads and closing the tab are the screen's `beforeunload`.
 */
export function guardLeaving(question: string | null): void {
  leaveQuestion = question;
}

/** Turns same-origin link clicks into client-side navigation. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || !a.href || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || !isAppPath(url.pathname)) return;
    // In-page anchors (the skip link) are the browser's.
    if (url.pathname === location.pathname && url.hash) return;
    e.preventDefault();
    if (leaveQuestion && !window.confirm(leaveQuestion)) return;
    navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('popstate', () => {
    for (const l of listeners) l();
  });
}

/** A query parameter of the current address (`?week=…`, `?org=…`). */
export function queryParam(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

/**
 * The in-app path of a link the API made for emails (`<APP_URL>/events/<id>?org=<org>`, and the
 * float plan's `/events/<id>/float-plan?org=<org>`), so it opens here without a page load
 * whatever host the server was told; other links are kept.
 */
export function appPath(link: string): string {
  try {
    const url = new URL(link, 'http://app.invalid');
    if (/^\/events\/[0-9A-Za-z]{1,64}(\/float-plan)?$/.test(url.pathname)) return url.pathname + url.search;
  } catch {
    /* not a URL */
  }
  return link;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const l = () => setRoute(parseRoute(location.pathname));
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return route;
}
