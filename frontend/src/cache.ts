// The last-seen answers of the API, per person and org, so My events and the events opened
// before open offline. Cleared at sign-out (a shared phone on a dock).

import type { ListedPage } from './api';
import { openDb, req, SNAPSHOTS, tx } from './db';
import type { EventSummary, EventView, FloatPlanView } from './types';

export interface Snapshot<T> {
  key: string;
  /** When it was read from the server, or confirmed unchanged by it (device ms). */
  savedAt: number;
  data: T;
  etag?: string;
}

/** The event list as last read: the dates asked for and each page with its ETag, for a refresh
 * with If-None-Match. Copies saved before ETags existed have neither. */
export interface EventListSnapshot extends Snapshot<EventSummary[]> {
  range?: { from: string; to: string };
  pages?: ListedPage[];
}

let dbPromise: Promise<IDBDatabase> | null = null;

/** The app's database, opened once (and again if it was closed by an upgrade elsewhere). */
export function db(): Promise<IDBDatabase> {
  if (!dbPromise) {
    dbPromise = openDb().catch((e: unknown) => {
      dbPromise = null;
      throw e;
    });
  }
  return dbPromise;
}

export interface Scope {
  email: string;
  org: string;
}

const listKey = (s: Scope) => `${s.email}|${s.org}|events`;
const eventKey = (s: Scope, id: string) => `${s.email}|${s.org}|event|${id}`;
const floatPlanKey = (s: Scope, id: string) => `${s.email}|${s.org}|float-plan|${id}`;

async function putSnapshot(snap: Snapshot<unknown>): Promise<void> {
  try {
    const d = await db();
    await tx(d, SNAPSHOTS, 'readwrite', (t) => req(t.objectStore(SNAPSHOTS).put(snap)));
  } catch {
    /* a full or missing store only costs the offline copy */
  }
}

function put<T>(key: string, data: T, etag?: string): Promise<void> {
  return putSnapshot({ key, savedAt: Date.now(), data, ...(etag ? { etag } : {}) });
}

async function get<T>(key: string): Promise<Snapshot<T> | null> {
  try {
    const d = await db();
    const snap = await tx(d, SNAPSHOTS, 'readonly', (t) => req(t.objectStore(SNAPSHOTS).get(key)));
    return (snap as Snapshot<T> | undefined) ?? null;
  } catch {
    return null;
  }
}

export const saveEventList = (
  s: Scope,
  events: EventSummary[],
  listed?: { range: { from: string; to: string }; pages: ListedPage[] },
) => putSnapshot({ key: listKey(s), savedAt: Date.now(), data: events, ...listed } satisfies EventListSnapshot);
export const loadEventList = (s: Scope) => get<EventSummary[]>(listKey(s)) as Promise<EventListSnapshot | null>;
export const saveEvent = (s: Scope, event: EventView, etag: string) => put(eventKey(s, event.id), event, etag);
export const loadEvent = (s: Scope, id: string) => get<EventView>(eventKey(s, id));
/** The float plan as last read: a captain on the dock can still show it with no signal. */
export const saveFloatPlan = (s: Scope, id: string, plan: FloatPlanView) => put(floatPlanKey(s, id), plan);
export const loadFloatPlan = (s: Scope, id: string) => get<FloatPlanView>(floatPlanKey(s, id));

/** Forgets every cached answer (the tick queue stays: a tick is never lost). */
export async function clearSnapshots(): Promise<void> {
  try {
    const d = await db();
    await tx(d, SNAPSHOTS, 'readwrite', (t) => req(t.objectStore(SNAPSHOTS).clear()));
  } catch {
    /* nothing cached */
  }
}
