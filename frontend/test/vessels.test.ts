// Vessels and passengers (issue 16): which records an event of a kind may pick and how they read,
// the manifest textarea, the headcount and short-crew lines, old saved copies without the new
// fields, the event form's field errors and passenger fields, and the vessel form's parsing.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import type { EventView, VesselView } from '../src/types';
import {
  captainTitle,
  carriesPassengers,
  coiHint,
  crewShortage,
  headcountLine,
  manifestFromText,
  manifestToText,
  parseCount,
  passengersOf,
  vesselLabel,
  vesselOf,
  vesselsFor,
} from '../src/vessels';
import { formErrors, initialVesselId, passengerFields } from '../src/views/EventForm';
import {
  emptyVesselForm,
  errorsByField,
  parseFeet,
  parseWhole,
  vesselFacts,
  vesselFieldsOf,
  vesselFormOf,
} from '../src/views/Vessels';

function vessel(id: string, name: string, kind: 'boat' | 'truck', coi: number | null = null): VesselView {
  return {
    id,
    name,
    kind,
    registration: '',
    length_ft: null,
    description: '',
    coi_max_passengers: coi,
    min_crew: null,
    call_sign: '',
    mmsi: '',
    safety_gear: '',
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
  };
}

const FLEET = [
  vessel('T2', 'Truck 2', 'truck'),
  vessel('Q', 'Queen of San Diego', 'boat', 90),
  vessel('J', 'Jada', 'boat', 49),
  vessel('T1', 'Truck 1', 'truck'),
];

describe('which vessels an event kind lists', () => {
  const cases: [string, string[]][] = [
    ['sunset_sail', ['J', 'Q']],
    ['charter', ['J', 'Q']],
    ['delivery', ['J', 'Q']],
    ['haul', ['T1', 'T2']],
  ];
  it.each(cases)('%s lists %j, by name', (kind, ids) => {
    expect(vesselsFor(FLEET, kind).map((v) => v.id)).toEqual(ids);
  });
  it('lists nothing from an org without records', () => {
    expect(vesselsFor([], 'charter')).toEqual([]);
  });
});

describe('a vessel as the picker shows it', () => {
  it.each([
    [vessel('J', 'Jada', 'boat', 49), 'Jada · COI 49'],
    [vessel('Z', 'Zero', 'boat', 0), 'Zero · COI 0'],
    [vessel('T', 'Truck 1', 'truck'), 'Truck 1'],
  ])('%#: %s', (v, label) => {
    expect(vesselLabel(v)).toBe(label);
  });
  it.each([
    [vessel('J', 'Jada', 'boat', 49), 'Certificate of Inspection: at most 49 passengers'],
    [vessel('S', 'Skiff', 'boat', 1), 'Certificate of Inspection: at most 1 passenger'],
    [vessel('T', 'Truck 1', 'truck'), undefined],
    [undefined, undefined],
  ])('COI hint %#', (v, hint) => {
    expect(coiHint(v)).toBe(hint);
  });
});

describe('the record an event is on', () => {
  const cases: [string | null, string, string | undefined][] = [
    ['Q', 'Jada', 'Q'], // the id wins over the name
    [null, 'Jada', 'J'],
    [null, '  jADA ', 'J'], // names are unique whatever their case
    [null, 'Jada II', undefined],
    [null, '', undefined],
    ['gone', 'Jada', undefined],
  ];
  it.each(cases)('id %s, name %j -> %s', (id, name, want) => {
    expect(vesselOf(FLEET, id, name)?.id).toBe(want);
  });
  it('preselects an unlinked event by name, among the vessels of its kind only', () => {
    expect(initialVesselId(FLEET, 'charter', null, 'jada')).toBe('J');
    expect(initialVesselId(FLEET, 'charter', 'Q', 'Jada')).toBe('Q');
    expect(initialVesselId(FLEET, 'haul', null, 'Jada')).toBe('');
    expect(initialVesselId(FLEET, 'charter', null, 'Truck 1')).toBe('');
    expect(initialVesselId([], 'charter', null, 'Jada')).toBe('');
  });
});

describe('passengers by kind', () => {
  it.each([
    ['charter', true],
    ['sunset_sail', true],
    ['delivery', false],
    ['haul', false],
  ])('%s carries passengers: %s (without templates)', (kind, carries) => {
    expect(carriesPassengers(kind)).toBe(carries);
  });
  it('takes the template’s word when it has one', () => {
    expect(carriesPassengers('delivery', [{ kind: 'delivery', carries_passengers: true }])).toBe(true);
    expect(carriesPassengers('charter', [{ kind: 'charter', carries_passengers: false }])).toBe(false);
    expect(carriesPassengers('charter', [{ kind: 'charter' }])).toBe(true);
  });
});

