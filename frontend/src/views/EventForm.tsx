// Create or edit an event (admin; an event's captain may change who is aboard and the notes). Times are
// typed as wall-clock times in the org's zone and sent as such: the server converts them. An org
// that keeps vessel records picks the vessel from them (a haul a truck, the rest a boat) and the
// server checks the passenger count against its Certificate of Inspection; an org without any
// types the vessel's name.
//
// A new event departing in the past or short of crew is created only once the admin confirms it
// (the server's 409 `unconfirmed-warnings`, answered with "Create anyway", a guarded two-tap
// confirm); the form says so under those fields as they are filled in (src/eventchecks.ts).

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { ConfirmButton, Field, Loading, Notice, PageTitle, describedBy } from '../components';
import { formConcerns, unconfirmedWarnings, warningsByField } from '../eventchecks';
import { useTitle } from '../hooks';
import { navigate } from '../router';
import { can, type Session } from '../session';
import { serverClock, wallClock, wallClockAt } from '../time';
import {
  kindLabel,
  roleLabel,
  type CrewFields,
  type CrewRole,
  type EventFields,
  type EventKind,
  type EventPatch,
  type EventView,
  type FieldError,
  type MemberView,
  type Template,
  type VesselView,
} from '../types';
import {
  captainTitle,
  carriesPassengers,
  coiHint,
  manifestFromText,
  manifestToText,
  parseCount,
  passengersOf,
  vesselKindFor,
  vesselLabel,
  vesselOf,
  vesselWord,
  vesselsFor,
} from '../vessels';

const HOUR = 3_600_000;

/** A wall-clock `YYYY-MM-DDTHH:mm` moved by whole hours (calendar arithmetic, no zone). */
export function addHoursWall(wall: string, hours: number): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(wall)) return wall;
  const ms = Date.parse(`${wall}:00Z`);
  if (Number.isNaN(ms)) return wall;
  return new Date(ms + hours * HOUR).toISOString().slice(0, 16);
}

interface FormState {
  kind: string;
  title: string;
  /** Typed, in an org without vessel records (or the name an unlinked event keeps). */
  vessel: string;
  /** Picked from the org's records; '' for none. */
  vesselId: string;
  departs: string;
  returns: string;
  crew: Record<string, CrewRole | ''>;
  /** Crew on the event who are no longer members (kept unless removed). */
  extraCrew: CrewFields[];
  notes: string;
  revenue: string;
  /** As typed: '' is 0. */
  passengers: string;
  /** The manifest textarea: one name a line. */
  manifest: string;
  emergencyContact: string;
}

/** The crew list to send: chosen members (captains first), then kept non-members. */
export function crewList(state: Pick<FormState, 'crew' | 'extraCrew'>): CrewFields[] {
  const chosen = Object.entries(state.crew)
    .filter((e): e is [string, CrewRole] => e[1] === 'captain' || e[1] === 'crew')
    .map(([email, role]) => ({ email, role }));
  chosen.sort((a, b) => (a.role === b.role ? 0 : a.role === 'captain' ? -1 : 1));
  return [...chosen, ...state.extraCrew];
}

function parseRevenue(raw: string): number | null | 'invalid' {
  const t = raw.trim().replace(/[$,\s]/g, '');
  if (!t) return null;
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return 'invalid';
  return Math.round(Number(t) * 100);
}

function fromEvent(ev: EventView, members: MemberView[]): FormState {
  const known = new Set(members.map((m) => m.email));
  const crew: Record<string, CrewRole | ''> = {};
  for (const c of ev.crew) if (known.has(c.email)) crew[c.email] = c.role;
  const p = passengersOf(ev);
  return {
    kind: ev.kind,
    title: ev.title,
    vessel: ev.vessel,
    vesselId: ev.vessel_id ?? '',
    passengers: p.count ? String(p.count) : '',
    manifest: manifestToText(p.manifest),
    emergencyContact: p.emergency_contact,
    departs: wallClock(ev.departs_at.local),
    returns: wallClock(ev.returns_at.local),
    crew,
    extraCrew: ev.crew.filter((c) => !known.has(c.email)).map((c) => ({ email: c.email, role: c.role })),
    notes: ev.notes,
    revenue: ev.revenue_cents != null ? (ev.revenue_cents / 100).toFixed(2) : '',
  };
}

