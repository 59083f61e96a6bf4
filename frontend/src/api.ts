// The API client: same origin, bearer token from the session, problem+json errors as ApiError,
// no answer at all (offline, timeout) as OfflineError.

import { sessions } from './session';
import type {
  EventFields,
  EventPage,
  EventPatch,
  EventSummary,
  EventView,
  FloatPlanSent,
  FloatPlanView,
  Grant,
  Me,
  MemberView,
  OrgPatch,
  OrgView,
  Perspective,
  PhotoRef,
  PhotoUpload,
  Problem,
  Template,
  VesselFields,
  VesselView,
  WeeklyReport,
} from './types';

/** A request with no answer after this long counts as offline (a dock's one bar of signal). */
export const TIMEOUT_MS = 20_000;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The message for a form field (`crew/1/email`), if the server named one. */
  fieldError(field: string): string | undefined {
    return this.problem?.errors?.find((e) => e.field === field)?.message;
  }
}

export class OfflineError extends Error {
  constructor(message = 'No connection') {
    super(message);
    this.name = 'OfflineError';
  }
}

interface Options {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the session's token (default) or not (sign-in endpoints). */
  auth?: boolean;
  /** A specific token (the sync queue's, checked against the session). */
  token?: string;
}

/** The fetch the client uses; tests may replace it. */
export let fetchImpl: typeof fetch = (...args) => fetch(...args);
export function setFetch(f: typeof fetch): void {
  fetchImpl = f;
}

