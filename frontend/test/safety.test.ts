// Safety ashore (issue 16, parts 3 and 4) on the app's side: what a float plan send says where
// the person tapped, the overdue banner's lines in the org's zone, who sees Send and Acknowledge,
// the org settings' safety form and its PATCH, the float plan route and its email link.
import { describe, expect, it } from 'vitest';
import { appPath, parseRoute } from '../src/router';
import {
  hasFloatPlan,
  mayAcknowledge,
  maySendFloatPlan,
  overdueBanner,
  overdueOf,
  sendNote,
  shoreContacts,
} from '../src/safety';
import type { FloatPlanSent, OrgView } from '../src/types';
import { describeAudit, nudgeWhat } from '../src/views/Event';
import { planOpen, reachLine, recipientState } from '../src/views/FloatPlan';
import {
  dropBlankContacts,
  errorAt,
  formChanged,
  formOf,
  orgPatch,
  parseGrace,
  rebaseForm,
  safetyOf,
  safetyPlaced,
} from '../src/views/OrgSettings';

const LA = 'America/Los_Angeles';

function sent(over: Partial<FloatPlanSent>): FloatPlanSent {
  return { version_at: '2026-07-04T01:30:00Z', update: false, sent: 0, already_sent: 0, failed: 0, ...over };
}

describe('what a float plan send says, where the person tapped', () => {
  const cases: [string, Partial<FloatPlanSent>, 'button' | 'tick', string, 'ok' | 'warn'][] = [
    ['first send to two', { sent: 2 }, 'button', 'Sent to 2 shore contacts.', 'ok'],
    ['first send to one', { sent: 1 }, 'button', 'Sent to 1 shore contact.', 'ok'],
    ['again: nothing twice', { already_sent: 2 }, 'button', 'Already sent to all 2: nothing mailed twice.', 'ok'],
    ['again, one contact', { already_sent: 1 }, 'button', 'Already sent to the shore contact: nothing mailed twice.', 'ok'],
    ['an update', { sent: 2, update: true }, 'button', 'Update sent to 2 shore contacts.', 'ok'],
    ['a new contact since', { sent: 1, already_sent: 2 }, 'button', 'Sent to 1 shore contact; 2 had it already.', 'ok'],
    [
      'the mail service failed for one',
      { sent: 1, failed: 1 },
      'button',
      'Sent to 1 shore contact. Not sent to 1 shore contact: the mail service failed. Send again to retry.',
      'warn',
    ],
    ['nobody reached at all', {}, 'button', 'Nobody to send it to: an admin adds shore contacts in Org settings.', 'warn'],
    ['the tick sent it', { sent: 2 }, 'tick', 'Float plan sent to 2 shore contacts.', 'ok'],
    ['the tick sent an update', { sent: 1, update: true }, 'tick', 'Float plan update sent to 1 shore contact.', 'ok'],
    ['the tick found it sent', { already_sent: 3 }, 'tick', 'Float plan already sent to all 3: nothing mailed twice.', 'ok'],
    [
      'the tick could not mail',
      { failed: 2 },
      'tick',
      'Not sent to 2 shore contacts: the mail service failed. Open the float plan to send it again.',
      'warn',
    ],
  ];
  for (const [name, result, from, text, kind] of cases) {
    it(name, () => expect(sendNote(sent(result), from)).toEqual({ text, kind }));
  }
  it('reads odd numbers as none', () => {
    expect(sendNote({ sent: Number.NaN, already_sent: -1 } as Partial<FloatPlanSent>).kind).toBe('warn');
    expect(shoreContacts(0)).toBe('0 shore contacts');
  });
});

describe('the overdue banner', () => {
  // 9:30 PM in San Diego (PDT) on 4 July 2026.
  const since = '2026-07-05T04:30:00Z';
  const sameEvening = Date.parse('2026-07-05T05:10:00Z');
  const nextMorning = Date.parse('2026-07-05T16:00:00Z');
  const cases: [string, { since?: unknown; acknowledged_at?: unknown } | null | undefined, number, string | null][] = [
    ['not acknowledged', { since, acknowledged_at: null }, sameEvening, 'Overdue since 9:30 PM — not marked returned'],
    ['acknowledged field missing (older server)', { since }, sameEvening, 'Overdue since 9:30 PM — not marked returned'],
    [
      'acknowledged by the office',
      { since, acknowledged_at: '2026-07-05T04:45:00Z' },
      sameEvening,
      'Overdue since 9:30 PM, acknowledged by the office at 9:45 PM',
    ],
    ['seen the next day: with the day', { since, acknowledged_at: null }, nextMorning, 'Overdue since Sat, Jul 4, 9:30 PM — not marked returned'],
    ['no overdue', null, sameEvening, null],
    ['absent (a copy saved by an older app)', undefined, sameEvening, null],
    ['garbled', { since: 'soon' }, sameEvening, null],
  ];
  for (const [name, overdue, now, headline] of cases) {
    it(name, () => {
      const o = overdueOf({ overdue } as Parameters<typeof overdueOf>[0]);
      expect(o ? overdueBanner(o, LA, now, 'en-US').headline : null).toBe(headline);
    });
  }
  it('says the alerts repeat until acknowledged, and that they stopped after', () => {
    const open = overdueBanner(overdueOf({ overdue: { since, acknowledged_at: null } })!, LA, sameEvening, 'en-US');
    expect(open.detail).toMatch(/^Shore contacts and admins are alerted every 30 minutes/);
    const done = overdueBanner(overdueOf({ overdue: { since, acknowledged_at: since } })!, LA, sameEvening, 'en-US');
    expect(done.detail).toMatch(/stopped/);
  });
});

