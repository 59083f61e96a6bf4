// The pure logic behind the screens: which events the list shows, what a card's countdown says,
// a confirmed tick applied to a loaded event, the admin form's time and crew handling.
import { describe, expect, it } from 'vitest';
import { tidyCode } from '../src/views/SignIn';
import { timeLine, visibleEvents } from '../src/views/Events';
import { describeAudit, historyAttachments, shownAttachments, withTask } from '../src/views/Event';
import { orgPatch, parseCoordinate } from '../src/views/OrgSettings';
import { addHoursWall, crewList } from '../src/views/EventForm';
import type { AuditEntry, ChecklistTask, EventKind, EventSummary, EventView } from '../src/types';
import type { TickOp } from '../src/sync/queue';

const LA = 'America/Los_Angeles';

function summary(id: string, departs: string, returns: string, status: EventSummary['status']): EventSummary {
  return {
    id,
    kind: 'charter',
    title: id,
    vessel: 'Jada',
    departs_at: { at: departs, local: departs },
    returns_at: { at: returns, local: returns },
    status,
    crew: [],
    tasks_done: 0,
    tasks_total: 10,
  };
}

describe('My events list', () => {
  const today = '2026-11-25';
  const events = [
    summary('tomorrow', '2026-11-26T19:00:00Z', '2026-11-27T00:00:00Z', 'scheduled'),
    summary('yesterday-done', '2026-11-24T20:00:00Z', '2026-11-24T23:00:00Z', 'completed'),
    summary('yesterday-still-out', '2026-11-24T20:00:00Z', '2026-11-26T20:00:00Z', 'underway'),
    summary('today', '2026-11-26T00:00:00Z', '2026-11-26T03:00:00Z', 'scheduled'),
    summary('late-tonight', '2026-11-26T07:30:00Z', '2026-11-26T09:00:00Z', 'cancelled'),
  ];
  it('shows what is underway and everything from today on, by departure', () => {
    expect(visibleEvents(events, today, LA).map((e) => e.id)).toEqual([
      'yesterday-still-out',
      'today',
      'late-tonight',
      'tomorrow',
    ]);
  });
  it('counts down to what matters for the status', () => {
    const now = Date.parse('2026-11-25T19:00:00Z');
    expect(timeLine(events[3]!, now)).toEqual({ text: 'Departs in 5 h 00 min', late: false });
    expect(timeLine(events[3]!, Date.parse('2026-11-26T00:10:00Z'))).toEqual({
      text: 'Departure was due 10 min 00 s ago',
      late: true,
    });
    expect(timeLine(events[2]!, now)).toEqual({ text: 'Returns in 1 d 01 h', late: false });
    expect(timeLine(events[1]!, now).text).toBe('Back in port');
    expect(timeLine(events[4]!, now).text).toMatch(/Cancelled/);
  });
});

describe('a confirmed tick on the loaded event', () => {
  const ev = {
    checklist: {
      template: 't',
      done: 0,
      total: 2,
      phases: [
        {
          id: 'p',
          title: 'P',
          tasks: [
            { id: 'a', title: 'A', anchor: 'departure', offset_minutes: 0, role: 'crew', safety_critical: false, done: false },
            { id: 'b', title: 'B', anchor: 'departure', offset_minutes: 0, role: 'crew', safety_critical: false, done: false },
          ],
        },
      ],
    },
    timing: { tasks: [{ id: 'a', status: 'overdue' }, { id: 'b', status: 'upcoming' }] },
  } as unknown as EventView;
  it('sets the task done, by whom and when, and the count', () => {
    const next = withTask(ev, 'a', true, 'deck.jada@example.com', '2026-11-25T22:00:00Z');
    const a = next.checklist.phases[0]!.tasks[0]!;
    expect(a.done).toBe(true);
    expect(a.done_by).toBe('deck.jada@example.com');
    expect(next.checklist.done).toBe(1);
    expect(next.timing.tasks[0]!.status).toBe('done');
    expect(ev.checklist.done).toBe(0); // the old copy is untouched
    const back = withTask(next, 'a', false, 'deck.jada@example.com', '2026-11-25T22:05:00Z');
    expect(back.checklist.done).toBe(0);
    expect(back.checklist.phases[0]!.tasks[0]!.done_by).toBeNull();
    // Ticking what is already done changes no count.
    expect(withTask(next, 'a', true, 'x', 'y').checklist.done).toBe(1);
  });
});

