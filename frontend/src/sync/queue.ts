// The tick queue. Every tick (online or not) is first written here, in IndexedDB, with an op id
// made on the device; then the queue is replayed in order. The server applies an op id once, so a
// replay after a lost answer is harmless ("applied: false"), and an op leaves the queue only once
// the server has answered for it. Nothing is dropped silently: an op the server refuses for good
// (the event was cancelled, the person was taken off it) stays, marked "rejected", until the
// person has seen it and dismisses it.
//
// A tick may carry a note and photos. The photos wait here as blobs (already scaled down) with
// their tick; when the queue reaches the op, each photo not yet in storage is uploaded (a new id
// and upload URLs asked for just then, since they expire), its id written into the op in
// IndexedDB, and only then the tick is sent, naming those ids. A crash between the two costs a
// second upload of a photo at worst (its id was not recorded, so it gets a new one); the tick
// itself still goes once, by its op id.

import { OPS, req, tx } from '../db';
import { checkNote, cleanNote, MAX_PHOTOS } from '../photos';
import type { TickResult } from '../types';

/** A photo waiting with its tick: the full image and thumbnail, and its id once uploaded. */
export interface QueuedPhoto {
  full: Blob;
  thumb: Blob;
  content_type: string;
  /** The server's id, set once both blobs are in storage; until then it still has to go. */
  id?: string;
}

export interface TickOp {
  /** Queue position (IndexedDB auto-increment): the replay order. */
  seq?: number;
  /** Client-made id (crypto.randomUUID): the server applies it once. */
  opId: string;
  eventId: string;
  taskId: string;
  done: boolean;
  /** When the person ticked it (RFC 3339), sent as the tick's `at`. */
  at: string;
  /** Whose tick it is: only a session of the same person in the same org sends it. */
  org: string;
  email: string;
  state: 'pending' | 'rejected';
  /** Why the server refused it, for people. */
  error?: string;
  attempts: number;
  /** The note the tick carries (trimmed); absent or empty: none. */
  note?: string;
  /** Photos the tick carries (at most 3), kept until the server has the tick. */
  photos?: QueuedPhoto[];
}

export type NewTick = Pick<TickOp, 'eventId' | 'taskId' | 'done' | 'org' | 'email' | 'note' | 'photos'>;

/** A note or photos the server is bound to refuse: never kept, it would only come back "refused". */
export class InvalidTick extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTick';
  }
}

/** A new tick's fields as kept: the note trimmed (left out when empty), no empty photo list. */
export function tickFields(tick: NewTick): NewTick {
  const { note, photos, ...rest } = tick;
  const clean = cleanNote(note ?? '');
  const check = checkNote(clean);
  if (!check.ok) throw new InvalidTick(check.error ?? 'The note is too long.');
  if ((photos?.length ?? 0) > MAX_PHOTOS) throw new InvalidTick(`${MAX_PHOTOS} photos at most per tick.`);
  return {
    ...rest,
    ...(clean ? { note: clean } : {}),
    ...(photos?.length ? { photos: photos.map((p) => ({ full: p.full, thumb: p.thumb, content_type: p.content_type })) } : {}),
  };
}

/** What sending one op came to. */
export type SendOutcome =
  | { kind: 'ok'; result: TickResult }
  /** No network (or no answer): stop, keep everything, try again later. */
  | { kind: 'offline' }
  /** The session is gone: stop, keep everything, ask the person to sign in again. */
  | { kind: 'unauthorized' }
  /** A passing failure (5xx, 429): stop, keep everything, try again later. */
  | { kind: 'retry'; message: string; retryAfterMs?: number }
  /**
   * The server will never take this op (4xx other than 401/429). `photos`: the indexes of the
   * photos it said were not uploaded (`photos/0`), which are worth one more upload.
   */
  | { kind: 'rejected'; message: string; photos?: number[] };

/** What uploading one photo came to: its id, or why not (read as for a tick). */
export type UploadOutcome = { kind: 'ok'; id: string } | Exclude<SendOutcome, { kind: 'ok' }>;

export interface FlushReport {
  /** Ops the server answered for (applied now or before), in order. */
  synced: Array<{ op: TickOp; result: TickResult }>;
  rejected: TickOp[];
  /** Why the flush stopped before the end of the queue, if it did. */
  stoppedBy: null | 'offline' | 'unauthorized' | 'retry';
  retryAfterMs?: number;
}

