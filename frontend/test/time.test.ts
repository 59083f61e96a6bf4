import { describe, expect, it } from 'vitest';
import {
  DUE_SOON_MS,
  ServerClock,
  addDays,
  countdown,
  dayLabel,
  dueText,
  formatDateTime,
  formatDay,
  formatDuration,
  formatTime,
  instant,
  localDate,
  taskStatus,
  wallClock,
  wallClockAt,
  zoneAbbreviation,
} from '../src/time';
import type { TaskTiming } from '../src/types';

const LA = 'America/Los_Angeles';
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

describe('instant', () => {
  it('reads RFC 3339 with nanoseconds and offsets', () => {
    expect(instant('2026-11-25T19:00:39.737717240Z')).toBe(at('2026-11-25T19:00:39.737Z'));
    expect(instant('2026-11-25T16:00:00-08:00')).toBe(at('2026-11-26T00:00:00Z'));
  });
  it('refuses garbage', () => {
    expect(() => instant('tomorrow')).toThrow(RangeError);
  });
});

describe('taskStatus (as the server computes it)', () => {
  const due = at('2026-11-25T23:00:00Z');
  it('is upcoming more than 15 minutes ahead', () => {
    expect(taskStatus(due, false, due - DUE_SOON_MS - 1)).toBe('upcoming');
  });
  it('is due from 15 minutes before its instant, inclusive', () => {
    expect(taskStatus(due, false, due - DUE_SOON_MS)).toBe('due');
    expect(taskStatus(due, false, due - 1)).toBe('due');
    expect(taskStatus(due, false, due)).toBe('due');
  });
  it('is overdue once past its instant', () => {
    expect(taskStatus(due, false, due + 1)).toBe('overdue');
    expect(taskStatus(due, false, due + 3 * 3_600_000)).toBe('overdue');
  });
  it('is done whenever done, even late or unscheduled', () => {
    expect(taskStatus(due, true, due + 1)).toBe('done');
    expect(taskStatus(null, true, due)).toBe('done');
  });
  it('is unscheduled with no due instant (no sunset that day)', () => {
    expect(taskStatus(null, false, due)).toBe('unscheduled');
    expect(taskStatus(undefined, false, due)).toBe('unscheduled');
  });
});

describe('status recomputation between polls', () => {
  // The panel as the server sent it at 14:00 local; the page keeps it and ticks its own clock.
  const polledAt = at('2026-11-25T22:00:00Z');
  const task = (id: string, dueIso: string | null, status: TaskTiming['status']): TaskTiming => ({
    id,
    title: id,
    phase: 'p',
    anchor: 'departure',
    offset_minutes: 0,
    role: 'crew',
    safety_critical: false,
    due: dueIso ? { at: dueIso, local: dueIso } : null,
    status,
  });
  const tasks = [
    task('forecast', '2026-11-25T22:30:00Z', 'upcoming'),
    task('float_plan', '2026-11-25T23:00:00Z', 'upcoming'),
    task('lookout', null, 'unscheduled'),
  ];
  const statuses = (now: number, done: Set<string> = new Set()) =>
    tasks.map((t) => taskStatus(t.due ? instant(t.due.at) : null, done.has(t.id), now));

  it('matches the server at the poll', () => {
    expect(statuses(polledAt)).toEqual(tasks.map((t) => t.status));
  });
  it('moves to due and overdue as time passes, with no new data', () => {
    expect(statuses(polledAt + 15 * MIN)).toEqual(['due', 'upcoming', 'unscheduled']);
    expect(statuses(polledAt + 30 * MIN + 1000)).toEqual(['overdue', 'upcoming', 'unscheduled']);
    expect(statuses(polledAt + 45 * MIN)).toEqual(['overdue', 'due', 'unscheduled']);
    expect(statuses(polledAt + 61 * MIN)).toEqual(['overdue', 'overdue', 'unscheduled']);
  });
  it('shows a local tick as done at once', () => {
    expect(statuses(polledAt + 61 * MIN, new Set(['forecast']))).toEqual(['done', 'overdue', 'unscheduled']);
  });
});