describe("what a captain's edit says it changes", () => {
  it.each([
    ['charter', 'Edit crew, passengers and notes'],
    ['sunset_sail', 'Edit crew, passengers and notes'],
    ['delivery', 'Edit crew and notes'],
    ['haul', 'Edit crew and notes'],
  ])('%s: %s', (kind, title) => {
    expect(captainTitle(kind)).toBe(title);
  });
});

describe('the manifest textarea', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['Ana Ruiz', ['Ana Ruiz']],
    ['Ana Ruiz\nBo Chen\n', ['Ana Ruiz', 'Bo Chen']],
    ['  Ana Ruiz  \r\n\r\n\n  \nBo Chen', ['Ana Ruiz', 'Bo Chen']],
    ['\n\n', []],
  ];
  it.each(cases)('%j -> %j', (text, names) => {
    expect(manifestFromText(text)).toEqual(names);
  });
  it('shows a saved manifest one name a line, and reads it back the same', () => {
    const names = ['Ana Ruiz', 'Bo Chen', 'Cy Okafor'];
    expect(manifestToText(names)).toBe('Ana Ruiz\nBo Chen\nCy Okafor');
    expect(manifestFromText(manifestToText(names))).toEqual(names);
  });
});

describe('a typed passenger count', () => {
  it.each([
    ['', 0],
    ['0', 0],
    [' 12 ', 12],
    ['-1', 'invalid'],
    ['1.5', 'invalid'],
    ['twelve', 'invalid'],
  ] as const)('%j -> %s', (raw, want) => {
    expect(parseCount(raw)).toBe(want);
  });
  it('sends nothing aboard for the kinds without passengers, whatever is typed', () => {
    const typed = { passengers: '12', manifest: 'Ana\n\nBo', emergencyContact: ' Mo 555-0100 ' };
    expect(passengerFields(typed, true)).toEqual({ count: 12, manifest: ['Ana', 'Bo'], emergencyContact: 'Mo 555-0100' });
    expect(passengerFields(typed, false)).toEqual({ count: 0, manifest: [], emergencyContact: '' });
  });
});

describe('the headcount and crew lines', () => {
  it.each([
    [{ passengers: 12, crew: 2, total: 14 }, 'Expected aboard: 14 (12 passengers + 2 crew)'],
    [{ passengers: 1, crew: 1, total: 2 }, 'Expected aboard: 2 (1 passenger + 1 crew)'],
    [{ passengers: 0, crew: 3, total: 3 }, 'Expected aboard: 3 (0 passengers + 3 crew)'],
    [null, null],
    [undefined, null],
  ])('%j', (h, line) => {
    expect(headcountLine(h)).toBe(line);
  });
  it.each([
    [2, 3, 'crew 2 of 3 required'],
    [0, 1, 'crew 0 of 1 required'],
    [3, 3, null],
    [4, 3, null],
    [1, null, null],
    [1, undefined, null],
  ])('%s assigned, %s required', (assigned, required, line) => {
    expect(crewShortage(assigned, required)).toBe(line);
  });
});

describe('an event saved on the phone by an older app version', () => {
  it('reads as nobody aboard', () => {
    expect(passengersOf({} as EventView)).toEqual({ count: 0, manifest: [], emergency_contact: '' });
    expect(passengersOf({ passengers: null })).toEqual({ count: 0, manifest: [], emergency_contact: '' });
    expect(passengersOf({ passengers: { count: 4 } })).toEqual({ count: 4, manifest: [], emergency_contact: '' });
  });
  it('keeps what the server sent', () => {
    const p = { count: 2, manifest: ['Ana', 'Bo'], emergency_contact: 'Mo 555-0100' };
    expect(passengersOf({ passengers: p })).toEqual(p);
  });
});

describe("the event form's field errors", () => {
  const problem = [
    { field: 'passenger_count', code: 'over_coi', message: "7 passengers is over the limit: the Test Boat's Certificate of Inspection allows at most 6" },
    { field: 'vessel_id', code: 'unknown_vessel', message: "this is not one of the org's vessels" },
    { field: 'manifest/1', code: 'length', message: 'manifest/1 is 1 to 80 characters' },
    { field: 'manifest', code: 'more_than_count', message: 'the manifest names 3 people but the passenger count is 2' },
    { field: 'crew/0/email', code: 'email', message: 'not an email address' },
    { field: 'emergency_contact', code: 'length', message: 'emergency_contact is at most 120 characters' },
  ];
  it('puts each next to the field it names', () => {
    expect(formErrors(problem, ['Ana', 'B'.repeat(81), 'Cy'])).toEqual({
      passenger_count: "7 passengers is over the limit: the Test Boat's Certificate of Inspection allows at most 6",
      vessel: "this is not one of the org's vessels",
      manifest: `“${'B'.repeat(81)}”: manifest/1 is 1 to 80 characters the manifest names 3 people but the passenger count is 2`,
      crew: 'not an email address',
      emergency_contact: 'emergency_contact is at most 120 characters',
    });
  });
  it('numbers a manifest line it cannot name', () => {
    expect(formErrors([{ field: 'manifest/4', code: 'x', message: 'bad' }], [])).toEqual({ manifest: 'Name 5: bad' });
  });
});

