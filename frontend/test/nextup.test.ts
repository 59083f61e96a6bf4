// The event screen's first words (issue 17, item 6) and the departure check's (item 2).
import { describe, expect, it } from 'vitest';
import { countdownLine, countdownSub, earlyWords, listWords, nextTask, revealScroll, rowLine, span, tasksOfProblem } from '../src/nextup';

const MIN = 60_000;
const H = 60 * MIN;
const time = (ms: number) => `T${ms / MIN}`;

describe('span: whole minutes in words', () => {
  const table: [number, string][] = [
    [0, 'less than a minute'],
    [59_999, 'less than a minute'],
    [MIN, '1 min'],
    [42 * MIN + 59_000, '42 min'],
    [H, '1 h'],
    [H + 5 * MIN, '1 h 5 min'],
    [8 * H + 5 * MIN, '8 h 5 min'],
    [24 * H, '1 d'],
    [52 * H + 30 * MIN, '2 d 4 h'],
    [-(10 * MIN), '10 min'],
  ];
  for (const [ms, words] of table) it(`${ms} ms -> ${words}`, () => expect(span(ms)).toBe(words));
});

describe('the countdown at the top', () => {
  const base = { departsMs: 100 * MIN, returnsMs: 200 * MIN };
  it('before departure', () => {
    expect(countdownLine({ ...base, status: 'scheduled' }, 58 * MIN)).toEqual({ text: 'Departs in 42 min', late: false });
  });
  it('scheduled past the departure: late', () => {
    expect(countdownLine({ ...base, status: 'scheduled' }, 110 * MIN)).toEqual({ text: 'Due out 10 min ago', late: true });
  });
  it('underway: back in, then due back ago', () => {
    expect(countdownLine({ ...base, status: 'underway', departedMs: 101 * MIN }, 135 * MIN)).toEqual({ text: 'Back in 1 h 5 min', late: false });
    expect(countdownLine({ ...base, status: 'underway' }, 212 * MIN)).toEqual({ text: 'Due back 12 min ago', late: true });
  });
  it('completed and cancelled', () => {
    expect(countdownLine({ ...base, status: 'completed', returnedMs: 190 * MIN }, 200 * MIN).text).toBe('Returned 10 min ago');
    expect(countdownLine({ ...base, status: 'cancelled' }, 0).text).toBe('Cancelled');
  });
  it('the line under it', () => {
    expect(countdownSub({ ...base, status: 'underway', departedMs: 110 * MIN }, 120 * MIN, time)).toBe('Departed 10 min ago · due back T200');
    expect(countdownSub({ ...base, status: 'scheduled' }, 0, time)).toBe('Departure T100');
    expect(countdownSub({ ...base, status: 'cancelled' }, 0, time)).toBe('');
  });
});

describe('the next open task of mine', () => {
  const tasks = [
    { id: 'forecast', role: 'captain', dueMs: 10, done: false },
    { id: 'fuel', role: 'crew', dueMs: 30, done: false },
    { id: 'engine', role: 'crew', dueMs: 30, done: false },
    { id: 'bilge', role: 'crew', dueMs: 20, done: true },
    { id: 'lookout', role: 'crew', dueMs: null, done: false },
  ];
  it('crew: the earliest open crew task (template order on a tie)', () => {
    expect(nextTask(tasks, 'crew', 'crew')?.id).toBe('fuel');
  });
  it("the event's captain and the office: any role", () => {
    expect(nextTask(tasks, 'captain', 'captain')?.id).toBe('forecast');
    expect(nextTask(tasks, null, 'admin')?.id).toBe('forecast');
  });
  it('executives: none', () => {
    expect(nextTask(tasks, null, 'executive')).toBeUndefined();
  });
  it('a task without a time comes last; all done: none', () => {
    expect(nextTask([tasks[4]!, { ...tasks[1]!, done: true }], 'crew', 'crew')?.id).toBe('lookout');
    expect(nextTask(tasks.map((t) => ({ ...t, done: true })), 'crew', 'crew')).toBeUndefined();
  });
});

describe("a row's one state and one time", () => {
  it('each state', () => {
    expect(rowLine('upcoming', 100 * MIN, 0, time)).toEqual({ text: 'due T100', tone: 'plain' });
    expect(rowLine('due', 100 * MIN, 88 * MIN, time)).toEqual({ text: 'due in 12 min', tone: 'soon' });
    expect(rowLine('due', 100 * MIN, 100 * MIN - 1000, time).text).toBe('due now');
    expect(rowLine('overdue', 100 * MIN, 112 * MIN, time)).toEqual({ text: 'overdue 12 min', tone: 'late' });
    expect(rowLine('done', 100 * MIN, 0, time, { by: 'Ana', atMs: 92 * MIN })).toEqual({ text: 'done T92 by Ana', tone: 'done' });
    expect(rowLine('done', null, 0, time).text).toBe('done');
    expect(rowLine('unscheduled', null, 0, time, { note: 'no sunset that day' }).text).toBe('no sunset that day');
    expect(rowLine('unscheduled', null, 0, time).text).toBe('no set time');
  });
});

describe('the departure check in words', () => {
  it('says how early from 15 minutes on', () => {
    expect(earlyWords(14)).toBeNull();
    expect(earlyWords(0)).toBeNull();
    expect(earlyWords(-30)).toBeNull();
    expect(earlyWords(15)).toBe('15 min before the scheduled departure');
    expect(earlyWords(485)).toBe('8 h 5 min before the scheduled departure');
  });
  it("reads a 409's task list", () => {
    expect(
      tasksOfProblem([
        { field: 'task/fuel_check', message: 'Fuel check' },
        { field: 'departs_at', message: 'ignored' },
        { field: 'task/life_jackets', message: 'Life jackets' },
      ]),
    ).toEqual([
      { id: 'fuel_check', title: 'Fuel check' },
      { id: 'life_jackets', title: 'Life jackets' },
    ]);
    expect(tasksOfProblem(undefined)).toEqual([]);
  });
  it('lists in words', () => {
    expect(listWords([])).toBe('');
    expect(listWords(['a'])).toBe('a');
    expect(listWords(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('revealScroll: the start of a confirm\'s list in view, nothing pressable brought under the finger', () => {
  it('stays put when the start is readable already', () => {
    expect(revealScroll(300, 600, 780)).toBe(0);
    expect(revealScroll(100, 40, 780, 52)).toBe(0);
  });
  it('scrolls down just enough to read the start of a list opened near the bottom', () => {
    expect(revealScroll(700, 600, 780)).toBe(160);
    expect(revealScroll(700, 600, 780, 0, 100)).toBe(20);
  });
  it('never moves the text out from under the point pressed', () => {
    // A short block: 50 px tall, so at most 0 px down (the press stays on it).
    expect(revealScroll(760, 50, 780)).toBe(0);
    expect(revealScroll(760, 100, 780)).toBe(40);
  });
  it('never takes the top under a sticky bar', () => {
    expect(revealScroll(120, 900, 300, 52)).toBe(60);
  });
  it('brings a start above the screen back under the bar', () => {
    expect(revealScroll(-400, 900, 780, 0)).toBe(-408);
    expect(revealScroll(20, 900, 780, 52)).toBe(-40);
  });
});