describe('who sees Send float plan and Acknowledge', () => {
  const cases: [string, string, string | null | undefined, boolean, boolean][] = [
    // session role, role on this event, may send, may acknowledge
    ['admin', 'admin', null, true, true],
    ['admin on the crew', 'admin', 'crew', true, true],
    ["the event's captain", 'captain', 'captain', true, false],
    ['a captain on the crew of this one', 'captain', 'crew', false, false],
    ['a captain not on it', 'captain', null, false, false],
    ['crew made captain of the event (the server wants the captain role)', 'crew', 'captain', false, false],
    ['crew', 'crew', 'crew', false, false],
    ['executive', 'executive', undefined, false, false],
  ];
  for (const [name, role, mine, send, ack] of cases) {
    it(name, () => {
      expect(maySendFloatPlan(role, mine)).toBe(send);
      expect(mayAcknowledge(role)).toBe(ack);
    });
  }
  it('shows the float plan for boats, not for a truck haul', () => {
    expect(hasFloatPlan({ kind: 'charter' })).toBe(true);
    expect(hasFloatPlan({ kind: 'haul' })).toBe(false);
    expect(hasFloatPlan({ kind: 'haul', checklist: { phases: [{ tasks: [{ id: 'float_plan' }] }] } })).toBe(true);
  });
});

describe('the float plan page', () => {
  it('sends only while the event is on', () => {
    expect([undefined, 'scheduled', 'underway', 'completed', 'cancelled'].map(planOpen)).toEqual([true, true, true, false, false]);
  });
  it('says how far this version got', () => {
    const r = (...sent: boolean[]) => sent.map((s) => ({ sent: s }));
    expect(reachLine(r())).toBe('');
    expect(reachLine(r(true))).toBe('This version reached the shore contact.');
    expect(reachLine(r(true, true))).toBe('This version reached all 2.');
    expect(reachLine(r(false, false))).toBe('Not sent yet to the 2 shore contacts.');
    expect(reachLine(r(true, false, false))).toBe('This version reached 1 of 3.');
    expect([true, false].map(recipientState)).toEqual(['sent', 'not yet']);
  });
  it('has its route, and its email link opens in the app', () => {
    expect(parseRoute('/events/01J0AAAAAAAAAAAAAAAAAAAAAA/float-plan')).toEqual({ name: 'floatPlan', id: '01J0AAAAAAAAAAAAAAAAAAAAAA' });
    expect(parseRoute('/events/01J0AAAAAAAAAAAAAAAAAAAAAA/float-plan/')).toEqual({ name: 'floatPlan', id: '01J0AAAAAAAAAAAAAAAAAAAAAA' });
    expect(appPath('https://crew.example.com/events/01J0AAAAAAAAAAAAAAAAAAAAAA/float-plan?org=jada')).toBe(
      '/events/01J0AAAAAAAAAAAAAAAAAAAAAA/float-plan?org=jada',
    );
  });
  it('names the float plan, the alert and the acknowledgement in the history', () => {
    expect(['departure', 'return', 'float_plan', 'overdue', 'something_new'].map(nudgeWhat)).toEqual([
      'departure reminder',
      'return reminder',
      'float plan',
      'overdue alert',
      'something new',
    ]);
    expect(describeAudit({ action: 'overdue_acknowledged', op_id: 'x', by: 'a', at: '' }, new Map())).toBe(
      'acknowledged the overdue alert',
    );
  });
});

function org(safety?: OrgView['safety']): OrgView {
  return {
    id: 'jada',
    name: 'JADA',
    zone: LA,
    home_port: { name: 'San Diego', latitude: 32.7157, longitude: -117.1611 },
    enabled_kinds: ['charter'],
    report_recipients: {},
    ...(safety === undefined ? {} : { safety }),
  };
}

const SAVED = {
  shore_contacts: [{ name: 'Alex Admin', email: 'admin.jada@example.com', phone: '+1 619 555 0100' }],
  coast_guard: { name: 'Coast Guard Sector San Diego', phone: '' },
  overdue_grace_minutes: 30,
};

