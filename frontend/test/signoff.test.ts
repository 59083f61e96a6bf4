// A tick that reaches the server after the captain signed the checklist off (issue 17, item 4):
// 409 with the server's reason; it leaves the queue as refused, with that reason, and is never
// sent again (as a 403 on a captain's task).
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetch } from '../src/api';
import { openDb } from '../src/db';
import { sessions } from '../src/session';
import { sendOp } from '../src/sync/engine';
import { SyncQueue } from '../src/sync/queue';
import type { Grant } from '../src/types';
import { describeAudit, readableInstants } from '../src/views/Event';

const ME = { org: 'jada', email: 'deck.jada@example.com' };
const grant: Grant = {
  token: 'tok-1',
  expires_at: '2099-01-01T00:00:00Z',
  email: ME.email,
  org: { id: 'jada', name: 'JADA', zone: 'America/Los_Angeles' },
  role: 'crew',
  memberships: [{ org_id: 'jada', org_name: 'JADA', role: 'crew' }],
};
const DETAIL = 'the checklist was signed off at 2026-12-06T01:50:00Z: it takes no more ticks';

let puts = 0;
beforeEach(() => {
  puts = 0;
  sessions.signIn(grant);
  setFetch(async () => {
    puts++;
    return new Response(JSON.stringify({ type: '/problems/conflict', title: 'Conflict', status: 409, detail: DETAIL }), {
      status: 409,
      headers: { 'Content-Type': 'application/problem+json' },
    });
  });
});

describe('a tick after the sign-off', () => {
  it('is refused for good in the server words', async () => {
    const out = await sendOp({
      seq: 1,
      opId: '0b8f6f0e-6d1a-4c1e-9d1e-6f3f0f0f0f0f',
      eventId: '01M8A19CGSZM0YJ9QHRVEMSYXP',
      taskId: 'post_trip_checks',
      done: true,
      at: '2026-12-06T01:55:00.000Z',
      ...ME,
      state: 'pending',
      attempts: 0,
    });
    expect(out).toEqual({ kind: 'rejected', message: DETAIL });
  });

  it('leaves the queue refused, keeps the reason, and is not sent again', async () => {
    const factory = new IDBFactory();
    const q = new SyncQueue({ db: () => openDb(factory, 'test'), send: sendOp });
    await q.enqueue({ ...ME, eventId: '01M8A19CGSZM0YJ9QHRVEMSYXP', taskId: 'post_trip_checks', done: true });
    const first = await q.flush(ME);
    expect(first.stoppedBy).toBeNull();
    expect(first.rejected.map((o) => o.error)).toEqual([DETAIL]);
    expect(await q.pending(ME)).toEqual([]);
    expect((await q.rejected()).map((o) => [o.taskId, o.error])).toEqual([['post_trip_checks', DETAIL]]);
    await q.flush(ME);
    expect(puts).toBe(1);
  });
});

describe("the server's reason on a refused tick", () => {
  it("reads its instants in the org's zone", () => {
    expect(readableInstants(DETAIL.replace('01:50:00Z', '01:59:02.669316560+00:00'), 'America/Los_Angeles')).toBe(
      'the checklist was signed off at Sat, Dec 5, 5:59 PM: it takes no more ticks',
    );
    expect(readableInstants('no instant here', 'UTC')).toBe('no instant here');
  });
});

describe('the history says what the departure and the sign-off carried', () => {
  const titles = new Map([
    ['fuel_check', 'Fuel check'],
    ['life_jackets', 'Life jackets'],
  ]);
  const at = { op_id: 'x', by: 'captain.jada@example.com', at: '2026-12-06T01:50:00Z' };
  it('departed with open safety tasks, early', () => {
    expect(describeAudit({ ...at, action: 'departed', open_safety_tasks: ['fuel_check', 'life_jackets'], minutes_early: 485 }, titles)).toBe(
      'marked it departed with 2 safety tasks open (Fuel check and Life jackets), 8 h 5 min early',
    );
    expect(describeAudit({ ...at, action: 'departed', minutes_early: 5 }, titles)).toBe('marked it departed');
    expect(describeAudit({ ...at, action: 'departed' }, titles)).toBe('marked it departed');
  });
  it('signed off', () => {
    expect(describeAudit({ ...at, action: 'signed_off', open_tasks: ['fuel_check'] }, titles)).toBe('signed the checklist off with 1 task open');
    expect(describeAudit({ ...at, action: 'signed_off' }, titles)).toBe('signed the checklist off');
  });
});
