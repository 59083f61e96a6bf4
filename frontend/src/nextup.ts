// What the event screen says first (issue 17, item 6): how long to departure or return, in words
// that read at a glance ("Departs in 42 min", "Back in 1 h 5 min"), the next open task of mine,
// and each task row's one state and one time ("due 5:40 PM", "overdue 12 min", "done 5:32 PM by
// Ana"). Also the words of the departure check (item 2) and the sign-off (item 4). Pure.

import { mayTick } from './roles';
import type { TaskStatus } from './types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A length of time in whole minutes, as people say it: `less than a minute`, `42 min`, `1 h 5 min`,
 * `8 h`, `2 d 4 h`. Sign is ignored; minutes are floored.
 */
export function span(ms: number): string {
  const total = Math.floor(Math.abs(ms) / MINUTE);
  if (total < 1) return 'less than a minute';
  if (total < 60) return `${total} min`;
  const minutes = total % 60;
  if (total < 24 * 60) {
    const hours = Math.floor(total / 60);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const days = Math.floor(Math.abs(ms) / DAY);
  const hours = Math.floor((Math.abs(ms) % DAY) / HOUR);
  return hours ? `${days} d ${hours} h` : `${days} d`;
}

export interface Countdown {
  /** The headline: `Departs in 42 min`, `Due out 10 min ago`, `Back in 1 h 5 min`, `Due back 12 min ago`. */
  text: string;
  /** Past the time it names and not done yet (shown in red). */
  late: boolean;
}

export interface Moments {
  status: string;
  departsMs: number;
  returnsMs: number;
  departedMs?: number | null | undefined;
  returnedMs?: number | null | undefined;
}

/** The headline countdown of an event at `now`. */
export function countdownLine(m: Moments, now: number): Countdown {
  switch (m.status) {
    case 'scheduled':
      return now < m.departsMs
        ? { text: `Departs in ${span(m.departsMs - now)}`, late: false }
        : { text: `Due out ${span(now - m.departsMs)} ago`, late: true };
    case 'underway':
      return now < m.returnsMs
        ? { text: `Back in ${span(m.returnsMs - now)}`, late: false }
        : { text: `Due back ${span(now - m.returnsMs)} ago`, late: true };
    case 'completed':
      return { text: `Returned ${span(now - (m.returnedMs ?? m.returnsMs))} ago`, late: false };
    case 'cancelled':
      return { text: 'Cancelled', late: false };
    default:
      return { text: m.status, late: false };
  }
}

/** The line under the headline: when it left (underway), else nothing. */
export function countdownSub(m: Moments, now: number, time: (ms: number) => string): string {
  if (m.status === 'underway' && m.departedMs != null) {
    return `Departed ${span(now - m.departedMs)} ago · due back ${time(m.returnsMs)}`;
  }
  if (m.status === 'scheduled') return `Departure ${time(m.departsMs)}`;
  if (m.status === 'completed') return `Back ${time(m.returnedMs ?? m.returnsMs)}`;
  return '';
}

export interface OpenTask {
  id: string;
  role: string;
  dueMs: number | null;
  done: boolean;
}

/**
 * The next open task of mine: the earliest due (an overdue one first) of those I may tick, not
 * done. Crew get crew tasks, the event's captain and admins any; executives none.
 */
export function nextTask<T extends OpenTask>(tasks: T[], myRole: string | null | undefined, sessionRole: string): T | undefined {
  let best: T | undefined;
  for (const t of tasks) {
    if (t.done || !mayTick(t.role, myRole, sessionRole)) continue;
    const at = t.dueMs ?? Number.POSITIVE_INFINITY;
    if (!best || at < (best.dueMs ?? Number.POSITIVE_INFINITY)) best = t;
  }
  return best;
}

export interface RowLine {
  text: string;
  /** `late` when overdue, `soon` when due within 15 minutes, `done`, or `plain`. */
  tone: 'late' | 'soon' | 'done' | 'plain';
}

/**
 * A task row's one state and one time: `due 5:40 PM`, `due in 12 min`, `overdue 12 min`,
 * `done 5:32 PM by Ana` (who and when as far as known), or why it has no time.
 */
export function rowLine(
  status: TaskStatus,
  dueMs: number | null | undefined,
  now: number,
  time: (ms: number) => string,
  done?: { by?: string | null | undefined; atMs?: number | null | undefined; note?: string | null | undefined },
): RowLine {
  switch (status) {
    case 'done': {
      const when = done?.atMs != null ? ` ${time(done.atMs)}` : '';
      const who = done?.by ? ` by ${done.by}` : '';
      return { text: `done${when}${who}`, tone: 'done' };
    }
    case 'overdue':
      return { text: `overdue ${dueMs != null ? span(now - dueMs) : ''}`.trim(), tone: 'late' };
    case 'due':
      return { text: dueMs != null && dueMs - now >= MINUTE ? `due in ${span(dueMs - now)}` : 'due now', tone: 'soon' };
    case 'upcoming':
      return { text: dueMs != null ? `due ${time(dueMs)}` : 'upcoming', tone: 'plain' };
    default:
      return { text: done?.note || 'no set time', tone: 'plain' };
  }
}

/** How early a departure is, in words, when it is 15 minutes or more before the scheduled time. */
export function earlyWords(minutesEarly: number): string | null {
  if (!(minutesEarly >= 15)) return null;
  return `${span(minutesEarly * MINUTE)} before the scheduled departure`;
}

/** A task named by a problem's field error (`task/<id>`), with the server's words for it. */
export interface NamedTask {
  id: string;
  title: string;
}

/** The tasks a 409's `errors` name (`{field: "task/<id>", message: "<title>"}`), in order. */
export function tasksOfProblem(errors: ReadonlyArray<{ field: string; message: string }> | null | undefined): NamedTask[] {
  const out: NamedTask[] = [];
  for (const e of errors ?? []) {
    const m = /^task\/(.+)$/.exec(e.field);
    if (m?.[1]) out.push({ id: m[1], title: e.message });
  }
  return out;
}

/** `Fuel check, Life jackets and Safety gear`. */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * How far to scroll (CSS px, positive down) once a guarded confirm has opened in place of the
 * button pressed, so the start of what it says is in view: its top below `inset` (a sticky bar)
 * and `want` px of it (or all of it, if shorter) on screen. A top above the screen (a 409 opened it
 * again further up) is brought down to just under the bar. Scrolling down never goes further than
 * `height - keep`, so the point just pressed stays on the text (the second press of a double tap
 * lands there, not on a button), nor takes the top under the bar.
 */
export function revealScroll(top: number, height: number, viewport: number, inset = 0, want = 240, keep = 60): number {
  const margin = 8;
  if (top < inset) return Math.round(top - inset - margin);
  const over = top + Math.min(height, want) - viewport;
  if (over <= 0) return 0;
  return Math.round(Math.max(0, Math.min(over, top - inset - margin, height - keep)));
}