/**
 * The vessel an edited event shows picked: its record, or for an event saved before it was
 * linked, the record of the kind with its name (the server links them by name too).
 */
export function initialVesselId(vessels: VesselView[], kind: string, vesselId: string | null | undefined, name: string): string {
  if (vesselId) return vesselId;
  return vesselOf(vesselsFor(vessels, kind), null, name)?.id ?? '';
}

/** The passenger fields as they are sent: none for the kinds that carry no passengers. */
export function passengerFields(
  form: Pick<FormState, 'passengers' | 'manifest' | 'emergencyContact'>,
  carries: boolean,
): { count: number | 'invalid'; manifest: string[]; emergencyContact: string } {
  if (!carries) return { count: 0, manifest: [], emergencyContact: '' };
  return {
    count: parseCount(form.passengers),
    manifest: manifestFromText(form.manifest),
    emergencyContact: form.emergencyContact.trim(),
  };
}

/**
 * The server's field errors by form field: a crew line's go to the crew, an unknown or wrong
 * vessel (`vessel_id`) to the vessel, a manifest line's (`manifest/3`) to the manifest, naming
 * the person of that line in what was sent.
 */
export function formErrors(errors: FieldError[], manifestSent: string[] = []): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const f of errors) {
    let key = f.field;
    let message = f.message;
    if (key.startsWith('crew')) key = 'crew';
    else if (key === 'vessel_id') key = 'vessel';
    else if (key.startsWith('manifest/')) {
      const i = Number(key.slice('manifest/'.length));
      const who = Number.isInteger(i) ? manifestSent[i] : undefined;
      message = who !== undefined ? `“${who}”: ${message}` : `Name ${i + 1}: ${message}`;
      key = 'manifest';
    }
    byField[key] = byField[key] ? `${byField[key]} ${message}` : message;
  }
  return byField;
}

