// Runs the tick queue for the signed-in person: sends their ticks through the API, replays the
// queue when the connection comes back (and every few seconds while anything waits), and tells
// the screens what is waiting, what was refused, and whether a new sign-in is needed.

import { OfflineError, problemOf, putBlob, requestPhoto, tick as putTick, type TickBody } from '../api';
import { photoIndexOf } from '../photos';
import { db } from '../cache';
import { sessions } from '../session';
import { Store } from '../store';
import { serverClock } from '../time';
import type { PhotoGrant, PhotoUpload, TickResult } from '../types';
import {
  deliver,
  type FlushReport,
  type NewTick,
  photosIn,
  type QueuedPhoto,
  tickFields,
  type SendOutcome,
  SyncQueue,
  type TickOp,
  type UploadOutcome,
} from './queue';

export interface SyncStatus {
  /** Ticks of this person in this org waiting to be sent. */
  pending: number;
  /** Ticks waiting for another org or person on this device (sent when they sign in there). */
  pendingElsewhere: number;
  /** Photos those waiting ticks of this person carry. */
  photos: number;
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
  photos: 0,
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
      // The server names why (a captain's task, issue 17): its words, else the older reason.
      return detail || 'Your role cannot tick tasks.';
    case 404:
      return 'This event or task is no longer yours.';
    case 409:
      // Cancelled, or its checklist signed off (issue 17, item 4): the server says which.
      return detail || 'The event was cancelled or its checklist signed off.';
    default:
      return detail || `The server refused it (${status}).`;
  }
}

/** The tick as sent: the note and the uploaded photos' ids only when it carries them. */
export function tickBody(op: TickOp): TickBody {
  const body: TickBody = { done: op.done, op_id: op.opId, at: op.at };
  if (op.note) body.note = op.note;
  if (op.photos?.length) body.photos = op.photos.map((p) => ({ id: p.id ?? '', content_type: p.content_type }));
  return body;
}

export async function sendOp(op: TickOp): Promise<SendOutcome> {
  const session = sessions.get();
  if (!session || session.email !== op.email || session.org.id !== op.org) return { kind: 'unauthorized' };
  // Never a tick naming a photo that is not in storage (the queue uploads them first).
  if (op.photos?.some((p) => !p.id)) return { kind: 'retry', message: 'A photo has not been uploaded yet.' };
  let response: Response;
  try {
    response = await putTick(op.eventId, op.taskId, tickBody(op), session.token);
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
  return answerOutcome(response);
}

/** What a non-2xx answer of the API means for a queued op: wait, sign in again, or refused. */
async function answerOutcome(response: Response): Promise<Exclude<SendOutcome, { kind: 'ok' }>> {
  if (response.status === 401) return { kind: 'unauthorized' };
  const error = await problemOf(response);
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    return {
      kind: 'retry',
      message: error.message,
      ...(error.retryAfterSeconds != null ? { retryAfterMs: error.retryAfterSeconds * 1000 } : {}),
    };
  }
  const fields = error.problem?.errors ?? [];
  const photos = fields.map((f) => photoIndexOf(f.field)).filter((i): i is number => i !== null);
  const said = fields.length ? fields.map((f) => f.message).join('. ') : (error.problem?.detail ?? '');
  return {
    kind: 'rejected',
    message: rejectionMessage(response.status, said),
    ...(photos.length ? { photos } : {}),
  };
}

/** A passing failure of storage, or one it will give again. */
async function storageOutcome(response: Response): Promise<'expired' | UploadOutcome> {
  if (response.status === 403) return 'expired';
  let text = '';
  try {
    text = await response.text();
  } catch {
    /* no body */
  }
  // S3 answers a too-slow upload with 400 RequestTimeout: the signal's fault, not the photo's.
  if (response.status === 408 || response.status === 429 || response.status >= 500 || /RequestTimeout/.test(text)) {
    return { kind: 'retry', message: `Photo storage answered ${response.status}; retrying.` };
  }
  return { kind: 'rejected', message: `Photo storage refused the photo (${response.status}).` };
}

