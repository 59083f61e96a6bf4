// How the sync engine reads the server's answers to a tick: what may be retried, what waits
// for a new sign-in, what is refused for good.
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetch } from '../src/api';
import { openDb } from '../src/db';
import { sessions } from '../src/session';
import { sendOp, uploadPhoto } from '../src/sync/engine';
import { SyncQueue, type TickOp } from '../src/sync/queue';
import type { Grant } from '../src/types';

const op: TickOp = {
  seq: 1,
  opId: '0b8f6f0e-6d1a-4c1e-9d1e-6f3f0f0f0f0f',
  eventId: '01M8A19CGSZM0YJ9QHRVEMSYXP',
  taskId: 'fuel_check',
  done: true,
  at: '2026-11-25T22:00:00.000Z',
  org: 'jada',
  email: 'deck.jada@example.com',
  state: 'pending',
  attempts: 0,
};

const grant: Grant = {
  token: 'tok-1',
  expires_at: '2099-01-01T00:00:00Z',
  email: 'deck.jada@example.com',
  org: { id: 'jada', name: 'JADA', zone: 'America/Los_Angeles' },
  role: 'crew',
  memberships: [{ org_id: 'jada', org_name: 'JADA', role: 'crew' }],
};

let requests: Array<{ url: string; init: RequestInit }> = [];

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  setFetch(async (url, init) => {
    requests.push({ url: String(url), init: init ?? {} });
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json', ...headers },
    });
  });
}

beforeEach(() => {
  requests = [];
  sessions.signIn(grant);
});

