// A tiny observable value and the hook that re-renders on its changes.

import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;

export class Store<T extends object> {
  private readonly listeners = new Set<Listener>();

  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  set(patch: Partial<T>): void {
    const next = { ...this.value, ...patch };
    const same = (Object.keys(patch) as Array<keyof T>).every((k) => Object.is(next[k], this.value[k]));
    if (same) return;
    this.value = next;
    for (const l of this.listeners) l();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** The store's current value; the component re-renders when it changes. */
export function useStore<T extends object>(store: Store<T>): T {
  const [, force] = useState(0);
  useEffect(() => store.subscribe(() => force((n) => n + 1)), [store]);
  return store.get();
}

/** Anything with subscribe/get (the session store), as a hook. */
export function useSubscribed<T>(source: { subscribe(l: Listener): () => void }, read: () => T): T {
  const [, force] = useState(0);
  useEffect(() => source.subscribe(() => force((n) => n + 1)), [source]);
  return read();
}