/** Sends a request; resolves with any HTTP answer, rejects with OfflineError when there is none. */
export async function send(path: string, opts: Options = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let token: string | undefined;
  if (opts.auth !== false) {
    token = opts.token ?? sessions.get()?.token;
    if (!token) throw new ApiError(401, { type: '/problems/unauthorized', title: 'Not signed in', status: 401 });
    headers.Authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchImpl(path, {
      method: opts.method ?? 'GET',
      headers,
      body,
      signal: controller.signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new OfflineError();
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 401 && token) {
    // The token is dead (expired, signed out elsewhere, role changed): only if it is still the
    // session's, a late answer for an older token says nothing about the current one.
    if (sessions.get()?.token === token) sessions.expire();
  }
  return response;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem | null = null;
  try {
    const text = await response.text();
    if (text) problem = JSON.parse(text) as Problem;
  } catch {
    problem = null;
  }
  const retry = response.headers.get('Retry-After');
  return new ApiError(response.status, problem, retry && /^\d+$/.test(retry) ? Number(retry) : null);
}

/** Sends and parses JSON; a non-2xx answer throws ApiError. */
export async function call<T>(path: string, opts: Options = {}): Promise<T> {
  const response = await send(path, opts);
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    // A proxy's HTML page instead of JSON: as good as no answer.
    throw new OfflineError('Unexpected answer from the server');
  }
}

// ---- sign-in ----------------------------------------------------------------

export function requestLink(email: string): Promise<{ status: string }> {
  return call('/auth/magic-link', { method: 'POST', body: { email }, auth: false });
}

export function exchange(proof: { token: string } | { email: string; code: string }, orgId?: string): Promise<Grant> {
  return call('/auth/exchange', { method: 'POST', body: orgId ? { ...proof, org_id: orgId } : proof, auth: false });
}

export function switchOrg(orgId: string): Promise<Grant> {
  return call('/auth/switch', { method: 'POST', body: { org_id: orgId } });
}

export function logout(): Promise<void> {
  return call('/auth/logout', { method: 'POST' });
}

export function logoutAll(): Promise<void> {
  return call('/auth/logout-all', { method: 'POST' });
}

export function me(): Promise<Me> {
  return call('/api/me');
}

// ---- events -----------------------------------------------------------------

/** One page of the event list as read: the cursor it was asked with, its ETag, the page. */
export interface ListedPage {
  cursor: string | null;
  etag: string;
  page: EventPage;
}

export interface EventListing {
  events: EventSummary[];
  pages: ListedPage[];
  /** Every page answered 304: the list read before is still the server's. */
  unchanged: boolean;
}

/**
 * Every event departing between two local dates (inclusive), all pages. `previous` holds the pages
 * of an earlier read of the same dates: each page is asked with its ETag as `If-None-Match`, and a
 * 304 reuses the page read before (the server's ETag is a hash of the page's body).
 */
export async function listEvents(from: string, to: string, previous: ListedPage[] = []): Promise<EventListing> {
  const pages: ListedPage[] = [];
  let cursor: string | null = null;
  let unchanged = previous.length > 0;
  for (let n = 0; n < 20; n++) {
    const q = new URLSearchParams({ from, to, limit: '100' });
    if (cursor) q.set('cursor', cursor);
    const before = previous.find((p) => p.cursor === cursor);
    const response = await send(`/api/events?${q}`, {
      headers: before ? { 'If-None-Match': before.etag } : {},
    });
    let listed: ListedPage;
    if (response.status === 304 && before) {
      listed = before;
    } else {
      if (!response.ok) throw await problemOf(response);
      let page: EventPage;
      try {
        page = (await response.json()) as EventPage;
      } catch {
        throw new OfflineError('Unexpected answer from the server');
      }
      listed = { cursor, etag: response.headers.get('ETag') ?? '', page };
      unchanged = false;
    }
    pages.push(listed);
    cursor = listed.page.next_cursor ?? null;
    if (!cursor) break;
  }
  if (pages.length !== previous.length) unchanged = false;
  return { events: pages.flatMap((p) => p.page.events), pages, unchanged };
}

export type EventRead = { status: 304 } | { status: 200; event: EventView; etag: string };

/** Reads an event; with the ETag of the copy in hand, a 304 means it is unchanged. */
export async function getEvent(id: string, etag?: string): Promise<EventRead> {
  const response = await send(`/api/events/${encodeURIComponent(id)}`, {
    headers: etag ? { 'If-None-Match': etag } : {},
  });
  if (response.status === 304) return { status: 304 };
  if (!response.ok) throw await problemOf(response);
  const event = (await response.json()) as EventView;
  return { status: 200, event, etag: response.headers.get('ETag') ?? event.etag };
}

/** A tick's body: `note` and `photos` only when it carries them (photos already uploaded). */
export interface TickBody {
  done: boolean;
  op_id: string;
  at: string;
  note?: string;
  photos?: PhotoRef[];
}

export function tick(eventId: string, taskId: string, body: TickBody, token?: string): Promise<Response> {
  return send(`/api/events/${encodeURIComponent(eventId)}/tasks/${encodeURIComponent(taskId)}`, {
    method: 'PUT',
    body,
    ...(token ? { token } : {}),
  });
}

/** What a photo's two blobs are, declared exactly: the presigned PUTs are signed for these sizes. */
export interface PhotoDeclaration {
  content_type: string;
  bytes: number;
  thumb_bytes: number;
}

/**
 * Asks for a new photo id and its upload URLs (`PhotoGrant` on 201). Asked only just before the
 * upload: the URLs expire in 15 minutes.
 */
export function requestPhoto(eventId: string, taskId: string, body: PhotoDeclaration, token?: string): Promise<Response> {
  return send(`/api/events/${encodeURIComponent(eventId)}/tasks/${encodeURIComponent(taskId)}/photos`, {
    method: 'POST',
    body,
    ...(token ? { token } : {}),
  });
}

/** An upload of a photo on one bar of signal may take a while; past this it counts as offline. */
export const UPLOAD_TIMEOUT_MS = 90_000;

/**
 * PUTs a blob to a presigned URL (S3, or the local server's /dev/photos). Only the content type
 * goes with it: no Authorization (the URL's signature is the permission, and a bearer token must
 * never reach storage), no other header the signature does not cover. The browser sets
 * content-length from the blob, which is the size declared when the URL was asked for.
 * Resolves with any HTTP answer; rejects with OfflineError when there is none.
 */
export async function putBlob(upload: PhotoUpload, blob: Blob): Promise<Response> {
  const declared = Object.entries(upload.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), UPLOAD_TIMEOUT_MS);
  try {
    return await fetchImpl(upload.url, {
      method: 'PUT',
      headers: { 'content-type': declared ?? blob.type },
      body: blob,
      signal: controller.signal,
      cache: 'no-store',
      credentials: 'omit',
      // A presigned URL carries its own secret: it is not sent on as a Referer anywhere.
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new OfflineError();
  } finally {
    clearTimeout(timer);
  }
}

export { problemOf };

export function markDeparted(id: string): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}/departed`, { method: 'POST' });
}

export function markReturned(id: string): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}/returned`, { method: 'POST' });
}

