// The new-event form's warnings (issue 17, item 5): reading the server's 409, and what the form
// says under its fields before it asks.
import { describe, expect, it } from 'vitest';
import { formConcerns, needsCaptain, unconfirmedWarnings, warningsByField } from '../src/eventchecks';
import type { Problem } from '../src/types';

const templates = [
  { kind: 'sunset_sail' as const, name: 'Sunset sail', min_crew: 2, requires_captain: true },
  { kind: 'charter' as const, name: 'Charter', min_crew: 2, requires_captain: true },
  { kind: 'haul' as const, name: 'Container haul', min_crew: 1 },
];

const warning: Problem = {
  type: '/problems/unconfirmed-warnings',
  title: 'Confirm to create',
  status: 409,
  detail: 'Confirm these to create the event.',
  errors: [
    { field: 'departs_at', code: 'departure_in_past', message: 'the departure is 1 day in the past' },
    { field: 'crew', code: 'short_of_crew', message: 'a sunset sail sails with at least 2 crew; 1 assigned' },
  ],
};

describe('the server answer', () => {
  it('reads the warnings of a 409 unconfirmed-warnings only', () => {
    expect(unconfirmedWarnings(409, warning)?.map((w) => w.code)).toEqual(['departure_in_past', 'short_of_crew']);
    expect(unconfirmedWarnings(409, { ...warning, type: 'https://example.com/problems/unconfirmed-warnings' })).toHaveLength(2);
    expect(unconfirmedWarnings(400, { ...warning, type: '/problems/validation', status: 400 })).toBeNull();
    expect(unconfirmedWarnings(409, { ...warning, type: '/problems/conflict' })).toBeNull();
    expect(unconfirmedWarnings(409, { ...warning, errors: [] })).toBeNull();
    expect(unconfirmedWarnings(409, null)).toBeNull();
  });

  it('places them by field, a crew line at the crew', () => {
    expect(
      warningsByField([
        ...warning.errors!,
        { field: 'crew/1', code: 'x', message: 'and another' },
      ]),
    ).toEqual({
      departs_at: 'the departure is 1 day in the past',
      crew: 'a sunset sail sails with at least 2 crew; 1 assigned and another',
    });
  });
});

describe('the form, before asking', () => {
  const base = { isNew: true, kind: 'sunset_sail', departs: '2026-12-07T17:00', nowWall: '2026-12-06T09:30', templates };

  it('is quiet about a sail in the future with a captain and enough crew', () => {
    const crew = [
      { email: 'a@x.com', role: 'captain' as const },
      { email: 'b@x.com', role: 'crew' as const },
    ];
    expect(formConcerns({ ...base, crew })).toEqual({});
  });

  it('warns of a departure in the past, a missing captain and short crew, by the kind name', () => {
    const c = formConcerns({ ...base, departs: '2026-12-05T17:00', crew: [{ email: 'b@x.com', role: 'crew' }] });
    expect(c.departs_at).toMatch(/in the past/);
    expect(c.crew).toEqual(['Pick a captain: a sunset sail sails with one.', '1 crew picked; a sunset sail sails with at least 2.']);
  });

  it("takes the vessel's minimum over the template's", () => {
    const crew = [
      { email: 'a@x.com', role: 'captain' as const },
      { email: 'b@x.com', role: 'crew' as const },
    ];
    expect(formConcerns({ ...base, crew, vessel: { min_crew: 3 } }).crew).toEqual(['2 crew picked; a sunset sail sails with at least 3.']);
    expect(formConcerns({ ...base, crew: crew.slice(0, 1), vessel: { min_crew: 1 } })).toEqual({});
  });

  it('tells an edit only of the captain', () => {
    expect(formConcerns({ ...base, isNew: false, departs: '2026-12-05T17:00', crew: [] })).toEqual({
      crew: ['Pick a captain: a sunset sail sails with one.'],
    });
  });

  it('knows which kinds need a captain, also from an older server without the flag', () => {
    expect(needsCaptain('charter', templates)).toBe(true);
    expect(needsCaptain('haul', templates)).toBe(false);
    expect(needsCaptain('delivery', [])).toBe(true);
    expect(formConcerns({ ...base, kind: 'haul', crew: [{ email: 'd@x.com', role: 'captain' }] })).toEqual({});
  });
});