describe('the org settings: safety form and payload', () => {
  it('reads the settings, and defaults for an older server', () => {
    expect(safetyOf(org(SAVED))).toEqual(SAVED);
    expect(safetyOf(org())).toEqual({ shore_contacts: [], coast_guard: { name: '', phone: '' }, overdue_grace_minutes: 30 });
    expect(safetyOf(org({ shore_contacts: [{ name: 'A' } as never] }))).toEqual({
      shore_contacts: [{ name: 'A', email: '', phone: '' }],
      coast_guard: { name: '', phone: '' },
      overdue_grace_minutes: 30,
    });
    const f = formOf(org(SAVED));
    expect([f.contacts, f.coastGuardName, f.coastGuardPhone, f.grace]).toEqual([
      SAVED.shore_contacts,
      'Coast Guard Sector San Diego',
      '',
      '30',
    ]);
  });
  it('sends nothing of safety when it did not change', () => {
    const before = formOf(org(SAVED));
    expect(orgPatch(before, { ...before, zone: 'America/New_York' }).patch).toEqual({ zone: 'America/New_York' });
  });
  it('sends the whole safety settings, trimmed, when any of it changed', () => {
    const before = formOf(org(SAVED));
    const form = {
      ...before,
      contacts: [...before.contacts, { name: ' Harbor Office ', email: ' harbor@example.com ', phone: ' 619 555 0199 ' }],
    };
    expect(orgPatch(before, form)).toEqual({
      patch: {
        safety: {
          shore_contacts: [SAVED.shore_contacts[0], { name: 'Harbor Office', email: 'harbor@example.com', phone: '619 555 0199' }],
          coast_guard: { name: 'Coast Guard Sector San Diego', phone: '' },
          overdue_grace_minutes: 30,
        },
      },
      errors: {},
    });
    // Removing the last contact sends an empty list (the server replaces the settings whole).
    expect(orgPatch(before, { ...before, contacts: [] }).patch.safety?.shore_contacts).toEqual([]);
    expect(orgPatch(before, { ...before, grace: '45' }).patch.safety?.overdue_grace_minutes).toBe(45);
  });
  const graces: [string, number | null][] = [
    ['30', 30],
    [' 1 ', 1],
    ['720', 720],
    ['0', null],
    ['721', null],
    ['15.5', null],
    ['', null],
    ['half an hour', null],
  ];
  for (const [raw, want] of graces) it(`grace ${JSON.stringify(raw)}`, () => expect(parseGrace(raw)).toBe(want));
  it('does not send a grace it cannot read: the error is under the field', () => {
    const before = formOf(org(SAVED));
    expect(orgPatch(before, { ...before, grace: '0' })).toEqual({
      patch: {},
      errors: { 'safety/overdue_grace_minutes': 'A whole number of minutes from 1 to 720, like 30.' },
    });
  });
  it('drops rows added and left empty, so the rows shown are the rows sent', () => {
    const before = formOf(org(SAVED));
    const empty = { name: ' ', email: '', phone: '' };
    const form = { ...before, contacts: [empty, ...before.contacts, empty] };
    expect(dropBlankContacts(form).contacts).toEqual(before.contacts);
    expect(dropBlankContacts(before)).toBe(before);
    // An empty row alone is nothing to lose; a typed one is.
    expect(formChanged(before, form)).toBe(false);
    expect(formChanged(before, { ...before, coastGuardPhone: '619 278 7033' })).toBe(true);
  });
  it("keeps this person's safety edits on top of someone else's save (412)", () => {
    const before = formOf(org(SAVED));
    const mine = { ...before, contacts: [], grace: '60' };
    const theirs = { ...formOf(org(SAVED)), coastGuardPhone: '619 278 7033', grace: '45' };
    const out = rebaseForm(before, mine, theirs);
    expect([out.contacts, out.grace, out.coastGuardPhone]).toEqual([[], '60', '619 278 7033']);
  });
  it("puts the server's field errors under their fields", () => {
    const errors = {
      'safety/shore_contacts/1/phone': 'a phone number is digits, spaces and + - ( ) only',
      'safety/shore_contacts/0/email/domain': 'no domain',
    };
    expect(errorAt(errors, 'safety/shore_contacts/1/phone')).toMatch(/digits/);
    expect(errorAt(errors, 'safety/shore_contacts/0/email')).toBe('no domain');
    expect(errorAt(errors, 'safety/shore_contacts/0/name')).toBeUndefined();
    const placed: [string, number, boolean][] = [
      ['safety/shore_contacts/1/phone', 2, true],
      ['safety/shore_contacts/2/phone', 2, false],
      ['safety/shore_contacts/0/email/domain', 1, true],
      ['safety/shore_contacts', 0, true],
      ['safety/coast_guard/phone', 0, true],
      ['safety/overdue_grace_minutes', 0, true],
      ['safety/something_else', 0, false],
    ];
    for (const [field, rows, want] of placed) expect([field, safetyPlaced(field, rows)]).toEqual([field, want]);
  });
});
