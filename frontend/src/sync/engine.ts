// Runs the tick queue for the signed-in person: sends their ticks through the API, replays the
// queue when the connection comes back (and every few seconds while anything waits), and tells
// the screens what is waiting, what was refused, and whether a new sign-in is needed.

import { OfflineError, problemOf, tick as putTick } from '../api';
import { db } from '../cache';
import { sessions } from '../session';
import { Store } from '../store';
import { serverClock } from '../time';
import type { TickResult } from '../types';
import { type FlushReport, type SendOutcome, SyncQueue, type TickOp } from './queue';

export interface SyncStatus {
  /** Ticks of this person in this org waiting to be sent. */
  pending: number;
  /** Ticks waiting for another org or person on this device (sent when they sign in there). */
  pendingElsewhere: number;
  rejected: TickOp[];
  /** The pending ops themselves (for showing which tasks wait). */
  ops: TickOp[];
  syncing: boolean;
  /** A 401 while syncing: the queue is kept, the person must sign in again. */
  needsSignIn: boolean;
  online: boolean;
  lastError: string | null;
}

export const syncStatus = new Store<SyncStatus>({
  pending: 0,
  pendingElsewhere: 0,
  rejected: [],
  ops: [],
  syncing: false,
  needsSignIn: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  lastError: null,
});

type SyncedListener = (op: TickOp, result: TickResult) => void;
const syncedListeners = new Set<SyncedListener>();

/** Called for each op the server has answered for (to update the screen without a reload). */
export function onSynced(l: SyncedListener): () => void {
  syncedListeners.add(l);
  return () => syncedListeners.delete(l);
}

function rejectionMessage(status: number, detail: string): string {
  switch (status) {
    case 403:
      return 'Your role cannot tick tasks.';
    case 404:
      return 'This event or task is no longer yours.';
    case 409:
      return detail || 'The event was cancelled.';
    default:
      return detail || `The server refused it (${status}).`;
  }
}

export async function sendOp(op: TickOp): Promise<SendOutcome> {
  const session = sessions.get();
  if (!session || session.email !== op.email || session.org.id !== op.org) return { kind: 'unauthorized' };
  let response: Response;
  try {
    response = await putTick(op.eventId, op.taskId, { done: op.done, op_id: op.opId, at: op.at }, session.token);
  } catch (e) {
    if (e instanceof OfflineError) return { kind: 'offline' };
    return { kind: 'retry', message: e instanceof Error ? e.message : String(e) };
  }
  if (response.ok) {
    try {
      return { kind: 'ok', result: (await response.json()) as TickResult };
    } catch {
      // Answered but unreadable (a captive portal?): not proof the server has it. Replay later.
      return { kind: 'retry', message: 'Unexpected answer from the server' };
    }
  }
  if (response.status === 401) return { kind: 'unauthorized' };
  const error = await problemOf(response);
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    return {
      kind: 'retry',
      message: error.message,
      ...(error.retryAfterSeconds != null ? { retryAfterMs: error.retryAfterSeconds * 1000 } : {}),
    };
  }
  return { kind: 'rejected', message: rejectionMessage(response.status, error.problem?.detail ?? '') };
}

export const queue = new SyncQueue({
  db,
  send: sendOp,
  now: () => serverClock.now(),
  locks: typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : undefined,
});

/** Re-reads the queue into the status store. */
export async function refreshStatus(): Promise<void> {
  try {
    const all = await queue.all();
    const s = sessions.get();
    const mine = (o: TickOp) => !!s && o.email === s.email && o.org === s.org.id;
    const pending = all.filter((o) => o.state === 'pending');
    syncStatus.set({
      pending: pending.filter(mine).length,
      pendingElsewhere: pending.filter((o) => !mine(o)).length,
      ops: pending.filter(mine),
      rejected: all.filter((o) => o.state === 'rejected' && mine(o)),
    });
  } catch {
    /* no IndexedDB: nothing queued */
  }
}