export interface QueueDeps {
  db: () => Promise<IDBDatabase>;
  send: (op: TickOp) => Promise<SendOutcome>;
  /** Puts one photo of the op in storage (ask for an id and URLs, PUT both blobs). */
  upload?: (op: TickOp, photo: QueuedPhoto) => Promise<UploadOutcome>;
  uuid?: () => string;
  now?: () => number;
  /** Cross-tab mutual exclusion (navigator.locks); absent: this tab only. */
  locks?: Pick<LockManager, 'request'> | undefined;
}

export interface Scope {
  org: string;
  email: string;
}

type Listener = () => void;

const LOCK_NAME = 'shipcaptaincrew-sync';

export class SyncQueue {
  private readonly listeners = new Set<Listener>();
  /** Serialises flushes in this tab (the lock serialises them across tabs). */
  private running: Promise<unknown> = Promise.resolve();
  private readonly uuid: () => string;
  private readonly now: () => number;

  constructor(private readonly deps: QueueDeps) {
    this.uuid = deps.uuid ?? (() => crypto.randomUUID());
    this.now = deps.now ?? Date.now;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Writes a tick to the queue (durably: resolved once committed) and returns it. */
  async enqueue(tick: NewTick): Promise<TickOp> {
    const op: TickOp = {
      ...tickFields(tick),
      opId: this.uuid(),
      at: new Date(this.now()).toISOString(),
      state: 'pending',
      attempts: 0,
    };
    const db = await this.deps.db();
    const seq = await tx(db, OPS, 'readwrite', (t) => req(t.objectStore(OPS).add(op)));
    op.seq = Number(seq);
    this.changed();
    return op;
  }

  /** Every op in queue order, optionally only one person's in one org. */
  async all(scope?: Scope): Promise<TickOp[]> {
    const db = await this.deps.db();
    const ops = await tx(db, OPS, 'readonly', (t) => req(t.objectStore(OPS).getAll() as IDBRequest<TickOp[]>));
    return scope ? ops.filter((o) => o.org === scope.org && o.email === scope.email) : ops;
  }

  async pending(scope?: Scope): Promise<TickOp[]> {
    return (await this.all(scope)).filter((o) => o.state === 'pending');
  }

  async rejected(scope?: Scope): Promise<TickOp[]> {
    return (await this.all(scope)).filter((o) => o.state === 'rejected');
  }

  /** Forgets a rejected op once the person has seen it. Pending ops cannot be dismissed. */
  async dismiss(seq: number): Promise<void> {
    const db = await this.deps.db();
    await tx(db, OPS, 'readwrite', async (t) => {
      const store = t.objectStore(OPS);
      const op = (await req(store.get(seq))) as TickOp | undefined;
      if (op && op.state === 'rejected') await req(store.delete(seq));
    });
    this.changed();
  }

  /**
   * Replays the scope's pending ops in order, one at a time, each until the server has answered
   * for it. Stops at the first op that could not be sent (offline, signed out, server trouble),
   * keeping it and everything after it. Concurrent calls run one after the other.
   */
  flush(scope: Scope): Promise<FlushReport> {
    const run = this.running.then(
      () => this.withLock(() => this.flushNow(scope)),
      () => this.withLock(() => this.flushNow(scope)),
    );
    this.running = run.catch(() => undefined);
    return run;
  }

  private withLock<T>(body: () => Promise<T>): Promise<T> {
    const locks = this.deps.locks;
    if (!locks) return body();
    return locks.request(LOCK_NAME, body) as Promise<T>;
  }

  private async flushNow(scope: Scope): Promise<FlushReport> {
    const report: FlushReport = { synced: [], rejected: [], stoppedBy: null };
    const db = await this.deps.db();
    // Read one at a time: another tab may have sent some meanwhile (then they are gone).
    for (;;) {
      const op = (await this.pending(scope))[0];
      if (!op || op.seq === undefined) break;
      const save = (o: TickOp) => tx(db, OPS, 'readwrite', (t) => req(t.objectStore(OPS).put(o))).then(() => undefined);
      // `sent` is the op as it stands now: the ids of the photos uploaded on the way are in it.
      const { outcome, op: sent } = await deliver(op, { send: this.deps.send, upload: this.deps.upload, save });
      if (outcome.kind === 'ok') {
        await tx(db, OPS, 'readwrite', (t) => req(t.objectStore(OPS).delete(op.seq as number)));
        report.synced.push({ op: sent, result: outcome.result });
        this.changed();
        continue;
      }
      if (outcome.kind === 'rejected') {
        const marked: TickOp = { ...sent, state: 'rejected', error: outcome.message, attempts: op.attempts + 1 };
        await save(marked);
        report.rejected.push(marked);
        this.changed();
        continue;
      }
      await save({ ...sent, attempts: op.attempts + 1 });
      report.stoppedBy = outcome.kind;
      if (outcome.kind === 'retry' && outcome.retryAfterMs !== undefined) report.retryAfterMs = outcome.retryAfterMs;
      break;
    }
    return report;
  }
}

export interface Delivery {
  send: (op: TickOp) => Promise<SendOutcome>;
  upload?: ((op: TickOp, photo: QueuedPhoto) => Promise<UploadOutcome>) | undefined;
  /** Keeps the op as it now stands (a photo's id recorded) before anything more is sent. */
  save: (op: TickOp) => Promise<void>;
}

/**
 * Sends one op: first each of its photos not yet in storage, one at a time, saving the op with
 * that photo's id before the next step, then the tick. Stops at the first failure, with the op
 * as far as it got. If the server answers that a photo is not in storage after all (`photos/0`),
 * those photos are uploaded again, under new ids, and the tick is sent once more (once).
 */
export async function deliver(op: TickOp, d: Delivery): Promise<{ outcome: SendOutcome; op: TickOp }> {
  let current = op;
  for (let round = 0; ; round++) {
    const count = current.photos?.length ?? 0;
    for (let i = 0; i < count; i++) {
      const photo = current.photos?.[i];
      if (!photo || photo.id) continue;
      if (!d.upload) return { outcome: { kind: 'rejected', message: 'This app cannot upload photos.' }, op: current };
      const up = await d.upload(current, photo);
      if (up.kind !== 'ok') return { outcome: up, op: current };
      current = { ...current, photos: (current.photos ?? []).map((p, j) => (j === i ? { ...p, id: up.id } : p)) };
      await d.save(current);
    }
    const outcome = await d.send(current);
    const lost = outcome.kind === 'rejected' ? (outcome.photos ?? []).filter((i) => i < count) : [];
    if (round === 0 && lost.length > 0) {
      current = {
        ...current,
        photos: (current.photos ?? []).map((p, j) => {
          if (!lost.includes(j)) return p;
          const { id: _, ...again } = p;
          return again;
        }),
      };
      await d.save(current);
      continue;
    }
    return { outcome, op: current };
  }
}

/** Photos a set of ops carries (for "2 photos waiting"). */
export function photosIn(ops: TickOp[]): number {
  return ops.reduce((n, o) => n + (o.photos?.length ?? 0), 0);
}

/**
 * What the person should see for a task while ticks are waiting: the latest pending op for it
 * wins over the server's state (ticks are replayed in order, so the last one is what will stick).
 */
export function overlay(ops: TickOp[], eventId: string): Map<string, TickOp> {
  const latest = new Map<string, TickOp>();
  for (const op of ops) {
    if (op.eventId === eventId && op.state === 'pending') latest.set(op.taskId, op);
  }
  return latest;
}

/**
 * An event list as it will read once the waiting ticks are in: each event's `tasks_done` moved by
 * the pending ops of this list's events (the server's copy counts none of them). A task's first
 * waiting op tells the state the copy knew (a tick is made on an open task, an untick on a done
 * one), its last the state that will stick; so a tick then an untick moves nothing. Kept within
 * 0..tasks_total. Events without waiting ticks are returned as they are.
 */
export function withQueuedTicks<E extends { id: string; tasks_done: number; tasks_total: number }>(
  events: E[],
  ops: TickOp[],
): E[] {
  const byEvent = new Map<string, Map<string, { first: boolean; last: boolean }>>();
  for (const op of ops) {
    if (op.state !== 'pending') continue;
    let tasks = byEvent.get(op.eventId);
    if (!tasks) byEvent.set(op.eventId, (tasks = new Map()));
    const seen = tasks.get(op.taskId);
    if (seen) seen.last = op.done;
    else tasks.set(op.taskId, { first: op.done, last: op.done });
  }
  if (byEvent.size === 0) return events;
  return events.map((e) => {
    const tasks = byEvent.get(e.id);
    if (!tasks) return e;
    let delta = 0;
    for (const { first, last } of tasks.values()) delta += (last ? 1 : 0) - (first ? 0 : 1);
    if (delta === 0) return e;
    return { ...e, tasks_done: Math.min(e.tasks_total, Math.max(0, e.tasks_done + delta)) };
  });
}