describe('sendOp', () => {
  it('PUTs the tick with its op id and time, with the session token', async () => {
    answer(200, { applied: true, superseded: false, task_id: 'fuel_check', done: true, by: op.email, at: op.at, etag: '"x-1-2"' });
    const out = await sendOp(op);
    expect(out.kind).toBe('ok');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe('/api/events/01M8A19CGSZM0YJ9QHRVEMSYXP/tasks/fuel_check');
    expect(requests[0]!.init.method).toBe('PUT');
    expect((requests[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok-1');
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({ done: true, op_id: op.opId, at: op.at });
  });
  it('takes a replay (applied: false) as done', async () => {
    answer(200, { applied: false, superseded: false, task_id: 'fuel_check', done: true, by: op.email, at: op.at, etag: '"x-1-2"' });
    const out = await sendOp(op);
    expect(out.kind === 'ok' && out.result.applied).toBe(false);
  });
  it('no network: offline, keep it', async () => {
    setFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect((await sendOp(op)).kind).toBe('offline');
  });
  it('401: ask for a new sign-in, and the dead session is dropped', async () => {
    answer(401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 });
    expect((await sendOp(op)).kind).toBe('unauthorized');
    expect(sessions.get()).toBeNull();
    expect(sessions.expired()?.email ?? 'deck.jada@example.com').toBe('deck.jada@example.com');
  });
  it("another person's or org's tick is not sent with this session", async () => {
    answer(200, {});
    expect((await sendOp({ ...op, org: 'queen-of-san-diego' })).kind).toBe('unauthorized');
    expect(requests).toHaveLength(0);
  });
  it('server trouble and rate limits: retry, after Retry-After when given', async () => {
    answer(503, { type: '/problems/unavailable', title: 'Unavailable', status: 503 });
    expect((await sendOp(op)).kind).toBe('retry');
    answer(429, { type: '/problems/rate-limited', title: 'Too many', status: 429 }, { 'Retry-After': '7' });
    const out = await sendOp(op);
    expect(out).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
  });
  it('refused for good: 404 (not mine any more), 409 (cancelled), 400 (too old)', async () => {
    answer(404, { type: '/problems/not-found', title: 'Not found', status: 404 });
    expect(await sendOp(op)).toMatchObject({ kind: 'rejected', message: 'This event or task is no longer yours.' });
    answer(409, { type: '/problems/conflict', title: 'Conflict', status: 409, detail: 'the event is cancelled' });
    expect(await sendOp(op)).toMatchObject({ kind: 'rejected', message: 'the event is cancelled' });
    answer(400, {
      type: '/problems/validation',
      title: 'Invalid',
      status: 400,
      detail: 'at is within the last 30 days',
      errors: [{ field: 'at', code: 'too_old', message: 'at is within the last 30 days' }],
    });
    expect((await sendOp(op)).kind).toBe('rejected');
  });
  it("403 on a captain's task (issue 17): refused for good, in the server's words", async () => {
    const detail = '"Float plan" is the captain\'s task: the event\'s captain or the office ticks it';
    answer(403, { type: '/problems/forbidden', title: 'Forbidden', status: 403, detail });
    expect(await sendOp({ ...op, taskId: 'float_plan' })).toEqual({ kind: 'rejected', message: detail });
    // An older server's 403 without a detail still says why.
    answer(403, { type: '/problems/forbidden', title: 'Forbidden', status: 403 });
    expect(await sendOp(op)).toEqual({ kind: 'rejected', message: 'Your role cannot tick tasks.' });
  });
  it('a 200 that is not JSON (a captive portal) is not taken as proof: retry', async () => {
    setFetch(async () => new Response('<html>Welcome to Marina Wi-Fi</html>', { status: 200 }));
    expect((await sendOp(op)).kind).toBe('retry');
  });
});

describe('a tick with a note and photos', () => {
  const full = new Blob(['f'.repeat(1234)], { type: 'image/jpeg' });
  const thumb = new Blob(['t'.repeat(56)], { type: 'image/jpeg' });
  const withPhoto: TickOp = { ...op, note: 'Fuel 3/4', photos: [{ full, thumb, content_type: 'image/jpeg', id: '01PHOTO1' }] };

  it('the tick names the note and the uploaded photos', async () => {
    answer(200, { applied: true, superseded: false, task_id: 'fuel_check', done: true, by: op.email, at: op.at, etag: '"x-1-2"' });
    expect((await sendOp(withPhoto)).kind).toBe('ok');
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({
      done: true,
      op_id: op.opId,
      at: op.at,
      note: 'Fuel 3/4',
      photos: [{ id: '01PHOTO1', content_type: 'image/jpeg' }],
    });
  });
  it('never sends a tick naming a photo not yet uploaded', async () => {
    answer(200, {});
    const out = await sendOp({ ...withPhoto, photos: [{ full, thumb, content_type: 'image/jpeg' }] });
    expect(out.kind).toBe('retry');
    expect(requests).toHaveLength(0);
  });
  it('a photo the server does not find in storage is named in the refusal', async () => {
    answer(400, {
      type: '/problems/validation',
      title: 'Invalid',
      status: 400,
      errors: [{ field: 'photos/0', code: 'not_uploaded', message: 'not uploaded' }],
    });
    expect(await sendOp(withPhoto)).toMatchObject({ kind: 'rejected', photos: [0], message: 'not uploaded' });
  });
});

describe('uploadPhoto', () => {
  const full = new Blob(['f'.repeat(1234)], { type: 'image/jpeg' });
  const thumb = new Blob(['t'.repeat(56)], { type: 'image/jpeg' });
  const photo = { full, thumb, content_type: 'image/jpeg' };
  const grant = (n: number) => ({
    photo: { id: `01PHOTO${n}`, content_type: 'image/jpeg' },
    upload: {
      url: `https://bucket.s3.us-west-2.amazonaws.com/photos/${n}?X-Amz-Signature=abc`,
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg', 'content-length': '1234' },
    },
    thumb_upload: {
      url: `https://bucket.s3.us-west-2.amazonaws.com/photos/${n}.thumb?X-Amz-Signature=def`,
      method: 'PUT',
      headers: { 'content-type': 'image/jpeg', 'content-length': '56' },
    },
    expires_at: '2026-11-25T22:15:00Z',
  });

  /** The API and storage behind one fake fetch: each answer taken in turn. */
  function serve(answers: Array<(url: string, init: RequestInit) => Response>) {
    setFetch(async (url, init) => {
      requests.push({ url: String(url), init: init ?? {} });
      const next = answers.shift();
      if (!next) throw new Error(`unexpected request ${String(url)}`);
      return next(String(url), init ?? {});
    });
  }
  const json = (status: number, body: unknown) => () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json' },
    });
  const stored = (status = 200, body = '') => () => new Response(body, { status });
  const offline = () => {
    throw new TypeError('Failed to fetch');
  };

  it('asks for an id declaring the exact sizes, PUTs both blobs to storage with no token, and gives the id', async () => {
    serve([json(201, grant(1)), stored(), stored()]);
    expect(await uploadPhoto(op, photo)).toEqual({ kind: 'ok', id: '01PHOTO1' });
    expect(requests.map((r) => `${r.init.method} ${r.url}`)).toEqual([
      'POST /api/events/01M8A19CGSZM0YJ9QHRVEMSYXP/tasks/fuel_check/photos',
      'PUT https://bucket.s3.us-west-2.amazonaws.com/photos/1?X-Amz-Signature=abc',
      'PUT https://bucket.s3.us-west-2.amazonaws.com/photos/1.thumb?X-Amz-Signature=def',
    ]);
    expect((requests[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok-1');
    expect(JSON.parse(String(requests[0]!.init.body))).toEqual({ content_type: 'image/jpeg', bytes: 1234, thumb_bytes: 56 });
    for (const [r, blob] of [
      [requests[1]!, full],
      [requests[2]!, thumb],
    ] as const) {
      // Only the content type: no Authorization, no content-length (the browser sets it from the blob).
      expect(r.init.headers).toEqual({ 'content-type': 'image/jpeg' });
      expect(r.init.body).toBe(blob);
      expect(r.init.credentials).toBe('omit');
    }
  });
  it('upload links expired on the way (403): asks once more and gives the new id', async () => {
    serve([json(201, grant(1)), stored(), stored(403), json(201, grant(2)), stored(), stored()]);
    expect(await uploadPhoto(op, photo)).toEqual({ kind: 'ok', id: '01PHOTO2' });
    expect(requests.filter((r) => r.init.method === 'POST')).toHaveLength(2);
  });
  it('expired twice: keeps it for later', async () => {
    serve([json(201, grant(1)), stored(403), json(201, grant(2)), stored(403)]);
    expect((await uploadPhoto(op, photo)).kind).toBe('retry');
  });
  it('no network on the way to storage: offline, keep it', async () => {
    serve([json(201, grant(1)), offline]);
    expect((await uploadPhoto(op, photo)).kind).toBe('offline');
    serve([offline]);
    expect((await uploadPhoto(op, photo)).kind).toBe('offline');
  });
  it('storage trouble, or S3 timing out a slow upload: retry', async () => {
    serve([json(201, grant(1)), stored(503)]);
    expect((await uploadPhoto(op, photo)).kind).toBe('retry');
    serve([json(201, grant(1)), stored(400, '<Error><Code>RequestTimeout</Code></Error>')]);
    expect((await uploadPhoto(op, photo)).kind).toBe('retry');
  });
  it('storage refusing the photo itself: refused', async () => {
    serve([json(201, grant(1)), stored(400, '<Error><Code>EntityTooLarge</Code></Error>')]);
    expect(await uploadPhoto(op, photo)).toMatchObject({ kind: 'rejected' });
  });
  it('the API refusing: the event is over (409), a bad size (400), the session gone (401)', async () => {
    serve([json(409, { type: '/problems/conflict', title: 'Conflict', status: 409, detail: 'the event is completed' })]);
    expect(await uploadPhoto(op, photo)).toEqual({ kind: 'rejected', message: 'The photo was refused: the event is completed' });
    serve([
      json(400, {
        type: '/problems/validation',
        title: 'Invalid',
        status: 400,
        errors: [{ field: 'bytes', code: 'too_large', message: 'bytes is at most 5 MB' }],
      }),
    ]);
    expect(await uploadPhoto(op, photo)).toEqual({ kind: 'rejected', message: 'The photo was refused: bytes is at most 5 MB' });
    serve([json(503, { type: '/problems/unavailable', title: 'Unavailable', status: 503 })]);
    expect((await uploadPhoto(op, photo)).kind).toBe('retry');
    serve([json(401, { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 })]);
    expect((await uploadPhoto(op, photo)).kind).toBe('unauthorized');
  });
  it("the API refusing a captain's task to crew (403): refused, in the server's words, nothing stored", async () => {
    const detail = '"Float plan" is the captain\'s task: the event\'s captain or the office ticks it';
    serve([json(403, { type: '/problems/forbidden', title: 'Forbidden', status: 403, detail })]);
    expect(await uploadPhoto({ ...op, taskId: 'float_plan' }, photo)).toEqual({
      kind: 'rejected',
      message: `The photo was refused: ${detail}`,
    });
    expect(requests).toHaveLength(1);
  });
  it("another person's photo is not uploaded with this session", async () => {
    serve([]);
    expect((await uploadPhoto({ ...op, email: 'sam.crew@example.com' }, photo)).kind).toBe('unauthorized');
    expect(requests).toHaveLength(0);
  });
});

describe("the queue and a tick the server refuses with 403 (a captain's task, issue 17)", () => {
  const detail = '"VHF radio check" is the captain\'s task: the event\'s captain or the office ticks it';
  const me = { org: 'jada', email: 'deck.jada@example.com' };

  it('is marked refused with the detail, leaves the pending queue, does not block the next tick, and is never sent again', async () => {
    const factory = new IDBFactory();
    const q = new SyncQueue({ db: () => openDb(factory, 'test'), send: sendOp, upload: uploadPhoto });
    const captains = await q.enqueue({ ...me, eventId: op.eventId, taskId: 'vhf_check', done: true });
    const crews = await q.enqueue({ ...me, eventId: op.eventId, taskId: 'fuel_check', done: true });
    setFetch(async (url, init) => {
      requests.push({ url: String(url), init: init ?? {} });
      if (String(url).endsWith('/tasks/vhf_check')) {
        return new Response(JSON.stringify({ type: '/problems/forbidden', title: 'Forbidden', status: 403, detail }), {
          status: 403,
          headers: { 'Content-Type': 'application/problem+json' },
        });
      }
      const body = JSON.parse(String(init?.body)) as { done: boolean; at: string };
      return new Response(
        JSON.stringify({ applied: true, superseded: false, task_id: 'fuel_check', done: body.done, by: me.email, at: body.at, etag: '"e-1-2"' }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      );
    });

    const report = await q.flush(me);
    expect(report.stoppedBy).toBeNull();
    expect(report.rejected.map((o) => [o.opId, o.error])).toEqual([[captains.opId, detail]]);
    expect(report.synced.map((s) => s.op.opId)).toEqual([crews.opId]);
    expect(await q.pending(me)).toEqual([]);
    const refused = await q.rejected(me);
    expect(refused.map((o) => [o.taskId, o.state, o.error, o.attempts])).toEqual([['vhf_check', 'rejected', detail, 1]]);

    // Replays (the 10 s timer, coming online) never send it again.
    const sent = requests.length;
    await q.flush(me);
    await q.flush(me);
    expect(requests).toHaveLength(sent);
    expect(requests.filter((r) => r.url.endsWith('/tasks/vhf_check'))).toHaveLength(1);

    // Once seen and dismissed, it is gone.
    await q.dismiss(refused[0]?.seq ?? -1);
    expect(await q.all()).toEqual([]);
  });
});
