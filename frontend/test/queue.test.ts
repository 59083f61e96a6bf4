import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../src/db';
import { InvalidTick, SyncQueue, overlay, photosIn, withQueuedTicks, type SendOutcome, type TickOp, type UploadOutcome } from '../src/sync/queue';
import type { TickResult } from '../src/types';

const ME = { org: 'jada', email: 'deck.jada@example.com' };

/** A server that applies each op id once, like the real one, and can fail on demand. */
class FakeServer {
  applied = new Map<string, TickOp>();
  received: string[] = [];
  tasks = new Map<string, boolean>();
  /** Next answers to give instead of a success (then normal service). */
  script: Array<SendOutcome['kind'] | 'lost'> = [];

  send = async (op: TickOp): Promise<SendOutcome> => {
    this.received.push(op.opId);
    const scripted = this.script.shift();
    if (scripted === 'offline') return { kind: 'offline' };
    if (scripted === 'unauthorized') return { kind: 'unauthorized' };
    if (scripted === 'retry') return { kind: 'retry', message: 'server trouble', retryAfterMs: 2000 };
    if (scripted === 'rejected') return { kind: 'rejected', message: 'The event was cancelled.' };
    const first = !this.applied.has(op.opId);
    if (first) {
      this.applied.set(op.opId, op);
      this.tasks.set(`${op.eventId}/${op.taskId}`, op.done);
    }
    // The request reached the server but its answer never came back.
    if (scripted === 'lost') return { kind: 'offline' };
    const result: TickResult = {
      applied: first,
      superseded: false,
      task_id: op.taskId,
      done: this.tasks.get(`${op.eventId}/${op.taskId}`) ?? false,
      by: op.email,
      at: op.at,
      etag: '"e-1-2"',
    };
    return { kind: 'ok', result };
  };
}

let factory: IDBFactory;
let server: FakeServer;
let ids: number;

function makeQueue(over: Partial<ConstructorParameters<typeof SyncQueue>[0]> = {}) {
  return new SyncQueue({
    db: () => openDb(factory, 'test'),
    send: server.send,
    uuid: () => `op-${String(++ids).padStart(4, '0')}-xxxxxxxxxxxxxxxx`,
    now: () => Date.parse('2026-11-25T22:00:00Z'),
    ...over,
  });
}

beforeEach(() => {
  factory = new IDBFactory();
  server = new FakeServer();
  ids = 0;
});