describe('the event form', () => {
  it('moves wall-clock times by whole hours, across days', () => {
    expect(addHoursWall('2026-11-25T16:00', 3)).toBe('2026-11-25T19:00');
    expect(addHoursWall('2026-11-25T22:30', 3)).toBe('2026-11-26T01:30');
    expect(addHoursWall('2026-12-31T23:00', 1.5)).toBe('2027-01-01T00:30');
    expect(addHoursWall('garbage', 3)).toBe('garbage');
  });
  it('sends the captain first, then crew, then kept non-members', () => {
    expect(
      crewList({
        crew: { 'deck@x.com': 'crew', 'cap@x.com': 'captain', 'off@x.com': '' },
        extraCrew: [{ email: 'gone@x.com', role: 'crew' }],
      }),
    ).toEqual([
      { email: 'cap@x.com', role: 'captain' },
      { email: 'deck@x.com', role: 'crew' },
      { email: 'gone@x.com', role: 'crew' },
    ]);
  });
});

describe('the sign-in code field', () => {
  it('tidies what people type into ABCD-EFGH', () => {
    expect(tidyCode('q1mzbvsg')).toBe('Q1MZ-BVSG');
    expect(tidyCode('q1mz bvsg')).toBe('Q1MZ-BVSG');
    expect(tidyCode('Q1MZ-BVSG')).toBe('Q1MZ-BVSG');
    expect(tidyCode('q1m')).toBe('Q1M');
    expect(tidyCode('Q1MZ-BVSGXX')).toBe('Q1MZ-BVSG');
  });
});

describe('the org settings form', () => {
  const saved = {
    zone: 'America/Los_Angeles',
    portName: 'San Diego',
    latitude: '32.7157',
    longitude: '-117.1611',
    kinds: ['sunset_sail', 'charter'] as EventKind[],
    recipients: {
      executive_summary: ['owner@example.com'],
      operations: [],
      safety: ['owner@example.com'],
      crew: [],
      finance: [],
    },
    contacts: [],
    coastGuardName: '',
    coastGuardPhone: '',
    grace: '30',
  };
  it('reads coordinates as typed, with a comma or a sign', () => {
    expect(parseCoordinate('32.7157')).toBe(32.7157);
    expect(parseCoordinate(' -117,1611 ')).toBe(-117.1611);
    expect(parseCoordinate('+5')).toBe(5);
    expect(parseCoordinate('')).toBeNull();
    expect(parseCoordinate('32.7.1')).toBeNull();
    expect(parseCoordinate('north')).toBeNull();
  });
  it('sends only what changed, and the whole recipients map when a list changed', () => {
    expect(orgPatch(saved, { ...saved })).toEqual({ patch: {}, errors: {} });
    expect(orgPatch(saved, { ...saved, kinds: ['charter', 'sunset_sail'] }).patch).toEqual({});
    expect(orgPatch(saved, { ...saved, zone: 'Europe/Berlin', kinds: ['haul', 'charter'] }).patch).toEqual({
      zone: 'Europe/Berlin',
      enabled_kinds: ['charter', 'haul'],
    });
    const added = orgPatch(saved, {
      ...saved,
      recipients: { ...saved.recipients, safety: ['owner@example.com', 'ops@example.com'] },
    }).patch;
    expect(added).toEqual({
      report_recipients: { ...saved.recipients, safety: ['owner@example.com', 'ops@example.com'] },
    });
    expect(orgPatch(saved, { ...saved, latitude: '32.72' }).patch).toEqual({
      home_port: { name: 'San Diego', latitude: 32.72, longitude: -117.1611 },
    });
  });
  it('does not send a home port it cannot read', () => {
    const { patch, errors } = orgPatch(saved, { ...saved, latitude: 'north', longitude: '' });
    expect(patch).toEqual({});
    expect(Object.keys(errors).sort()).toEqual(['home_port/latitude', 'home_port/longitude']);
  });
});

describe('the event history', () => {
  const titles = new Map([['headcount_on', 'Headcount at boarding']]);
  const base = { op_id: 'x', by: 'a@example.com', at: '2026-11-25T19:00:00Z' };
  it('says what each change did in words', () => {
    expect(describeAudit({ ...base, action: 'created' }, titles)).toBe('created the event');
    expect(describeAudit({ ...base, action: 'edited', fields: ['departs_at', 'crew', 'revenue_cents'] }, titles)).toBe(
      'changed the departure, crew, revenue',
    );
    expect(
      describeAudit({ ...base, action: 'edited', fields: ['vessel', 'vessel_id', 'passengers', 'emergency_contact'] }, titles),
    ).toBe('changed the vessel, passengers, emergency contact');
    expect(describeAudit({ ...base, action: 'task_done', task: 'headcount_on' }, titles)).toBe('ticked “Headcount at boarding”');
    expect(describeAudit({ ...base, action: 'task_undone', task: 'gone_task' }, titles)).toBe('unticked “gone_task”');
    expect(describeAudit({ ...base, action: 'departed' }, titles)).toBe('marked it departed');
  });
});