describe('the vessel form', () => {
  it.each([
    ['', null],
    ['6', 6],
    [' 49 ', 49],
    ['-2', 'invalid'],
    ['4.5', 'invalid'],
    ['many', 'invalid'],
  ] as const)('whole number %j -> %s', (raw, want) => {
    expect(parseWhole(raw)).toBe(want);
  });
  it.each([
    ['', null],
    ['65', 65],
    ['42.5', 42.5],
    ['42,5', 42.5],
    ['65 ft', 'invalid'],
  ] as const)('feet %j -> %s', (raw, want) => {
    expect(parseFeet(raw)).toBe(want);
  });

  it('sends a boat as typed, trimmed, numbers as numbers and empty ones as null', () => {
    const form = {
      ...emptyVesselForm(),
      name: ' Test Boat ',
      registration: 'CF 1234 AB',
      length: '32',
      coi: '6',
      minCrew: '2',
      callSign: 'wdc1234',
      mmsi: '367123450',
      description: 'White hull',
    };
    expect(vesselFieldsOf(form)).toEqual({
      fields: {
        name: 'Test Boat',
        kind: 'boat',
        registration: 'CF 1234 AB',
        length_ft: 32,
        description: 'White hull',
        coi_max_passengers: 6,
        min_crew: 2,
        call_sign: 'wdc1234',
        mmsi: '367123450',
        safety_gear: '',
      },
      errors: {},
    });
  });
  it('sends a truck without the boat-only fields it may still hold', () => {
    const form = { ...emptyVesselForm('truck'), name: 'Truck 3', coi: '6', callSign: 'X', mmsi: '1', minCrew: '1' };
    const { fields } = vesselFieldsOf(form);
    expect(fields).toMatchObject({ kind: 'truck', coi_max_passengers: null, call_sign: '', mmsi: '', min_crew: 1, length_ft: null });
  });
  it('names what cannot be sent, by the server’s field names', () => {
    const form = { ...emptyVesselForm(), name: '  ', length: 'long', coi: 'six', minCrew: '1.5' };
    const { fields, errors } = vesselFieldsOf(form);
    expect(fields).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['coi_max_passengers', 'length_ft', 'min_crew', 'name']);
  });
  it('shows a saved vessel as it was entered, and sends it back unchanged', () => {
    const v = { ...vessel('J', 'Jada', 'boat', 49), length_ft: 65, min_crew: 2, call_sign: 'WDC1234', mmsi: '367123450' };
    const form = vesselFormOf(v);
    expect(form).toMatchObject({ name: 'Jada', coi: '49', minCrew: '2', length: '65', callSign: 'WDC1234' });
    expect(vesselFieldsOf(form).fields).toMatchObject({ coi_max_passengers: 49, min_crew: 2, length_ft: 65 });
  });
  it('lists the facts a card shows, skipping the empty ones', () => {
    const v = { ...vessel('J', 'Jada', 'boat', 49), registration: 'DOC 1200345', min_crew: 2, call_sign: 'WDC1234' };
    expect(vesselFacts(v)).toEqual([
      { label: 'Registration', value: 'DOC 1200345' },
      { label: 'COI max', value: '49 passengers' },
      { label: 'Min crew', value: '2' },
      { label: 'Call sign', value: 'WDC1234' },
    ]);
    expect(vesselFacts({ ...vessel('T', 'Truck 1', 'truck'), registration: 'CA 8QDN001' })).toEqual([
      { label: 'Plate', value: 'CA 8QDN001' },
    ]);
  });
  it("groups the server's field errors by field", () => {
    const e = new ApiError(400, {
      type: '/problems/validation',
      title: 'Invalid',
      status: 400,
      errors: [
        { field: 'name', code: 'taken', message: 'another vessel of the org has this name' },
        { field: 'mmsi', code: 'format', message: 'an MMSI is exactly 9 digits' },
        { field: 'mmsi', code: 'x', message: 'again' },
      ],
    });
    expect(errorsByField(e)).toEqual({
      name: 'another vessel of the org has this name',
      mmsi: 'an MMSI is exactly 9 digits again',
    });
  });
});
