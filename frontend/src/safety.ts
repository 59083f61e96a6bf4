// Safety ashore as the event screens show it (issue 16, parts 3 and 4): what a float plan send
// did, in words, shown where the person tapped; the overdue banner's lines; who may send the plan
// or acknowledge an alert. Pure: the screens and the unit tests share it.

import { formatDateTime, formatTime, localDate } from './time';
import type { FloatPlanSent, Overdue } from './types';

/** `1 shore contact`, `2 shore contacts`. */
export function shoreContacts(n: number): string {
  return `${n} ${n === 1 ? 'shore contact' : 'shore contacts'}`;
}

export interface SendNote {
  text: string;
  /** `warn` when some contact was not reached (or nobody was there to reach). */
  kind: 'ok' | 'warn';
}

const count = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

/**
 * What a send did, for the person who asked for it: `Sent to 2 shore contacts.`, `Update sent to
 * 2 shore contacts.`, `Already sent to all 2: nothing mailed twice.`, and what failed. `from` says
 * where it was asked: the float plan's button, or ticking the float-plan task (the line then
 * names the float plan, since it shows next to a task).
 */
export function sendNote(r: Partial<FloatPlanSent>, from: 'button' | 'tick' = 'button'): SendNote {
  const sent = count(r.sent);
  const already = count(r.already_sent);
  const failed = count(r.failed);
  const what = from === 'tick' ? (r.update ? 'Float plan update' : 'Float plan') : r.update ? 'Update' : '';
  const parts: string[] = [];
  if (sent > 0) {
    parts.push(`${what ? `${what} sent` : 'Sent'} to ${shoreContacts(sent)}${already > 0 ? `; ${already} had it already` : ''}.`);
  } else if (already > 0) {
    const all = already === 1 && failed === 0 ? 'the shore contact' : failed > 0 ? shoreContacts(already) : `all ${already}`;
    parts.push(`${what ? `${what} already` : 'Already'} sent to ${all}: nothing mailed twice.`);
  }
  if (failed > 0) {
    const again = from === 'tick' ? 'Open the float plan to send it again.' : 'Send again to retry.';
    parts.push(`Not sent to ${shoreContacts(failed)}: the mail service failed. ${again}`);
  }
  if (parts.length === 0) return { text: 'Nobody to send it to: an admin adds shore contacts in Org settings.', kind: 'warn' };
  return { text: parts.join(' '), kind: failed > 0 ? 'warn' : 'ok' };
}

export interface OverdueState {
  since: number;
  acknowledgedAt: number | null;
}

/** The event's overdue alert, read tolerantly (older servers and saved copies have none). */
export function overdueOf(ev: { overdue?: Overdue | null }): OverdueState | null {
  const o = ev.overdue;
  if (!o || typeof o.since !== 'string') return null;
  const since = Date.parse(o.since);
  if (Number.isNaN(since)) return null;
  const ack = typeof o.acknowledged_at === 'string' ? Date.parse(o.acknowledged_at) : Number.NaN;
  return { since, acknowledgedAt: Number.isNaN(ack) ? null : ack };
}

/** A time in the org's zone, with its day when that is not today. */
function when(ms: number, zone: string, now: number, locale?: string): string {
  return localDate(ms, zone) === localDate(now, zone) ? formatTime(ms, zone, locale) : formatDateTime(ms, zone, locale);
}

/** The banner's lines: what is wrong, then what happens about it. */
export function overdueBanner(
  o: OverdueState,
  zone: string,
  now: number,
  locale?: string,
): { headline: string; detail: string } {
  const since = when(o.since, zone, now, locale);
  if (o.acknowledgedAt != null) {
    return {
      headline: `Overdue since ${since}, acknowledged by the office at ${when(o.acknowledgedAt, zone, now, locale)}`,
      detail: 'The repeated alerts have stopped. Mark it returned as soon as the boat is back.',
    };
  }
  return {
    headline: `Overdue since ${since} — not marked returned`,
    detail: 'Shore contacts and admins are alerted every 30 minutes until it is marked returned or the office acknowledges.',
  };
}

/** Who may mail the float plan: an admin, or a captain who is this event's captain (as the server). */
export function maySendFloatPlan(role: string, myRole: string | null | undefined): boolean {
  return role === 'admin' || (role === 'captain' && myRole === 'captain');
}

/** Only the office acknowledges an overdue alert. */
export function mayAcknowledge(role: string): boolean {
  return role === 'admin';
}

/** The task whose tick sends the plan. */
export const FLOAT_PLAN_TASK = 'float_plan';

/** Whether the event has a float plan to show: its checklist asks for one, or it goes by boat. */
export function hasFloatPlan(ev: { kind: string; checklist?: { phases?: { tasks?: { id: string }[] }[] } | null }): boolean {
  const tasks = ev.checklist?.phases?.flatMap((p) => p.tasks ?? []) ?? [];
  return tasks.some((t) => t.id === FLOAT_PLAN_TASK) || ev.kind !== 'haul';
}