describe('notes and photos on tasks', () => {
  const titles = new Map([['fuel_check', 'Fuel check']]);
  const base = { op_id: 'x', by: 'a@example.com', at: '2026-11-25T19:00:00Z' };
  const urls = {
    P1: { url: '/dev/photos/P1', thumb_url: '/dev/photos/P1.thumb' },
    P2: { url: 'https://b.s3.us-west-2.amazonaws.com/P2', thumb_url: 'https://b.s3.us-west-2.amazonaws.com/P2.thumb' },
  };
  const jpeg = new Blob(['x'], { type: 'image/jpeg' });
  const op = (extra: Partial<TickOp>): TickOp => ({
    opId: 'op-1',
    eventId: 'E1',
    taskId: 'fuel_check',
    done: true,
    at: base.at,
    org: 'jada',
    email: base.by,
    state: 'pending',
    attempts: 0,
    ...extra,
  });
  const task = (extra: Partial<ChecklistTask>): ChecklistTask => ({
    id: 'fuel_check',
    title: 'Fuel check',
    anchor: 'departure',
    offset_minutes: -30,
    role: 'crew',
    safety_critical: false,
    done: true,
    ...extra,
  });

  it('the history line says what the tick carried', () => {
    const table: Array<[Partial<AuditEntry>, string]> = [
      [{ action: 'task_done', task: 'fuel_check' }, 'ticked “Fuel check”'],
      [{ action: 'task_done', task: 'fuel_check', note: '', photos: [] }, 'ticked “Fuel check”'],
      [{ action: 'task_done', task: 'fuel_check', note: 'Fuel 3/4' }, 'ticked “Fuel check” with a note'],
      [
        { action: 'task_undone', task: 'fuel_check', note: 'Leak', photos: [{ id: 'P1', content_type: 'image/jpeg' }] },
        'unticked “Fuel check” with a note and 1 photo',
      ],
    ];
    for (const [entry, words] of table) expect(describeAudit({ ...base, ...entry } as AuditEntry, titles)).toBe(words);
  });

  it("the history's thumbnails come from photo_urls; a photo without URLs is counted, not shown broken", () => {
    const entry = {
      ...base,
      action: 'task_done',
      task: 'fuel_check',
      note: ' Fuel 3/4 ',
      photos: [
        { id: 'P1', content_type: 'image/jpeg' },
        { id: 'P9', content_type: 'image/jpeg' },
        { id: 'P2', content_type: 'image/jpeg' },
      ],
    } as AuditEntry;
    expect(historyAttachments(entry, urls)).toEqual({
      note: 'Fuel 3/4',
      photos: [
        { key: 'P1', thumb: '/dev/photos/P1.thumb', full: '/dev/photos/P1' },
        { key: 'P2', thumb: urls.P2.thumb_url, full: urls.P2.url },
      ],
      missing: 1,
    });
    expect(historyAttachments({ ...base, action: 'departed' }, urls)).toEqual({ note: '', photos: [], missing: 0 });
    // An older copy: no note, no photos, no photo_urls.
    expect(historyAttachments({ ...base, action: 'task_done', task: 'fuel_check' }, {})).toEqual({ note: '', photos: [], missing: 0 });
  });

  it("a task shows its waiting tick's note and photos (blobs on the phone), else the server's", () => {
    const server = task({
      note: 'From the server',
      photos: [{ id: 'P1', content_type: 'image/jpeg', url: '/dev/photos/P1', thumb_url: '/dev/photos/P1.thumb' }],
    });
    const waiting = op({ note: 'Waiting', photos: [{ full: jpeg, thumb: jpeg, content_type: 'image/jpeg' }] });
    const mine = shownAttachments(waiting, server);
    expect(mine.note).toBe('Waiting');
    expect(mine.photos).toHaveLength(1);
    expect(mine.photos[0]?.thumb).toBe(jpeg);
    // A waiting tick with nothing attached leaves the server's on show.
    expect(shownAttachments(op({}), server)).toEqual({
      note: 'From the server',
      photos: [{ key: 'P1', thumb: '/dev/photos/P1.thumb', full: '/dev/photos/P1' }],
    });
    // An older copy of the event: neither field.
    expect(shownAttachments(undefined, task({}))).toEqual({ note: '', photos: [] });
    expect(shownAttachments(undefined, undefined)).toEqual({ note: '', photos: [] });
  });
});
