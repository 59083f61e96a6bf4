// The event list refresh with If-None-Match: an unchanged list answers 304 and the saved copy is
// kept (not replaced by nothing, not re-fetched in full); a changed one replaces it. And the org
// settings screen's save after someone else's: their changes loaded, this person's kept on top.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetch } from '../src/api';
import { clearSnapshots, loadEventList } from '../src/cache';
import { refreshEventList } from '../src/listing';
import { sessions } from '../src/session';
import { formOf, rebaseForm } from '../src/views/OrgSettings';
import type { EventPage, EventSummary, Grant, OrgView } from '../src/types';

const grant: Grant = {
  token: 'tok-1',
  expires_at: '2099-01-01T00:00:00Z',
  email: 'admin@jada.example.com',
  org: { id: 'jada', name: 'JADA', zone: 'America/Los_Angeles' },
  role: 'admin',
  memberships: [{ org_id: 'jada', org_name: 'JADA', role: 'admin' }],
};
const scope = { email: grant.email, org: 'jada' };

function summary(id: string): EventSummary {
  return {
    id,
    kind: 'charter',
    title: id,
    vessel: 'Jada',
    departs_at: { at: '2026-11-26T19:00:00Z', local: '2026-11-26T11:00' },
    returns_at: { at: '2026-11-26T23:00:00Z', local: '2026-11-26T15:00' },
    status: 'scheduled',
    crew: [],
    tasks_done: 0,
    tasks_total: 10,
  };
}

/** A server holding one list per cursor, with an ETag per page, that honours If-None-Match. */
class ListServer {
  pages = new Map<string, { etag: string; page: EventPage }>();
  requests: Array<{ url: string; ifNoneMatch: string | undefined }> = [];
  fetch: typeof fetch = async (url, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const u = new URL(String(url), 'https://app.example.com');
    this.requests.push({ url: u.pathname + u.search, ifNoneMatch: headers['If-None-Match'] });
    const found = this.pages.get(u.searchParams.get('cursor') ?? '');
    if (!found) return new Response(null, { status: 404 });
    if (headers['If-None-Match'] === found.etag) {
      return new Response(null, { status: 304, headers: { ETag: found.etag } });
    }
    return new Response(JSON.stringify(found.page), {
      status: 200,
      headers: { 'Content-Type': 'application/json', ETag: found.etag },
    });
  };
}

let server: ListServer;

beforeEach(async () => {
  sessions.signIn(grant);
  await clearSnapshots();
  server = new ListServer();
  setFetch(server.fetch);
});

describe('the event list refresh', () => {
  it('event_list_unchanged_answers_304_and_keeps_the_saved_copy', async () => {
    server.pages.set('', { etag: '"l-1"', page: { events: [summary('a'), summary('b')], next_cursor: null } });
    const first = await refreshEventList(scope, '2026-11-24', '2026-12-09');
    expect(first.unchanged).toBe(false);
    expect(server.requests[0]!.ifNoneMatch).toBeUndefined();
    const saved = await loadEventList(scope);
    expect(saved?.pages?.[0]?.etag).toBe('"l-1"');

    const again = await refreshEventList(scope, '2026-11-24', '2026-12-09');
    expect(server.requests[1]!.ifNoneMatch).toBe('"l-1"');
    expect(again.unchanged).toBe(true);
    expect(again.events.map((e) => e.id)).toEqual(['a', 'b']);
    expect((await loadEventList(scope))?.data.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('a changed list replaces the saved one and its ETag', async () => {
    server.pages.set('', { etag: '"l-1"', page: { events: [summary('a')], next_cursor: null } });
    await refreshEventList(scope, '2026-11-24', '2026-12-09');
    server.pages.set('', { etag: '"l-2"', page: { events: [summary('a'), summary('c')], next_cursor: null } });
    const got = await refreshEventList(scope, '2026-11-24', '2026-12-09');
    expect(server.requests[1]!.ifNoneMatch).toBe('"l-1"');
    expect(got.unchanged).toBe(false);
    expect(got.events.map((e) => e.id)).toEqual(['a', 'c']);
    const saved = await loadEventList(scope);
    expect(saved?.data.map((e) => e.id)).toEqual(['a', 'c']);
    expect(saved?.pages?.[0]?.etag).toBe('"l-2"');
  });

  it('pages are conditional one by one: an unchanged first page is kept, a changed second is read', async () => {
    server.pages.set('', { etag: '"p1"', page: { events: [summary('a')], next_cursor: 'c2' } });
    server.pages.set('c2', { etag: '"p2"', page: { events: [summary('b')], next_cursor: null } });
    await refreshEventList(scope, '2026-11-24', '2026-12-09');
    server.pages.set('c2', { etag: '"p2b"', page: { events: [summary('b2')], next_cursor: null } });
    const got = await refreshEventList(scope, '2026-11-24', '2026-12-09');
    expect(server.requests.slice(2).map((r) => r.ifNoneMatch)).toEqual(['"p1"', '"p2"']);
    expect(got.unchanged).toBe(false);
    expect(got.events.map((e) => e.id)).toEqual(['a', 'b2']);
  });

  it('other dates (a new day) are not asked with the old ETag', async () => {
    server.pages.set('', { etag: '"l-1"', page: { events: [summary('a')], next_cursor: null } });
    await refreshEventList(scope, '2026-11-24', '2026-12-09');
    await refreshEventList(scope, '2026-11-25', '2026-12-10');
    expect(server.requests[1]!.ifNoneMatch).toBeUndefined();
  });

  it('offline: the saved copy stays as it was', async () => {
    server.pages.set('', { etag: '"l-1"', page: { events: [summary('a')], next_cursor: null } });
    await refreshEventList(scope, '2026-11-24', '2026-12-09');
    setFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(refreshEventList(scope, '2026-11-24', '2026-12-09')).rejects.toThrow('No connection');
    expect((await loadEventList(scope))?.pages?.[0]?.etag).toBe('"l-1"');
  });
});

describe('org settings saved after someone else', () => {
  const org: OrgView = {
    id: 'jada',
    name: 'JADA',
    zone: 'America/Los_Angeles',
    home_port: { name: 'San Diego', latitude: 32.7157, longitude: -117.1611 },
    enabled_kinds: ['charter', 'sunset_sail'],
    report_recipients: { operations: ['ops@jada.example.com'] },
  };
  it('org_settings_stale_save_keeps_my_changes_on_their_version', () => {
    const before = formOf(org);
    const mine = { ...before, portName: 'Shelter Island', recipients: { ...before.recipients, safety: ['safe@jada.example.com'] } };
    const theirs = formOf({ ...org, zone: 'America/New_York', enabled_kinds: ['charter'] });
    const rebased = rebaseForm(before, mine, theirs);
    expect(rebased.zone).toBe('America/New_York');
    expect(rebased.kinds).toEqual(['charter']);
    expect(rebased.portName).toBe('Shelter Island');
    expect(rebased.recipients.safety).toEqual(['safe@jada.example.com']);
    expect(rebased.recipients.operations).toEqual(['ops@jada.example.com']);
  });
});