async function putPart(upload: PhotoUpload, blob: Blob): Promise<'ok' | 'expired' | UploadOutcome> {
  let response: Response;
  try {
    response = await putBlob(upload, blob);
  } catch {
    return { kind: 'offline' };
  }
  return response.ok ? 'ok' : storageOutcome(response);
}

/**
 * Puts one photo of a queued tick in storage: asks the API for a new photo id and upload URLs
 * (declaring the blobs' exact sizes, which the URLs are signed for), then PUTs the full image
 * and the thumbnail straight to storage. URLs that expired on the way (403) are asked for once
 * more, which gives a new id: the tick names whichever id was uploaded.
 */
export async function uploadPhoto(op: TickOp, photo: QueuedPhoto): Promise<UploadOutcome> {
  const session = sessions.get();
  if (!session || session.email !== op.email || session.org.id !== op.org) return { kind: 'unauthorized' };
  for (let attempt = 0; attempt < 2; attempt++) {
    let response: Response;
    try {
      response = await requestPhoto(
        op.eventId,
        op.taskId,
        { content_type: photo.content_type, bytes: photo.full.size, thumb_bytes: photo.thumb.size },
        session.token,
      );
    } catch (e) {
      if (e instanceof OfflineError) return { kind: 'offline' };
      return { kind: 'retry', message: e instanceof Error ? e.message : String(e) };
    }
    if (!response.ok) {
      const refused = await answerOutcome(response);
      return refused.kind === 'rejected' ? { ...refused, message: `The photo was refused: ${refused.message}` } : refused;
    }
    let grant: PhotoGrant;
    try {
      grant = (await response.json()) as PhotoGrant;
    } catch {
      return { kind: 'retry', message: 'Unexpected answer from the server' };
    }
    if (!grant?.photo?.id || !grant.upload?.url || !grant.thumb_upload?.url) {
      return { kind: 'retry', message: 'Unexpected answer from the server' };
    }
    const full = await putPart(grant.upload, photo.full);
    if (full === 'expired') continue;
    if (full !== 'ok') return full;
    const thumb = await putPart(grant.thumb_upload, photo.thumb);
    if (thumb === 'expired') continue;
    if (thumb !== 'ok') return thumb;
    return { kind: 'ok', id: grant.photo.id };
  }
  return { kind: 'retry', message: 'Photo storage refused the upload links; retrying.' };
}

export const queue = new SyncQueue({
  db,
  send: sendOp,
  upload: uploadPhoto,
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
    const ops = pending.filter(mine);
    syncStatus.set({
      pending: ops.length,
      pendingElsewhere: pending.filter((o) => !mine(o)).length,
      photos: photosIn(ops),
      ops,
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

/** What a tick may carry besides done or not. */
export interface TickExtras {
  note?: string;
  photos?: Array<Pick<QueuedPhoto, 'full' | 'thumb' | 'content_type'>>;
}

/** Records a tick (durably, first, with its note and photos) and tries to send it at once. */
export async function recordTick(eventId: string, taskId: string, done: boolean, extras: TickExtras = {}): Promise<TickOp> {
  const s = sessions.get();
  if (!s) throw new Error('Not signed in');
  // Throws InvalidTick (a note too long, too many photos) before anything is kept or sent.
  const tick = tickFields({ eventId, taskId, done, org: s.org.id, email: s.email, ...extras });
  let op: TickOp;
  try {
    op = await queue.enqueue(tick);
  } catch {
    // No IndexedDB on this browser (some private modes): send it straight away, or say so.
    return sendDirect(tick);
  }
  await refreshStatus();
  void syncNow();
  return op;
}

async function sendDirect(tick: NewTick): Promise<TickOp> {
  const op: TickOp = {
    ...tick,
    opId: crypto.randomUUID(),
    at: new Date(serverClock.now()).toISOString(),
    state: 'pending',
    attempts: 0,
  };
  const { outcome, op: sent } = await deliver(op, { send: sendOp, upload: uploadPhoto, save: async () => undefined });
  if (outcome.kind === 'ok') {
    for (const l of syncedListeners) l(sent, outcome.result);
    return sent;
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
