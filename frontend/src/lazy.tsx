// Screens loaded on first use (reports, org settings): crew phones never download them. The
// service worker precaches every built file, so they still open offline once the app is installed.

import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading, Notice } from './components';

export function lazyScreen<P extends object>(what: string, load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (Screen) return;
      let live = true;
      setFailed(false);
      load()
        .then((c) => {
          loaded = c;
          if (live) setScreen(() => c);
        })
        .catch(() => live && setFailed(true));
      return () => {
        live = false;
      };
    }, [attempt]);
    if (Screen) return <Screen {...props} />;
    if (failed) {
      return (
        <Notice kind="error">
          The {what} screen could not be loaded. Check your connection.{' '}
          <button type="button" class="link-button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </Notice>
      );
    }
    return <Loading what={what} />;
  };
}