export function EventForm({ session, id }: { session: Session; id?: string }) {
  const editing = id !== undefined;
  const rights = can(session);
  const captainOnly = !rights.admin;
  useTitle(editing ? 'Edit event' : 'New event');
  const zone = session.org.zone ?? 'America/Los_Angeles';
  const [templates, setTemplates] = useState<Template[]>([]);
  const [kinds, setKinds] = useState<EventKind[]>([]);
  const [members, setMembers] = useState<MemberView[]>([]);
  /** The org's vessel records; with none, the vessel is typed. */
  const [vessels, setVessels] = useState<VesselView[]>([]);
  const [original, setOriginal] = useState<{ ev: EventView; etag: string } | null>(null);
  const [form, setForm] = useState<FormState | null>(null);
  const [titleTouched, setTitleTouched] = useState(editing);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  /** The server's warnings about the event as last sent (a 409), until it is changed or confirmed. */
  const [warnings, setWarnings] = useState<{ items: FieldError[]; detail: string } | null>(null);
  const warningsRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!warnings) return;
    warningsRef.current?.scrollIntoView({ block: 'center' });
    warningsRef.current?.focus({ preventScroll: true });
  }, [warnings]);

  const load = async () => {
    setLoadError(null);
    setStale(false);
    try {
      const [tpls, org, mems, current, vs] = await Promise.all([
        api.templates(),
        rights.admin ? api.org().then((r) => r.org) : Promise.resolve(null),
        // Admins and captains pick crew from the org's members.
        api.members().catch((e) => {
          if (e instanceof api.ApiError && e.status === 403) return [] as MemberView[];
          throw e;
        }),
        editing ? api.getEvent(id) : Promise.resolve(null),
        // Admins pick the vessel; a captain sees its COI limit. No records: the vessel is typed.
        rights.admin || editing
          ? api.vessels().catch((e) => {
              if (e instanceof api.ApiError) return [] as VesselView[];
              throw e;
            })
          : Promise.resolve([] as VesselView[]),
      ]);
      setTemplates(tpls);
      setMembers(mems);
      setVessels(vs);
      const enabled = org?.enabled_kinds ?? [];
      if (current && current.status === 200) {
        const ev = current.event;
        setOriginal({ ev, etag: current.etag });
        setForm({ ...fromEvent(ev, mems), vesselId: initialVesselId(vs, ev.kind, ev.vessel_id, ev.vessel) });
        setKinds(enabled.includes(ev.kind) ? enabled : [...enabled, ev.kind]);
      } else {
        const kind = enabled[0] ?? 'charter';
        const start = Math.ceil((serverClock.now() + HOUR) / HOUR) * HOUR;
        const departs = wallClockAt(start, zone);
        setKinds(enabled);
        setForm({
          kind,
          title: tpls.find((t) => t.kind === kind)?.name ?? kindLabel(kind),
          vessel: '',
          vesselId: '',
          departs,
          returns: addHoursWall(departs, 3),
          crew: {},
          extraCrew: [],
          notes: '',
          revenue: '',
          passengers: '',
          manifest: '',
          emergencyContact: '',
        });
      }
    } catch (e) {
      setLoadError(e instanceof api.ApiError && e.status === 404 ? 'This event was not found.' : api.describe(e));
    }
  };

  useEffect(() => {
    void load();
  }, [id, session.org.id]);

  if (!rights.admin && !editing) {
    return <Notice kind="error">Only an admin can create events.</Notice>;
  }
  if (loadError) {
    return (
      <div>
        <PageTitle>{editing ? 'Edit event' : 'New event'}</PageTitle>
        <Notice kind="error">{loadError}</Notice>
        <button type="button" class="btn btn-secondary" onClick={() => void load()}>
          Try again
        </button>
      </div>
    );
  }
  if (!form) return <Loading what="the form" />;

  const set = (patch: Partial<FormState>) => {
    setForm({ ...form, ...patch });
    // The warnings were about what was sent: a change asks the server again.
    if (warnings) setWarnings(null);
  };
  const templateName = (k: string) => templates.find((t) => t.kind === k)?.name ?? kindLabel(k);
  const maxHours = templates.find((t) => t.kind === form.kind)?.max_hours;
  const returnsHint = maxHours ? `${zone.replace(/_/g, ' ')} time; at most ${maxHours} hours after departure` : undefined;
  // An org with vessel records picks from them (the server takes no other name then).
  const picking = vessels.length > 0;
  const choices = vesselsFor(vessels, form.kind);
  const picked = captainOnly
    ? original
      ? vesselOf(vessels, original.ev.vessel_id, original.ev.vessel)
      : undefined
    : picking
      ? vessels.find((v) => v.id === form.vesselId)
      : undefined;
  const carries = carriesPassengers(form.kind, templates);
  // An edited event on a name no record has: kept as it is unless another vessel is picked.
  const keptName = editing && original && !original.ev.vessel_id && !form.vesselId ? original.ev.vessel : '';

  const submit = (e: Event) => {
    e.preventDefault();
    void save([]);
  };

  /** Saves the form; `confirm` names the server's warnings the admin accepted ("Create anyway"). */
  const save = async (confirm: string[]) => {
    setError(null);
    setFieldErrors({});
    setWarnings(null);
    const local: Record<string, string> = {};
    const aboard = passengerFields(form, carries);
    if (!captainOnly) {
      if (!form.title.trim()) local.title = 'Give the event a title.';
      if (picking ? !form.vesselId && !keptName : !form.vessel.trim()) {
        local.vessel = picking ? `Pick the ${vesselWord(form.kind).toLowerCase()}.` : 'Which vessel or truck?';
      }
      if (!form.departs) local.departs_at = 'When does it depart?';
      if (!form.returns) local.returns_at = 'When does it return?';
      if (form.departs && form.returns && form.returns <= form.departs) local.returns_at = 'Return must be after departure.';
    }
    if (aboard.count === 'invalid') local.passenger_count = 'A whole number of passengers, 0 or more.';
    const revenue = parseRevenue(form.revenue);
    if (revenue === 'invalid') local.revenue_cents = 'An amount in dollars, like 1250 or 1250.50.';
    if (Object.keys(local).length) {
      setFieldErrors(local);
      setError('Check the highlighted fields.');
      return;
    }
    const crew = crewList(form);
    setBusy(true);
    try {
      let saved: EventView;
      if (editing && original) {
        const before = fromEvent(original.ev, members);
        const patch: EventPatch = {};
        if (!captainOnly) {
          if (form.kind !== before.kind) patch.kind = form.kind;
          if (form.title.trim() !== before.title) patch.title = form.title.trim();
          if (picking) {
            if (form.vesselId && form.vesselId !== before.vesselId) patch.vessel_id = form.vesselId;
          } else if (form.vessel.trim() !== before.vessel) {
            patch.vessel = form.vessel.trim();
          }
          if (form.departs !== before.departs) patch.departs_at = form.departs;
          if (form.returns !== before.returns) patch.returns_at = form.returns;
          if (form.revenue.trim() !== before.revenue) patch.revenue_cents = revenue === 'invalid' ? null : revenue;
        }
        // Who is aboard: an admin's or the event's captain's to change.
        const was = passengersOf(original.ev);
        if (aboard.count !== 'invalid' && aboard.count !== was.count) patch.passenger_count = aboard.count;
        if (aboard.manifest.join('\n') !== was.manifest.join('\n')) patch.manifest = aboard.manifest;
        if (aboard.emergencyContact !== was.emergency_contact) patch.emergency_contact = aboard.emergencyContact;
        if (JSON.stringify(crew) !== JSON.stringify(crewList(before))) patch.crew = crew;
        if (form.notes !== before.notes) patch.notes = form.notes;
        if (Object.keys(patch).length === 0) {
          navigate(`/events/${original.ev.id}`);
          return;
        }
        saved = await api.editEvent(original.ev.id, original.etag, patch);
      } else {
        const fields: EventFields = {
          kind: form.kind,
          title: form.title.trim(),
          // A picked record: the server fills the name.
          ...(picking ? { vessel_id: form.vesselId } : { vessel: form.vessel.trim() }),
          departs_at: form.departs,
          returns_at: form.returns,
          crew,
          notes: form.notes,
          ...(revenue !== null && revenue !== 'invalid' ? { revenue_cents: revenue } : {}),
          // Only what was given: the defaults (none aboard) go unsaid.
          ...(aboard.count !== 'invalid' && aboard.count > 0 ? { passenger_count: aboard.count } : {}),
          ...(aboard.manifest.length ? { manifest: aboard.manifest } : {}),
          ...(aboard.emergencyContact ? { emergency_contact: aboard.emergencyContact } : {}),
        };
        saved = confirm.length ? await api.createEventConfirming(fields, confirm) : await api.createEvent(fields);
      }
      navigate(`/events/${saved.id}`);
    } catch (err) {
      // Only a new event is asked to confirm (an edit has no "Create anyway").
      const warned = !editing && err instanceof api.ApiError ? unconfirmedWarnings(err.status, err.problem) : null;
      if (warned && err instanceof api.ApiError) {
        // The detail often repeats the list: then a plain heading over it.
        const detail = err.problem?.detail ?? '';
        const own = detail && !warned.some((w) => detail.includes(w.message)) ? detail : 'Check before it is created:';
        setWarnings({ items: warned, detail: own });
      } else if (err instanceof api.ApiError && err.status === 412) {
        setStale(true);
        setError('Someone changed this event while you were editing. Reload it to see their change, then make yours again.');
      } else if (err instanceof api.ApiError && err.problem?.errors?.length) {
        setFieldErrors(formErrors(err.problem.errors, aboard.manifest));
        setError('The server did not accept some fields; see below.');
      } else {
        setError(api.describe(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const pickable = members.filter((m) => m.role !== 'executive' || form.crew[m.email]);
  pickable.sort((a, b) => {
    const rank = (m: MemberView) => (m.role === 'captain' ? 0 : m.role === 'crew' ? 1 : 2);
    return rank(a) - rank(b) || a.name.localeCompare(b.name);
  });
  const err = (f: string) => fieldErrors[f];
  const warned = warnings ? warningsByField(warnings.items) : {};
  const concerns = formConcerns({
    isNew: !editing,
    kind: form.kind,
    departs: form.departs,
    nowWall: wallClockAt(serverClock.now(), zone),
    crew: crewList(form),
    templates,
    vessel: picked,
  });
  // The server's word on a field (an error, a warning) takes the place of the form's own.
  const departsWarn = err('departs_at') ? undefined : (warned.departs_at ?? concerns.departs_at);
  const crewWarns = err('crew') ? [] : warned.crew ? [warned.crew] : (concerns.crew ?? []);
  const withWarn = (ids: string | undefined, warnId: string | false) => [ids, warnId].filter(Boolean).join(' ') || undefined;
  const zoneText = `${zone.replace(/_/g, ' ')} time`;
  const notesHint = 'Guests, dock, special requests';
  // Errors of fields this form does not show (a hidden passenger field, a field the server added).
  const shown = new Set(['kind', 'title', 'vessel', 'departs_at', 'returns_at', 'crew', 'notes', 'revenue_cents']);
  if (carries) for (const f of ['passenger_count', 'manifest', 'emergency_contact']) shown.add(f);
  if (captainOnly) for (const f of ['kind', 'title', 'vessel', 'departs_at', 'returns_at', 'revenue_cents']) shown.delete(f);
  const unplaced = Object.entries(fieldErrors).filter(([f]) => !shown.has(f));
  const word = vesselWord(form.kind);
  const vesselsLink = (
    <>
      {' '}
      <a href="/admin/vessels">Vessels screen</a>
    </>
  );
  const vesselHint = picking
    ? choices.length === 0
      ? (
          <>
            No {vesselKindFor(form.kind) === 'truck' ? 'trucks' : 'boats'} recorded yet: add one on the{vesselsLink}.
          </>
        )
      : undefined
    : (
        <>
          Type its name, or add your boats and trucks on the{vesselsLink} to pick them from a list.
        </>
      );
  const passengersHint = coiHint(picked) ?? 'Guests aboard; crew not counted.';
  const manifestHint = 'One name a line. For the float plan.';
  const contactHint = "Someone ashore for the party, and their phone.";

  return (
    <div class="narrow">
      <p class="back">
        <a href={editing && id ? `/events/${id}` : '/'}>← {editing ? 'Back to the event' : 'My events'}</a>
      </p>
      <PageTitle>{editing ? (captainOnly ? captainTitle(form.kind, templates) : 'Edit event') : 'New event'}</PageTitle>
      {error && (
        <Notice kind="error">
          {error}
          {unplaced.map(([f, m]) => (
            <span key={f} class="block">
              {f.replace(/_/g, ' ')}: {m}
            </span>
          ))}
        </Notice>
      )}
      {stale && (
        <p>
          <button type="button" class="btn btn-primary" onClick={() => void load()}>
            Reload the event
          </button>
        </p>
      )}
      <form class="card" onSubmit={submit} noValidate>
        {!captainOnly && (
          <>
            <Field id="ev-kind" label="Kind" error={err('kind')}>
              <select
                id="ev-kind"
                value={form.kind}
                aria-describedby={describedBy('ev-kind', undefined, err('kind'))}
                onChange={(e) => {
                  const kind = (e.target as HTMLSelectElement).value;
                  // A boat cannot do a haul, nor a truck a sail: the pick goes with the kind.
                  const keep = vesselsFor(vessels, kind).some((v) => v.id === form.vesselId);
                  set({ kind, ...(titleTouched ? {} : { title: templateName(kind) }), ...(keep ? {} : { vesselId: '' }) });
                }}
              >
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {templateName(k)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="ev-title" label="Title" error={err('title')}>
              <input
                id="ev-title"
                value={form.title}
                maxLength={120}
                required
                aria-invalid={!!err('title')}
                aria-describedby={describedBy('ev-title', undefined, err('title'))}
                onInput={(e) => {
                  setTitleTouched(true);
                  set({ title: (e.target as HTMLInputElement).value });
                }}
              />
            </Field>
            <Field id="ev-vessel" label={word} hint={vesselHint} error={err('vessel')}>
              {picking ? (
                <select
                  id="ev-vessel"
                  value={form.vesselId}
                  required
                  aria-invalid={!!err('vessel')}
                  aria-describedby={describedBy('ev-vessel', vesselHint, err('vessel'))}
                  onChange={(e) => set({ vesselId: (e.target as HTMLSelectElement).value })}
                >
                  <option value="">{keptName ? `${keptName} (not in the list)` : `Choose a ${word.toLowerCase()}…`}</option>
                  {choices.map((v) => (
                    <option key={v.id} value={v.id}>
                      {vesselLabel(v)}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id="ev-vessel"
                  value={form.vessel}
                  maxLength={80}
                  required
                  autoComplete="off"
                  aria-invalid={!!err('vessel')}
                  aria-describedby={describedBy('ev-vessel', vesselHint, err('vessel'))}
                  onInput={(e) => set({ vessel: (e.target as HTMLInputElement).value })}
                />
              )}
            </Field>
          </>
        )}
        {/* Who is aboard: the admin's, and the captain's too (they answer for the headcount). */}
        {carries && (
          <>
                <Field id="ev-passengers" label="Passengers" hint={passengersHint} error={err('passenger_count')}>
                  <input
                    id="ev-passengers"
                    inputMode="numeric"
                    autoComplete="off"
                    value={form.passengers}
                    aria-invalid={!!err('passenger_count')}
                    aria-describedby={describedBy('ev-passengers', passengersHint, err('passenger_count'))}
                    onInput={(e) => set({ passengers: (e.target as HTMLInputElement).value })}
                  />
                </Field>
                <Field id="ev-manifest" label="Passenger names (optional)" hint={manifestHint} error={err('manifest')}>
                  <textarea
                    id="ev-manifest"
                    rows={3}
                    value={form.manifest}
                    autoComplete="off"
                    aria-invalid={!!err('manifest')}
                    aria-describedby={describedBy('ev-manifest', manifestHint, err('manifest'))}
                    onInput={(e) => set({ manifest: (e.target as HTMLTextAreaElement).value })}
                  />
                </Field>
                <Field id="ev-contact" label="Emergency contact ashore (optional)" hint={contactHint} error={err('emergency_contact')}>
                  <input
                    id="ev-contact"
                    value={form.emergencyContact}
                    maxLength={120}
                    autoComplete="off"
                    aria-invalid={!!err('emergency_contact')}
                    aria-describedby={describedBy('ev-contact', contactHint, err('emergency_contact'))}
                    onInput={(e) => set({ emergencyContact: (e.target as HTMLInputElement).value })}
                  />
                </Field>
          </>
        )}
        {!captainOnly && (
          <>
            <Field id="ev-departs" label="Departs" hint={zoneText} error={err('departs_at')}>
              <input
                id="ev-departs"
                type="datetime-local"
                value={form.departs}
                required
                aria-invalid={!!err('departs_at')}
                aria-describedby={withWarn(describedBy('ev-departs', zoneText, err('departs_at')), !!departsWarn && 'ev-departs-warn')}
                onInput={(e) => {
                  const departs = (e.target as HTMLInputElement).value;
                  // Keep the trip's length when the departure moves.
                  const length = form.departs && form.returns ? (Date.parse(`${form.returns}:00Z`) - Date.parse(`${form.departs}:00Z`)) / HOUR : 3;
                  set(departs ? { departs, returns: addHoursWall(departs, length > 0 ? length : 3) } : { departs });
                }}
              />
              {departsWarn && (
                <p class="warn-text" id="ev-departs-warn">
                  {departsWarn}
                </p>
              )}
            </Field>
            <Field
              id="ev-returns"
              label="Returns"
              hint={returnsHint ?? zoneText}
              error={err('returns_at')}
            >
              <input
                id="ev-returns"
                type="datetime-local"
                value={form.returns}
                min={form.departs}
                required
                aria-invalid={!!err('returns_at')}
                aria-describedby={describedBy('ev-returns', returnsHint ?? zoneText, err('returns_at'))}
                onInput={(e) => set({ returns: (e.target as HTMLInputElement).value })}
              />
            </Field>
          </>
        )}

        <fieldset class={`crew-picker${err('crew') ? ' field-error' : ''}`}>
          <legend>Crew</legend>
          {err('crew') && <p class="error-text">{err('crew')}</p>}
          {crewWarns.map((m) => (
            <p key={m} class="warn-text">
              {m}
            </p>
          ))}
          {pickable.length === 0 ? (
            <p class="subtle">No members to pick from.</p>
          ) : (
            <ul class="plain">
              {pickable.map((m) => {
                const sid = `crew-${m.email.replace(/[^a-z0-9]/gi, '-')}`;
                return (
                  <li key={m.email} class="crew-pick">
                    <label for={sid}>
                      <span class="crew-name">{m.name || m.email}</span>
                      <span class="crew-email">
                        {m.email} · {roleLabel(m.role)}
                      </span>
                    </label>
                    <select
                      id={sid}
                      value={form.crew[m.email] ?? ''}
                      onChange={(e) => set({ crew: { ...form.crew, [m.email]: (e.target as HTMLSelectElement).value as CrewRole | '' } })}
                    >
                      <option value="">Not on it</option>
                      <option value="crew">Crew</option>
                      <option value="captain">{form.kind === 'haul' ? 'Driver (lead)' : 'Captain'}</option>
                    </select>
                  </li>
                );
              })}
            </ul>
          )}
          {form.extraCrew.map((c) => (
            <p key={c.email} class="small">
              {c.email} ({c.role}, not a member of this org){' '}
              <button
                type="button"
                class="link-button"
                onClick={() => set({ extraCrew: form.extraCrew.filter((x) => x.email !== c.email) })}
              >
                Take off
              </button>
            </p>
          ))}
        </fieldset>

        <Field id="ev-notes" label="Notes" hint={notesHint} error={err('notes')}>
          <textarea
            id="ev-notes"
            rows={4}
            maxLength={4000}
            value={form.notes}
            aria-describedby={describedBy('ev-notes', notesHint, err('notes'))}
            onInput={(e) => set({ notes: (e.target as HTMLTextAreaElement).value })}
          />
        </Field>
        {!captainOnly && (
          <Field id="ev-revenue" label="Revenue (USD, optional)" error={err('revenue_cents')}>
            <input
              id="ev-revenue"
              inputMode="decimal"
              value={form.revenue}
              aria-invalid={!!err('revenue_cents')}
              aria-describedby={describedBy('ev-revenue', undefined, err('revenue_cents'))}
              onInput={(e) => set({ revenue: (e.target as HTMLInputElement).value })}
            />
          </Field>
        )}
        {warnings ? (
          // Where the finger is: what the server asks to confirm, and a confirm a double tap of
          // "Create event" cannot pass ("Keep as is" under the finger, the confirm inert 0.8 s).
          <div class="notice notice-warn create-anyway" ref={warningsRef} tabIndex={-1} role="alert">
            <p class="warn-title">{warnings.detail}</p>
            <ul class="warn-list">
              {warnings.items.map((w, i) => (
                <li key={i}>{w.message}</li>
              ))}
            </ul>
            <ConfirmButton
              label="Create anyway"
              confirmLabel="Yes, create it"
              guardMs={800}
              onConfirm={() => save(warnings.items.map((w) => w.code))}
            />
          </div>
        ) : (
          <button type="submit" class="btn btn-primary btn-block" disabled={busy || stale}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Create event'}
          </button>
        )}
      </form>
    </div>
  );
}