describe('SyncQueue', () => {
  it('keeps ticks in IndexedDB, in order, each with its own op id', async () => {
    const q = makeQueue();
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'fuel_check', done: true });
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'life_jackets', done: true });
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'fuel_check', done: false });
    const ops = await q.pending(ME);
    expect(ops.map((o) => [o.taskId, o.done])).toEqual([
      ['fuel_check', true],
      ['life_jackets', true],
      ['fuel_check', false],
    ]);
    expect(new Set(ops.map((o) => o.opId)).size).toBe(3);
    expect(ops.every((o) => o.at === '2026-11-25T22:00:00.000Z' && o.state === 'pending')).toBe(true);
    expect(ops.map((o) => o.seq)).toEqual([...ops.map((o) => o.seq)].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it('uses crypto.randomUUID for op ids by default', async () => {
    const q = new SyncQueue({ db: () => openDb(factory, 'test'), send: server.send });
    const op = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    expect(op.opId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('replays in order and empties the queue once the server has answered', async () => {
    const q = makeQueue();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    const b = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'b', done: true });
    const report = await q.flush(ME);
    expect(report.stoppedBy).toBeNull();
    expect(report.synced.map((s) => s.op.opId)).toEqual([a.opId, b.opId]);
    expect(server.received).toEqual([a.opId, b.opId]);
    expect(await q.pending(ME)).toEqual([]);
  });

  it('offline: stops at the first op, keeps it and all after it, and resumes later in order', async () => {
    const q = makeQueue();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    const b = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'b', done: true });
    server.script = ['offline'];
    const first = await q.flush(ME);
    expect(first.stoppedBy).toBe('offline');
    expect(first.synced).toEqual([]);
    const kept = await q.pending(ME);
    expect(kept.map((o) => o.opId)).toEqual([a.opId, b.opId]);
    expect(kept[0]?.attempts).toBe(1);
    const second = await q.flush(ME);
    expect(second.stoppedBy).toBeNull();
    expect(server.received).toEqual([a.opId, a.opId, b.opId]);
    expect([...server.applied.keys()]).toEqual([a.opId, b.opId]);
    expect(await q.pending(ME)).toEqual([]);
  });

  it('never applies a tick twice: a lost answer is replayed with the same op id', async () => {
    const q = makeQueue();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    server.script = ['lost'];
    await q.flush(ME);
    expect(server.applied.size).toBe(1);
    expect((await q.pending(ME)).map((o) => o.opId)).toEqual([a.opId]);
    const report = await q.flush(ME);
    expect(report.synced[0]?.result.applied).toBe(false);
    expect(server.received).toEqual([a.opId, a.opId]);
    expect(server.applied.size).toBe(1);
    expect(await q.pending(ME)).toEqual([]);
  });

  it('never loses a tick across a reload: a new queue on the same database sends it', async () => {
    const before = makeQueue();
    const a = await before.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    server.script = ['offline'];
    await before.flush(ME);
    const after = makeQueue();
    expect((await after.pending(ME)).map((o) => o.opId)).toEqual([a.opId]);
    await after.flush(ME);
    expect(server.applied.has(a.opId)).toBe(true);
    expect(await after.pending(ME)).toEqual([]);
  });

  it('401: keeps the whole queue and says a new sign-in is needed', async () => {
    const q = makeQueue();
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'b', done: true });
    server.script = ['unauthorized'];
    const report = await q.flush(ME);
    expect(report.stoppedBy).toBe('unauthorized');
    expect(await q.pending(ME)).toHaveLength(2);
    expect(server.applied.size).toBe(0);
    // Signed in again: everything goes.
    await q.flush(ME);
    expect(server.applied.size).toBe(2);
  });

  it('server trouble: keeps the op for a later retry, with the wait the server asked for', async () => {
    const q = makeQueue();
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    server.script = ['retry'];
    const report = await q.flush(ME);
    expect(report.stoppedBy).toBe('retry');
    expect(report.retryAfterMs).toBe(2000);
    expect(await q.pending(ME)).toHaveLength(1);
  });

  it('a refused op is kept as rejected (never silently dropped), does not block the rest, and can be dismissed', async () => {
    const q = makeQueue();
    const a = await q.enqueue({ ...ME, eventId: 'CANCELLED', taskId: 'a', done: true });
    const b = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'b', done: true });
    server.script = ['rejected'];
    const report = await q.flush(ME);
    expect(report.stoppedBy).toBeNull();
    expect(report.rejected.map((o) => o.opId)).toEqual([a.opId]);
    expect(report.synced.map((s) => s.op.opId)).toEqual([b.opId]);
    const rejected = await q.rejected(ME);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.error).toBe('The event was cancelled.');
    expect(await q.pending(ME)).toEqual([]);
    // A second flush does not resend it.
    await q.flush(ME);
    expect(server.received.filter((id) => id === a.opId)).toHaveLength(1);
    await q.dismiss(rejected[0]?.seq ?? -1);
    expect(await q.all()).toEqual([]);
  });

  it('pending ops cannot be dismissed', async () => {
    const q = makeQueue();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    await q.dismiss(a.seq ?? -1);
    expect(await q.pending(ME)).toHaveLength(1);
  });

  it("sends only the signed-in person's ticks for the org they are signed in to", async () => {
    const q = makeQueue();
    const mine = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    const otherOrg = await q.enqueue({ ...ME, org: 'queen-of-san-diego', eventId: 'E2', taskId: 'a', done: true });
    const otherPerson = await q.enqueue({ org: 'jada', email: 'sam.crew@example.com', eventId: 'E1', taskId: 'b', done: true });
    await q.flush(ME);
    expect(server.received).toEqual([mine.opId]);
    expect((await q.pending()).map((o) => o.opId)).toEqual([otherOrg.opId, otherPerson.opId]);
    await q.flush({ org: 'queen-of-san-diego', email: ME.email });
    expect(server.received).toEqual([mine.opId, otherOrg.opId]);
  });

  it('concurrent flushes send each op once', async () => {
    const q = makeQueue();
    for (const t of ['a', 'b', 'c']) await q.enqueue({ ...ME, eventId: 'E1', taskId: t, done: true });
    await Promise.all([q.flush(ME), q.flush(ME), q.flush(ME)]);
    expect(server.received).toHaveLength(3);
    expect(new Set(server.received).size).toBe(3);
  });

  it('serialises through the lock manager when there is one (other tabs)', async () => {
    const held: string[] = [];
    const locks = {
      request: (async (name: string, cb: () => Promise<unknown>) => {
        held.push(name);
        return cb();
      }) as unknown as LockManager['request'],
    };
    const q = makeQueue({ locks });
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    await q.flush(ME);
    expect(held).toEqual(['shipcaptaincrew-sync']);
    expect(server.applied.size).toBe(1);
  });

  it('tells listeners about every change', async () => {
    const q = makeQueue();
    let calls = 0;
    const off = q.subscribe(() => calls++);
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true });
    await q.flush(ME);
    off();
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'b', done: true });
    expect(calls).toBe(2);
  });
});