/** Marks it departed, confirming the open safety tasks the captain saw (a 409 lists any others). */
export function departConfirmed(id: string, confirmOpenSafetyTasks: string[]): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}/departed`, {
    method: 'POST',
    body: { confirm_open_safety_tasks: confirmOpenSafetyTasks },
  });
}

/** The captain signs the checklist off, naming the tasks they saw open (a 409 lists the current ones). */
export function signOff(id: string, openTasks: string[]): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}/sign-off`, { method: 'POST', body: { open_tasks: openTasks } });
}

export function cancelEvent(id: string): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}

/** An admin takes the overdue alert in hand: the repeats stop (409 unless underway). */
export function acknowledgeOverdue(id: string): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}/overdue/acknowledge`, { method: 'POST' });
}

/** The float plan as the shore contacts get it, and whether this version reached each. */
export function floatPlan(id: string): Promise<FloatPlanView> {
  return call(`/api/events/${encodeURIComponent(id)}/float-plan`);
}

/**
 * Mails the float plan to the shore contacts it has not reached in this version (admin, or the
 * event's captain). 409 with a `detail` saying what to do: no shore contacts, or the event is over.
 */
export function sendFloatPlan(id: string): Promise<FloatPlanSent> {
  return call(`/api/events/${encodeURIComponent(id)}/float-plan`, { method: 'POST' });
}

export function createEvent(fields: EventFields): Promise<EventView> {
  return call('/api/events', { method: 'POST', body: fields });
}

/**
 * Creates an event, confirming the warnings (their codes: `departure_in_past`, `short_of_crew`)
 * that a 409 `unconfirmed-warnings` listed for it.
 */
export function createEventConfirming(fields: EventFields, confirm: string[]): Promise<EventView> {
  return call('/api/events', { method: 'POST', body: { ...fields, confirm } });
}

export function editEvent(id: string, etag: string, patch: EventPatch): Promise<EventView> {
  return call(`/api/events/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, headers: { 'If-Match': etag } });
}

export function templates(): Promise<Template[]> {
  return call('/api/templates');
}

/** The org's settings and the ETag naming their version (send it back to change them). */
export interface OrgRead {
  org: OrgView;
  etag: string;
}

async function orgRead(response: Response): Promise<OrgRead> {
  if (!response.ok) throw await problemOf(response);
  let org: OrgView;
  try {
    org = (await response.json()) as OrgView;
  } catch {
    throw new OfflineError('Unexpected answer from the server');
  }
  return { org, etag: response.headers.get('ETag') ?? '' };
}

export async function org(): Promise<OrgRead> {
  return orgRead(await send('/api/org'));
}

/**
 * Changes the settings read at `etag`. If someone changed them since, the server answers 412
 * (an ApiError with that status) and writes nothing.
 */
export async function editOrg(etag: string, patch: OrgPatch): Promise<OrgRead> {
  return orgRead(await send('/api/org', { method: 'PATCH', body: patch, headers: { 'If-Match': etag } }));
}

// ---- reports ----------------------------------------------------------------

/** One perspective of one week (the server's default week, the last complete one, without `week`). */
export function weeklyReport<P extends Perspective>(perspective: P, week?: string): Promise<WeeklyReport<P>> {
  const q = new URLSearchParams({ perspective });
  if (week) q.set('week', week);
  return call(`/api/reports/weekly?${q}`);
}