describe('countdown formatting', () => {
  it('formats durations coarser as they grow', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(59_999)).toBe('59 s');
    expect(formatDuration(60_000)).toBe('1 min 00 s');
    expect(formatDuration(12 * MIN + 5_000)).toBe('12 min 05 s');
    expect(formatDuration(3_600_000 - 1)).toBe('59 min 59 s');
    expect(formatDuration(3_600_000)).toBe('1 h 00 min');
    expect(formatDuration(4 * 3_600_000 + 59 * MIN + 59_000)).toBe('4 h 59 min');
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000)).toBe('2 d 04 h');
  });
  it('ignores the sign', () => {
    expect(formatDuration(-12 * MIN - 5_000)).toBe('12 min 05 s');
  });
  it('says in, ago and now', () => {
    const now = at('2026-11-25T19:00:00Z');
    expect(countdown(now + 17_960_000, now)).toBe('in 4 h 59 min');
    expect(countdown(now - 90_000, now)).toBe('1 min 30 s ago');
    expect(countdown(now + 400, now)).toBe('now');
  });
  it('describes a task against its due time', () => {
    const now = at('2026-11-25T19:00:00Z');
    expect(dueText('upcoming', now + 20 * MIN, now)).toBe('in 20 min 00 s');
    expect(dueText('due', now + 5 * MIN, now)).toBe('in 5 min 00 s');
    expect(dueText('due', now, now)).toBe('due now');
    expect(dueText('overdue', now - 3 * MIN - 10_000, now)).toBe('overdue by 3 min 10 s');
    expect(dueText('done', now, now)).toBe('');
    expect(dueText('unscheduled', null, now)).toBe('');
  });
});

describe("local time in the org's zone (Intl, timeZone)", () => {
  it('shows wall-clock time in the org zone, whatever the device zone', () => {
    const departs = at('2026-11-26T00:00:00Z');
    expect(formatTime(departs, LA, 'en-US')).toBe('4:00 PM');
    expect(formatTime(departs, 'Europe/Berlin', 'en-GB')).toBe('1:00');
    expect(formatTime(at('2026-11-25T19:00:39Z'), LA, 'en-US', true)).toBe('11:00:39 AM');
  });
  it('follows daylight saving time', () => {
    expect(formatTime(at('2026-07-04T19:30:00Z'), LA, 'en-US')).toBe('12:30 PM');
    expect(zoneAbbreviation(at('2026-07-04T19:30:00Z'), LA, 'en-US')).toBe('PDT');
    expect(zoneAbbreviation(at('2026-11-25T19:30:00Z'), LA, 'en-US')).toBe('PST');
    // The night clocks go back: 01:30 happens twice.
    expect(formatTime(at('2026-11-01T08:30:00Z'), LA, 'en-US')).toBe('1:30 AM');
    expect(formatTime(at('2026-11-01T09:30:00Z'), LA, 'en-US')).toBe('1:30 AM');
  });
  it("puts an instant on the org's calendar date", () => {
    const lateEvening = at('2026-11-26T07:30:00Z'); // 23:30 on the 25th in San Diego
    expect(localDate(lateEvening, LA)).toBe('2026-11-25');
    expect(localDate(lateEvening, 'UTC')).toBe('2026-11-26');
    expect(formatDay(lateEvening, LA, 'en-US')).toBe('Wed, Nov 25');
    expect(formatDateTime(lateEvening, LA, 'en-US')).toBe('Wed, Nov 25, 11:30 PM');
  });
  it('does calendar arithmetic on dates', () => {
    expect(addDays('2026-11-25', 1)).toBe('2026-11-26');
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('labels days', () => {
    expect(dayLabel('2026-11-25', '2026-11-25')).toBe('Today');
    expect(dayLabel('2026-11-26', '2026-11-25')).toBe('Tomorrow');
    expect(dayLabel('2026-11-24', '2026-11-25')).toBe('Yesterday');
    expect(dayLabel('2026-11-27', '2026-11-25', 'en-US')).toBe('Fri, Nov 27');
  });
  it('turns server local times into datetime-local values and back', () => {
    expect(wallClock('2026-11-25T16:00:00-08:00')).toBe('2026-11-25T16:00');
    expect(wallClock('2026-07-04T18:30:00.000000000-07:00')).toBe('2026-07-04T18:30');
    expect(() => wallClock('16:00')).toThrow(RangeError);
    expect(wallClockAt(at('2026-11-26T00:00:00Z'), LA)).toBe('2026-11-25T16:00');
    expect(wallClockAt(at('2026-11-26T08:05:00Z'), LA)).toBe('2026-11-26T00:05');
  });
});

describe('ServerClock', () => {
  it("follows the server's clock when the phone's is off", () => {
    let device = at('2026-11-25T19:00:00Z');
    const clock = new ServerClock(() => device);
    expect(clock.now()).toBe(device);
    // The phone is 7 minutes fast.
    clock.observe('2026-11-25T18:53:00Z', device);
    expect(clock.now()).toBe(at('2026-11-25T18:53:00Z'));
    device += 10_000;
    expect(clock.now()).toBe(at('2026-11-25T18:53:10Z'));
  });
  it('ignores an unreadable server time', () => {
    const clock = new ServerClock(() => 1000);
    clock.observe('not a time', 1000);
    expect(clock.now()).toBe(1000);
  });
});
