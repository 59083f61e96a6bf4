// Shared hooks: a clock that ticks every second, page visibility, and the document title.

import { useEffect, useState } from 'preact/hooks';
import { serverClock } from './time';

/** The server-corrected now, re-rendering every `everyMs` (aligned to the second). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => serverClock.now());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      setNow(serverClock.now());
      const current = serverClock.now();
      timer = setTimeout(tick, everyMs - (current % everyMs) + 5);
    };
    timer = setTimeout(tick, everyMs - (serverClock.now() % everyMs) + 5);
    const onVisible = () => {
      if (document.visibilityState === 'visible') setNow(serverClock.now());
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [everyMs]);
  return now;
}

export function useVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const l = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', l);
    return () => document.removeEventListener('visibilitychange', l);
  }, []);
  return visible;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Ship Captain Crew` : 'Ship Captain Crew';
  }, [title]);
}

/** Is the page served from this machine (the local dev server)? */
export function isLocal(): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);
}