describe('overlay', () => {
  const op = (taskId: string, done: boolean, state: TickOp['state'] = 'pending', eventId = 'E1'): TickOp => ({
    ...ME,
    opId: `${taskId}-${done}-${state}`,
    eventId,
    taskId,
    done,
    at: '2026-11-25T22:00:00Z',
    state,
    attempts: 0,
  });
  it('shows the last pending tick of each task of this event', () => {
    const shown = overlay(
      [op('a', true), op('b', true), op('a', false), op('c', true, 'rejected'), op('d', true, 'pending', 'E2')],
      'E1',
    );
    expect([...shown.entries()].map(([k, v]) => [k, v.done])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });
});

describe('a tick with a note and photos', () => {
  const jpeg = (label: string) => new Blob([label], { type: 'image/jpeg' });
  const photo = (n: number) => ({ full: jpeg(`full-${n}`), thumb: jpeg(`thumb-${n}`), content_type: 'image/jpeg' });

  /** Photo storage with the API's photo endpoint in front: ids in order, failures on demand. */
  class FakeStorage {
    stored = new Map<string, string>();
    /** Everything that reached the server, in order: `upload full-1 -> P1`, `tick op-…`. */
    log: string[] = [];
    script: Array<'ok' | 'offline' | 'retry' | 'rejected' | 'crash'> = [];
    private next = 0;
    upload = async (_op: TickOp, p: { full: Blob }): Promise<UploadOutcome> => {
      const scripted = this.script.shift();
      if (scripted === 'offline') return { kind: 'offline' };
      if (scripted === 'retry') return { kind: 'retry', message: 'storage trouble' };
      if (scripted === 'rejected') return { kind: 'rejected', message: 'The event is cancelled.' };
      const id = `P${++this.next}`;
      const what = await p.full.text();
      this.stored.set(id, what);
      this.log.push(`upload ${what} -> ${id}`);
      // In storage, but the tab died before the id was written down.
      if (scripted === 'crash') throw new Error('tab closed');
      return { kind: 'ok', id };
    };
  }

  let storage: FakeStorage;
  beforeEach(() => {
    storage = new FakeStorage();
  });
  const withPhotos = () => {
    const send = server.send;
    return makeQueue({
      upload: storage.upload,
      send: async (op) => {
        storage.log.push(`tick ${op.taskId} ${JSON.stringify({ note: op.note, photos: op.photos?.map((p) => p.id) })}`);
        return send(op);
      },
    });
  };

  it('keeps the note and the photo blobs in IndexedDB, across a reload', async () => {
    const before = withPhotos();
    await before.enqueue({ ...ME, eventId: 'E1', taskId: 'fuel_check', done: true, note: '  Fuel 3/4 ', photos: [photo(1), photo(2)] });
    const [op] = await withPhotos().pending(ME);
    expect(op?.note).toBe('Fuel 3/4');
    expect(op?.photos).toHaveLength(2);
    expect(op?.photos?.[1]?.full).toBeInstanceOf(Blob);
    expect(await op?.photos?.[1]?.full.text()).toBe('full-2');
    expect(await op?.photos?.[1]?.thumb.text()).toBe('thumb-2');
    expect(op?.photos?.[1]?.id).toBeUndefined();
    expect(photosIn(await before.pending(ME))).toBe(2);
  });

  it('a tick without a note or photos is kept as before: no empty fields', async () => {
    const op = await withPhotos().enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true, note: '   ', photos: [] });
    expect('note' in op).toBe(false);
    expect('photos' in op).toBe(false);
  });

  it('uploads each photo, then sends the tick naming their ids; the queue empties', async () => {
    const q = withPhotos();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'fuel_check', done: true, note: 'Fuel 3/4', photos: [photo(1), photo(2)] });
    const report = await q.flush(ME);
    expect(report.stoppedBy).toBeNull();
    expect(storage.log).toEqual([
      'upload full-1 -> P1',
      'upload full-2 -> P2',
      'tick fuel_check {"note":"Fuel 3/4","photos":["P1","P2"]}',
    ]);
    expect(report.synced[0]?.op.photos?.map((p) => p.id)).toEqual(['P1', 'P2']);
    expect([...server.applied.keys()]).toEqual([a.opId]);
    expect(await q.all()).toEqual([]);
  });

  it('a failure between the uploads and the tick keeps the op, with the ids it has; the next sync goes on from there', async () => {
    const q = withPhotos();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'damage', done: true, photos: [photo(1), photo(2)] });
    const b = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'later', done: true });
    storage.script = ['ok', 'offline'];
    const first = await q.flush(ME);
    expect(first.stoppedBy).toBe('offline');
    expect(server.received).toEqual([]);
    const kept = await q.pending(ME);
    expect(kept.map((o) => o.opId)).toEqual([a.opId, b.opId]);
    expect(kept[0]?.photos?.map((p) => p.id)).toEqual(['P1', undefined]);
    expect(kept[0]?.attempts).toBe(1);
    // Storage trouble keeps it too.
    storage.script = ['retry'];
    expect((await q.flush(ME)).stoppedBy).toBe('retry');
    expect(server.received).toEqual([]);
    // Back: only the second photo goes, then the tick, then the tick queued after it.
    const second = await q.flush(ME);
    expect(second.stoppedBy).toBeNull();
    expect(storage.log).toEqual([
      'upload full-1 -> P1',
      'upload full-2 -> P2',
      'tick damage {"photos":["P1","P2"]}',
      'tick later {}',
    ]);
    expect(server.received).toEqual([a.opId, b.opId]);
    expect(await q.all()).toEqual([]);
  });

  it('a tab closed after an upload but before its id was kept: uploaded again (new id), ticked once', async () => {
    const q = withPhotos();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'damage', done: true, photos: [photo(1)] });
    storage.script = ['crash'];
    await expect(q.flush(ME)).rejects.toThrow('tab closed');
    expect((await q.pending(ME))[0]?.photos?.[0]?.id).toBeUndefined();
    const after = withPhotos();
    await after.flush(ME);
    expect(storage.log).toEqual(['upload full-1 -> P1', 'upload full-1 -> P2', 'tick damage {"photos":["P2"]}']);
    expect([...server.applied.keys()]).toEqual([a.opId]);
  });

  it("a tick's lost answer is replayed with the same op id and the same photos, uploading nothing again", async () => {
    const q = withPhotos();
    const a = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'damage', done: true, photos: [photo(1)] });
    server.script = ['lost'];
    await q.flush(ME);
    expect((await q.pending(ME))[0]?.photos?.[0]?.id).toBe('P1');
    const report = await q.flush(ME);
    expect(report.synced[0]?.result.applied).toBe(false);
    expect(storage.log).toEqual(['upload full-1 -> P1', 'tick damage {"photos":["P1"]}', 'tick damage {"photos":["P1"]}']);
    expect(server.applied.size).toBe(1);
    expect(server.received).toEqual([a.opId, a.opId]);
  });

  it('a photo the server does not find in storage is uploaded once more under a new id; twice is refused', async () => {
    let refusals = 2;
    const q = makeQueue({
      upload: storage.upload,
      send: async (op) => {
        storage.log.push(`tick ${op.photos?.map((p) => p.id).join(',')}`);
        if (refusals-- > 0) return { kind: 'rejected', message: 'photos/1: not uploaded', photos: [1] };
        return server.send(op);
      },
    });
    await q.enqueue({ ...ME, eventId: 'E1', taskId: 'damage', done: true, photos: [photo(1), photo(2)] });
    const report = await q.flush(ME);
    expect(storage.log).toEqual([
      'upload full-1 -> P1',
      'upload full-2 -> P2',
      'tick P1,P2',
      'upload full-2 -> P3',
      'tick P1,P3',
    ]);
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0]?.error).toBe('photos/1: not uploaded');
    // Kept for the person to see, with its photos.
    expect((await q.rejected(ME))[0]?.photos).toHaveLength(2);
    expect(server.applied.size).toBe(0);
  });

  it('a photo refused for good (the event was cancelled) refuses its tick, not the ones after it', async () => {
    const q = withPhotos();
    await q.enqueue({ ...ME, eventId: 'CANCELLED', taskId: 'a', done: true, photos: [photo(1)] });
    const b = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'b', done: true });
    storage.script = ['rejected'];
    const report = await q.flush(ME);
    expect(report.rejected[0]?.error).toBe('The event is cancelled.');
    expect(report.synced.map((s) => s.op.opId)).toEqual([b.opId]);
    expect(server.received).toEqual([b.opId]);
  });

  it('never keeps a note over 280 characters or more than 3 photos', async () => {
    const q = withPhotos();
    await expect(q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true, note: 'x'.repeat(281) })).rejects.toThrow(InvalidTick);
    await expect(
      q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true, photos: [photo(1), photo(2), photo(3), photo(4)] }),
    ).rejects.toThrow('3 photos at most per tick.');
    expect(await q.all()).toEqual([]);
    const ok = await q.enqueue({ ...ME, eventId: 'E1', taskId: 'a', done: true, note: 'x'.repeat(280), photos: [photo(1), photo(2), photo(3)] });
    expect(ok.note).toHaveLength(280);
  });
});