// ---- members ----------------------------------------------------------------

export function members(): Promise<MemberView[]> {
  return call('/api/members');
}

export function addMember(m: { email: string; name: string; role: string }): Promise<MemberView> {
  return call('/api/members', { method: 'POST', body: m });
}

export function editMember(email: string, patch: { role?: string; name?: string }): Promise<MemberView> {
  return call(`/api/members/${encodeURIComponent(email)}`, { method: 'PATCH', body: patch });
}

export function removeMember(email: string): Promise<void> {
  return call(`/api/members/${encodeURIComponent(email)}`, { method: 'DELETE' });
}

// ---- vessels ----------------------------------------------------------------

/** The org's boats and trucks (everyone in the org may read them). */
export async function vessels(): Promise<VesselView[]> {
  const got = await call<VesselView[] | { vessels?: VesselView[] }>('/api/vessels');
  // The server answers a bare list; an envelope is read the same, should it ever gain one.
  return Array.isArray(got) ? got : (got?.vessels ?? []);
}

export function addVessel(fields: VesselFields): Promise<VesselView> {
  return call('/api/vessels', { method: 'POST', body: fields });
}

export function editVessel(id: string, fields: VesselFields): Promise<VesselView> {
  return call(`/api/vessels/${encodeURIComponent(id)}`, { method: 'PUT', body: fields });
}

export function removeVessel(id: string): Promise<void> {
  return call(`/api/vessels/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

// ---- calendar feed ------------------------------------------------------------

export interface CalendarFeedStatus {
  subscribed: boolean;
  created_at: string | null;
}

/** A new feed's URLs: the server shows them this once. */
export interface NewCalendarFeed {
  https_url: string;
  webcal_url: string;
  created_at: string;
}

export function calendarFeed(): Promise<CalendarFeedStatus> {
  return call('/api/me/calendar');
}

export function newCalendarFeed(): Promise<NewCalendarFeed> {
  return call('/api/me/calendar', { method: 'POST' });
}

export function revokeCalendarFeed(): Promise<void> {
  return call('/api/me/calendar', { method: 'DELETE' });
}

// ---- notifications -----------------------------------------------------------

export type NotifyPreference = 'both' | 'email' | 'push';

export interface PhoneView {
  id: string;
  label: string;
  created_at: string;
  expires_at: string;
}

export interface NotificationSettings {
  preference: NotifyPreference;
  vapid_public_key: string | null;
  phones: PhoneView[];
}

export function notificationSettings(): Promise<NotificationSettings> {
  return call('/api/me/notifications');
}

export function setNotifyPreference(preference: NotifyPreference): Promise<NotificationSettings> {
  return call('/api/me/notifications', { method: 'PUT', body: { preference } });
}

export function addPhone(subscription: PushSubscriptionJSON, label: string): Promise<PhoneView> {
  return call('/api/me/phones', { method: 'POST', body: { ...subscription, label } });
}

export function removePhone(id: string): Promise<void> {
  return call(`/api/me/phones/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** A message for people from any failure of a call. */
export function describe(e: unknown): string {
  if (e instanceof OfflineError) return "You're offline. Try again when you have signal.";
  if (e instanceof ApiError) {
    if (e.status === 429) {
      return e.retryAfterSeconds
        ? `Too many tries. Wait ${Math.ceil(e.retryAfterSeconds / 60)} min and try again.`
        : 'Too many tries. Wait a few minutes and try again.';
    }
    const errors = e.problem?.errors;
    if (errors?.length) return errors.map((x) => x.message).join('. ');
    if (e.problem?.detail) return e.problem.detail;
    if (e.status === 403) return 'Your role may not do that.';
    if (e.status === 404) return 'Not found: it may have been removed.';
    if (e.status >= 500) return 'The server had a problem. Try again in a moment.';
    return e.problem?.title || `The server answered ${e.status}.`;
  }
  return e instanceof Error ? e.message : String(e);
}
