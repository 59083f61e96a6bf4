// Time math for the crew screens: countdowns, task states recomputed between polls, and wall-clock
// display in the org's zone (never the phone's zone: a crew member's phone may be set to anything).

import type { TaskStatus } from './types';

/** A task becomes "due" this long before its due instant (the server's `DUE_SOON`). */
export const DUE_SOON_MS = 15 * 60_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds since the epoch of an RFC 3339 instant (any number of fraction digits). */
export function instant(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 instant: ${iso}`);
  return ms;
}

/**
 * A task's state at `nowMs`, exactly as the server computes it: done wins; no due instant is
 * "unscheduled"; past the due instant is "overdue"; within 15 minutes of it is "due".
 */
export function taskStatus(dueMs: number | null | undefined, done: boolean, nowMs: number): TaskStatus {
  if (done) return 'done';
  if (dueMs == null) return 'unscheduled';
  if (nowMs > dueMs) return 'overdue';
  if (nowMs >= dueMs - DUE_SOON_MS) return 'due';
  return 'upcoming';
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * A length of time for people, coarser as it grows: `45 s`, `12 min 05 s`, `4 h 05 min`,
 * `2 d 04 h`. Sign is ignored; seconds are floored.
 */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / SECOND);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (total < 60) return `${s} s`;
  if (total < 3600) return `${m} min ${pad2(s)} s`;
  if (total < 86_400) return `${h} h ${pad2(m)} min`;
  return `${d} d ${pad2(h)} h`;
}

/** `in 4 h 05 min`, `now`, or `12 min 05 s ago`, for a target instant seen from `nowMs`. */
export function countdown(targetMs: number, nowMs: number): string {
  const diff = targetMs - nowMs;
  if (Math.abs(diff) < SECOND) return 'now';
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(diff)} ago`;
}

/** How a task's due time reads next to its state: `in 20 min 00 s`, `overdue by 3 min 10 s`. */
export function dueText(status: TaskStatus, dueMs: number | null | undefined, nowMs: number): string {
  if (dueMs == null) return '';
  const diff = dueMs - nowMs;
  switch (status) {
    case 'overdue':
      return `overdue by ${formatDuration(diff)}`;
    case 'done':
      return '';
    default:
      return Math.abs(diff) < SECOND ? 'due now' : `in ${formatDuration(diff)}`;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${locale ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

/** The wall-clock time in `zone`: `4:00 PM` (or `16:00` in a 24-hour locale); with seconds for clocks. */
export function formatTime(ms: number, zone: string, locale?: string, seconds = false): string {
  return formatter(zone, locale, {
    hour: 'numeric',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(ms);
}

/** The date in `zone`: `Wed, Nov 25`. */
export function formatDay(ms: number, zone: string, locale?: string): string {
  return formatter(zone, locale, { weekday: 'short', month: 'short', day: 'numeric' }).format(ms);
}

/** Date and time in `zone`: `Wed, Nov 25, 4:00 PM`. */
export function formatDateTime(ms: number, zone: string, locale?: string): string {
  return formatter(zone, locale, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(ms);
}

/** The zone's short name at that instant: `PST`, `PDT` (or `GMT-8` where the locale has none). */
export function zoneAbbreviation(ms: number, zone: string, locale?: string): string {
  const part = formatter(zone, locale, { timeZoneName: 'short', hour: 'numeric' })
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** The calendar date (YYYY-MM-DD) an instant falls on in `zone`. */
export function localDate(ms: number, zone: string): string {
  const parts = formatter(zone, 'en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A YYYY-MM-DD date `days` later (or earlier), calendar arithmetic only. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = Date.UTC(y, m - 1, d) + days * DAY;
  return new Date(t).toISOString().slice(0, 10);
}

/** `Today`, `Tomorrow`, `Yesterday`, or the date (`Fri, Nov 27`) of a YYYY-MM-DD date. */
export function dayLabel(date: string, today: string, locale?: string): string {
  if (date === today) return 'Today';
  if (date === addDays(today, 1)) return 'Tomorrow';
  if (date === addDays(today, -1)) return 'Yesterday';
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return formatDay(Date.UTC(y, m - 1, d, 12), 'UTC', locale);
}

/**
 * The wall-clock part (`YYYY-MM-DDTHH:mm`) of an RFC 3339 time with offset, as a
 * `<input type="datetime-local">` shows it. The server's `local` strings are already in the
 * org's zone, and it accepts this form back as "in the org's zone".
 */
export function wallClock(localRfc3339: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})/.exec(localRfc3339);
  if (!match?.[1]) throw new RangeError(`not a local time: ${localRfc3339}`);
  return match[1];
}

/** The wall clock (`YYYY-MM-DDTHH:mm`) in `zone` at an instant. */
export function wallClockAt(ms: number, zone: string): string {
  const parts = formatter(zone, 'en-US', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/**
 * The server's clock as seen from this device: phones on boats drift, and countdowns and the
 * tick's `at` should follow the server (it rejects ticks more than 5 minutes in its future).
 */
export class ServerClock {
  /** serverTime - deviceTime, in ms. */
  offset = 0;

  constructor(private readonly deviceNow: () => number = Date.now) {}

  /** Learns the offset from a server `now` read at device time `receivedAt` (latency ignored). */
  observe(serverNowIso: string, receivedAt: number = this.deviceNow()): void {
    const server = Date.parse(serverNowIso);
    if (!Number.isNaN(server)) this.offset = server - receivedAt;
  }

  now(): number {
    return this.deviceNow() + this.offset;
  }
}

export const serverClock = new ServerClock();
