// How the sync engine reads the server's answers to a tick: what may be retried, what waits
// for a new sign-in, what is refused for good.
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetch } from '../src/api';
import { sessions } from '../src/session';
import { sendOp } from '../src/sync/engine';
import type { TickOp } from '../src/sync/queue';
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
  it('a 200 that is not JSON (a captive portal) is not taken as proof: retry', async () => {
    setFetch(async () => new Response('<html>Welcome to Marina Wi-Fi</html>', { status: 200 }));
    expect((await sendOp(op)).kind).toBe('retry');
  });
});
