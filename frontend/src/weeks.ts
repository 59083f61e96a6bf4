// ISO weeks (`2026-W47`: Monday to Sunday, week 1 holds the year's first Thursday), as the
// reports name them. Pure calendar arithmetic on YYYY-MM-DD dates; which date "today" is comes
// from the org's zone (time.ts `localDate`).

import { addDays } from './time';

const DAY = 86_400_000;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

function utc(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The ISO week (`2026-W47`) a YYYY-MM-DD date falls in. */
export function isoWeek(date: string): string {
  const t = utc(date);
  const weekday = (new Date(t).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = t + (3 - weekday) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday (YYYY-MM-DD) of an ISO week, or null for anything that is not one (`2026-W54`). */
export function weekMonday(week: string): string | null {
  const m = WEEK_RE.exec(week);
  if (!m) return null;
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || n > 53) return null;
  const jan4 = Date.UTC(year, 0, 4);
  const firstMonday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  const monday = ymd(firstMonday + (n - 1) * 7 * DAY);
  // Week 53 exists only in long years.
  return isoWeek(monday) === week ? monday : null;
}

export function isWeek(raw: string | null | undefined): raw is string {
  return !!raw && weekMonday(raw) !== null;
}

/** The week `n` weeks after (before, if negative) `week`. */
export function addWeeks(week: string, n: number): string {
  const monday = weekMonday(week);
  if (!monday) throw new RangeError(`not an ISO week: ${week}`);
  return isoWeek(addDays(monday, 7 * n));
}

/** The week that ended most recently before `today` (what Monday's report covers). */
export function lastCompleteWeek(today: string): string {
  return isoWeek(addDays(today, -7));
}

/** `week` and the `count - 1` weeks before it, newest first. */
export function recentWeeks(week: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addWeeks(week, -i));
}

/** `Nov 16 – 22, 2026` (Monday to Sunday of the week; without the year: `Nov 16 – 22`); '' for a bad week. */
export function weekRange(week: string, locale?: string, withYear = true): string {
  const monday = weekMonday(week);
  if (!monday) return '';
  const start = utc(monday) + 12 * 3600_000;
  const end = start + 6 * DAY;
  const f = new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    ...(withYear ? { year: 'numeric' as const } : {}),
    timeZone: 'UTC',
  });
  return typeof f.formatRange === 'function' ? f.formatRange(start, end) : `${f.format(start)} – ${f.format(end)}`;
}

/** `Week 47` of a `2026-W47` (the year is in the range next to it). */
export function weekNumber(week: string): string {
  const m = WEEK_RE.exec(week);
  return m ? `Week ${Number(m[2])}` : week;
}