describe('withQueuedTicks (the offline list counts the waiting ticks)', () => {
  const op = (eventId: string, taskId: string, done: boolean, state: TickOp['state'] = 'pending'): TickOp => ({
    ...ME,
    opId: `${eventId}-${taskId}-${done}-${state}-${Math.random()}`,
    eventId,
    taskId,
    done,
    at: '2026-11-25T22:00:00Z',
    state,
    attempts: 0,
  });
  const list = [
    { id: 'E1', tasks_done: 2, tasks_total: 5 },
    { id: 'E2', tasks_done: 4, tasks_total: 4 },
    { id: 'E3', tasks_done: 0, tasks_total: 3 },
  ];
  const counts = (ops: TickOp[]) => withQueuedTicks(list, ops).map((e) => e.tasks_done);

  it.each([
    ['nothing waiting', [], [2, 4, 0]],
    ['two ticks on one event', [op('E1', 'a', true), op('E1', 'b', true)], [4, 4, 0]],
    ['an untick', [op('E2', 'a', false)], [2, 3, 0]],
    ['a tick then an untick of the same task', [op('E1', 'a', true), op('E1', 'a', false)], [2, 4, 0]],
    ['an untick then a tick again', [op('E2', 'a', false), op('E2', 'a', true)], [2, 4, 0]],
    ['tick, untick, tick: one more', [op('E3', 'a', true), op('E3', 'a', false), op('E3', 'a', true)], [2, 4, 1]],
    ['a rejected tick counts nothing', [op('E1', 'a', true, 'rejected')], [2, 4, 0]],
    ['an event not in the list', [op('E9', 'a', true)], [2, 4, 0]],
    ['never past the total', [op('E2', 'x', true)], [2, 4, 0]],
    ['never below zero', [op('E3', 'x', false)], [2, 4, 0]],
  ] as const)('%s', (_what, ops, want) => {
    expect(counts([...ops])).toEqual(want);
  });

  it('returns the same objects when nothing changes', () => {
    expect(withQueuedTicks(list, [])).toBe(list);
    expect(withQueuedTicks(list, [op('E1', 'a', true)])[1]).toBe(list[1]);
  });
});
