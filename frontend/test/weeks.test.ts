// ISO weeks as the reports name them.
import { describe, expect, it } from 'vitest';
import { addWeeks, isWeek, isoWeek, lastCompleteWeek, recentWeeks, weekMonday, weekNumber, weekRange } from '../src/weeks';

describe('ISO weeks', () => {
  it('name the week a date falls in, across year ends', () => {
    expect(isoWeek('2026-11-16')).toBe('2026-W47');
    expect(isoWeek('2026-11-22')).toBe('2026-W47');
    expect(isoWeek('2026-11-23')).toBe('2026-W48');
    // 2026-01-01 is a Thursday: week 1 of 2026; 2027-01-01 is a Friday: still 2026's week 53.
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2025-12-29')).toBe('2026-W01');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2027-01-04')).toBe('2027-W01');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
  });
  it('find the Monday of a week, and refuse what is not a week', () => {
    expect(weekMonday('2026-W47')).toBe('2026-11-16');
    expect(weekMonday('2026-W01')).toBe('2025-12-29');
    expect(weekMonday('2026-W53')).toBe('2026-12-28');
    expect(weekMonday('2025-W53')).toBeNull(); // 2025 has 52 weeks
    expect(weekMonday('2026-W00')).toBeNull();
    expect(weekMonday('2026-W7')).toBeNull();
    expect(weekMonday('2026-47')).toBeNull();
    expect(isWeek('2026-W47')).toBe(true);
    expect(isWeek('garbage')).toBe(false);
    expect(isWeek(null)).toBe(false);
  });
  it('step forward and back', () => {
    expect(addWeeks('2026-W47', -1)).toBe('2026-W46');
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(addWeeks('2027-W01', -1)).toBe('2026-W53');
    expect(() => addWeeks('nope', 1)).toThrow(RangeError);
    expect(recentWeeks('2026-W02', 3)).toEqual(['2026-W02', '2026-W01', '2025-W52']);
  });
  it('default to the week that ended last, as the server does', () => {
    expect(lastCompleteWeek('2026-11-25')).toBe('2026-W47'); // a Wednesday
    expect(lastCompleteWeek('2026-11-23')).toBe('2026-W47'); // Monday: last week is complete
    expect(lastCompleteWeek('2026-11-22')).toBe('2026-W46'); // Sunday: this week is not
  });
  it('read as dates', () => {
    // ICU puts thin spaces around the dash; which space is no business of this test.
    const range = (...a: Parameters<typeof weekRange>) => weekRange(...a).replace(/\s+/g, ' ');
    expect(range('2026-W47', 'en-US')).toBe('Nov 16 – 22, 2026');
    expect(range('2026-W47', 'en-US', false)).toBe('Nov 16 – 22');
    expect(range('2026-W53', 'en-US')).toBe('Dec 28, 2026 – Jan 3, 2027');
    expect(weekRange('bad')).toBe('');
    expect(weekNumber('2026-W07')).toBe('Week 7');
  });
});
