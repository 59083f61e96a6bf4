// Vessels and passengers as the event screens use them: which records an event of a kind may
// pick, how a pick is labelled, the manifest textarea, the headcount line, and the event's
// passenger fields read tolerantly (copies saved on the phone by an older app version lack them).

import type { EventKind, Headcount, Passengers, Template, VesselKind, VesselView } from './types';

/** The vessel kind an event kind needs: a haul goes by truck, everything else by boat. */
export function vesselKindFor(kind: string): VesselKind {
  return kind === 'haul' ? 'truck' : 'boat';
}

/** The org's vessels an event of `kind` may pick, by name. */
export function vesselsFor(vessels: VesselView[], kind: string): VesselView[] {
  const wanted = vesselKindFor(kind);
  return vessels.filter((v) => v.kind === wanted).sort((a, b) => a.name.localeCompare(b.name));
}

/** An option of the vessel picker: `Jada · COI 49` (the name alone without a limit). */
export function vesselLabel(v: Pick<VesselView, 'name' | 'coi_max_passengers'>): string {
  return v.coi_max_passengers != null ? `${v.name} · COI ${v.coi_max_passengers}` : v.name;
}

/**
 * The record an event is on: by its `vessel_id`, or, for an event saved before it was linked,
 * the record of the same name (names are unique in an org, whatever their case).
 */
export function vesselOf(vessels: VesselView[], id: string | null | undefined, name: string): VesselView | undefined {
  if (id) return vessels.find((v) => v.id === id);
  const wanted = name.trim().toLowerCase();
  return wanted ? vessels.find((v) => v.name.trim().toLowerCase() === wanted) : undefined;
}

/** The hint under the passenger count, from the picked vessel's Certificate of Inspection. */
export function coiHint(v: Pick<VesselView, 'coi_max_passengers'> | undefined): string | undefined {
  if (v?.coi_max_passengers == null) return undefined;
  const n = v.coi_max_passengers;
  return `Certificate of Inspection: at most ${n} ${n === 1 ? 'passenger' : 'passengers'}`;
}

/** Whether an event of `kind` takes passengers (the template says; older servers do not). */
export function carriesPassengers(kind: string, templates: Pick<Template, 'kind' | 'carries_passengers'>[] = []): boolean {
  const said = templates.find((t) => t.kind === kind)?.carries_passengers;
  if (typeof said === 'boolean') return said;
  return kind === 'charter' || kind === 'sunset_sail';
}

/**
 * What an event's captain may change of it (who is aboard: the crew, and the passengers if it
 * takes any; and the notes), as their edit link and form title say.
 */
export function captainTitle(kind: string, templates: Pick<Template, 'kind' | 'carries_passengers'>[] = []): string {
  return carriesPassengers(kind, templates) ? 'Edit crew, passengers and notes' : 'Edit crew and notes';
}

/** The manifest textarea's text as the list to send: one name a line, blank lines dropped. */
export function manifestFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** A manifest as the textarea shows it. */
export function manifestToText(names: string[]): string {
  return names.join('\n');
}

/**
 * A typed passenger count: a whole number of 0 or more (empty is 0), or 'invalid'.
 */
export function parseCount(raw: string): number | 'invalid' {
  const t = raw.trim();
  if (!t) return 0;
  if (!/^\d{1,6}$/.test(t)) return 'invalid';
  return Number(t);
}

const EMPTY: Passengers = { count: 0, manifest: [], emergency_contact: '' };

/** The event's passengers, with the defaults for what an older saved copy lacks. */
export function passengersOf(ev: { passengers?: Partial<Passengers> | null }): Passengers {
  const p = ev.passengers;
  if (!p) return EMPTY;
  return {
    count: typeof p.count === 'number' ? p.count : 0,
    manifest: Array.isArray(p.manifest) ? p.manifest : [],
    emergency_contact: typeof p.emergency_contact === 'string' ? p.emergency_contact : '',
  };
}

/** `12 passengers`, `1 passenger`. */
export function passengerCount(n: number): string {
  return `${n} ${n === 1 ? 'passenger' : 'passengers'}`;
}

/** The line on a headcount task: `Expected aboard: 14 (12 passengers + 2 crew)`. */
export function headcountLine(h: Headcount | null | undefined): string | null {
  if (!h) return null;
  return `Expected aboard: ${h.total} (${passengerCount(h.passengers)} + ${h.crew} crew)`;
}

/** `crew 2 of 3 required` when fewer are assigned than the event needs; null when enough are. */
export function crewShortage(assigned: number, required: number | null | undefined): string | null {
  if (required == null || !(assigned < required)) return null;
  return `crew ${assigned} of ${required} required`;
}

/** What an event kind's vessel field is called. */
export function vesselWord(kind: EventKind | string): 'Truck' | 'Vessel' {
  return kind === 'haul' ? 'Truck' : 'Vessel';
}