let retryTimer: ReturnType<typeof setTimeout> | null = null;
let backoffMs = 5000;

/** Sends what waits, now. Safe to call any time, as often as wanted. */
export async function syncNow(): Promise<FlushReport | null> {
  const s = sessions.get();
  if (!s) {
    await refreshStatus();
    return null;
  }
  syncStatus.set({ syncing: true });
  try {
    const report = await queue.flush({ org: s.org.id, email: s.email });
    for (const { op, result } of report.synced) for (const l of syncedListeners) l(op, result);
    if (report.synced.length > 0) syncStatus.set({ online: true });
    switch (report.stoppedBy) {
      case 'unauthorized':
        syncStatus.set({ needsSignIn: true, lastError: null });
        break;
      case 'offline':
        syncStatus.set({ online: false, lastError: null });
        break;
      case 'retry':
        syncStatus.set({ lastError: 'The server is having trouble; retrying.' });
        scheduleRetry(report.retryAfterMs ?? backoffMs);
        backoffMs = Math.min(backoffMs * 2, 120_000);
        break;
      default:
        backoffMs = 5000;
        syncStatus.set({ lastError: null, needsSignIn: false });
    }
    return report;
  } catch (e) {
    syncStatus.set({ lastError: e instanceof Error ? e.message : String(e) });
    return null;
  } finally {
    syncStatus.set({ syncing: false });
    await refreshStatus();
  }
}

function scheduleRetry(ms: number): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    void syncNow();
  }, ms);
}

/** Records a tick (durably, first) and tries to send it at once. */
export async function recordTick(eventId: string, taskId: string, done: boolean): Promise<TickOp> {
  const s = sessions.get();
  if (!s) throw new Error('Not signed in');
  let op: TickOp;
  try {
    op = await queue.enqueue({ eventId, taskId, done, org: s.org.id, email: s.email });
  } catch {
    // No IndexedDB on this browser (some private modes): send it straight away, or say so.
    return sendDirect({ eventId, taskId, done, org: s.org.id, email: s.email });
  }
  await refreshStatus();
  void syncNow();
  return op;
}

async function sendDirect(tick: Pick<TickOp, 'eventId' | 'taskId' | 'done' | 'org' | 'email'>): Promise<TickOp> {
  const op: TickOp = {
    ...tick,
    opId: crypto.randomUUID(),
    at: new Date(serverClock.now()).toISOString(),
    state: 'pending',
    attempts: 0,
  };
  const outcome = await sendOp(op);
  if (outcome.kind === 'ok') {
    for (const l of syncedListeners) l(op, outcome.result);
    return op;
  }
  if (outcome.kind === 'unauthorized') syncStatus.set({ needsSignIn: true });
  throw new Error(
    outcome.kind === 'offline'
      ? 'this browser cannot keep ticks offline (no IndexedDB), and there is no connection'
      : outcome.kind === 'rejected' || outcome.kind === 'retry'
        ? outcome.message
        : 'sign in again',
  );
}

export async function dismissRejected(seq: number): Promise<void> {
  await queue.dismiss(seq);
  await refreshStatus();
}

let started = false;

/** Wires the triggers: coming online, the page becoming visible, a new sign-in, a slow timer. */
export function startSync(): void {
  if (started) return;
  started = true;
  queue.subscribe(() => void refreshStatus());
  window.addEventListener('online', () => {
    syncStatus.set({ online: true });
    void syncNow();
  });
  window.addEventListener('offline', () => syncStatus.set({ online: false }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void syncNow();
  });
  let lastToken = sessions.get()?.token;
  sessions.subscribe(() => {
    const token = sessions.get()?.token;
    if (token === lastToken) return;
    lastToken = token;
    if (token) syncStatus.set({ needsSignIn: false });
    void syncNow();
  });
  setInterval(() => {
    const st = syncStatus.get();
    if (st.pending > 0 && !st.syncing && !st.needsSignIn && !retryTimer) void syncNow();
  }, 10_000);
  void syncNow();
}
