// The org's vessels and trucks: everyone reads them (what a searcher looks for, the COI limit,
// the call sign), admins add, edit and remove them. Events pick their vessel from this list.
// Loaded on demand (src/lazy.tsx): crew phones download it only when they open it.

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { ConfirmButton, Field, Loading, Notice, PageTitle, describedBy } from '../components';
import { useTitle } from '../hooks';
import { can, type Session } from '../session';
import type { VesselFields, VesselKind, VesselView } from '../types';

const KIND_NAMES: Record<VesselKind, string> = { boat: 'Boat', truck: 'Truck' };

/** The form as typed: every field a string until it is sent. */
export interface VesselForm {
  name: string;
  kind: VesselKind;
  registration: string;
  length: string;
  description: string;
  coi: string;
  minCrew: string;
  callSign: string;
  mmsi: string;
  safetyGear: string;
}

export function emptyVesselForm(kind: VesselKind = 'boat'): VesselForm {
  return {
    name: '',
    kind,
    registration: '',
    length: '',
    description: '',
    coi: '',
    minCrew: '',
    callSign: '',
    mmsi: '',
    safetyGear: '',
  };
}

export function vesselFormOf(v: VesselView): VesselForm {
  const num = (n: number | null | undefined) => (n == null ? '' : String(n));
  return {
    name: v.name,
    kind: v.kind,
    registration: v.registration ?? '',
    length: num(v.length_ft),
    description: v.description ?? '',
    coi: num(v.coi_max_passengers),
    minCrew: num(v.min_crew),
    callSign: v.call_sign ?? '',
    mmsi: v.mmsi ?? '',
    safetyGear: v.safety_gear ?? '',
  };
}

/** A typed whole number: null when empty, 'invalid' when not a whole number of 0 or more. */
export function parseWhole(raw: string): number | null | 'invalid' {
  const t = raw.trim();
  if (!t) return null;
  return /^\d{1,6}$/.test(t) ? Number(t) : 'invalid';
}

/** A typed length in feet (`65`, `42.5`, `42,5`): null when empty, 'invalid' when not a number. */
export function parseFeet(raw: string): number | null | 'invalid' {
  const t = raw.trim().replace(',', '.');
  if (!t) return null;
  return /^\d{1,4}(\.\d{1,2})?$/.test(t) ? Number(t) : 'invalid';
}

/** Only boats carry passengers and a radio: a truck sends none of those. */
export function boatOnly(kind: VesselKind): boolean {
  return kind === 'boat';
}

/**
 * The body of POST / PUT /api/vessels, or the errors (by the server's field names) of what cannot
 * be sent as typed. Ranges, the MMSI and the call sign are the server's to judge.
 */
export function vesselFieldsOf(form: VesselForm): { fields: VesselFields | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = form.name.trim();
  if (!name) errors.name = 'Give the vessel a name.';
  const length = parseFeet(form.length);
  if (length === 'invalid') errors.length_ft = 'A length in feet, like 65 or 42.5.';
  const boat = boatOnly(form.kind);
  const coi = boat ? parseWhole(form.coi) : null;
  if (coi === 'invalid') errors.coi_max_passengers = 'A whole number of passengers, like 49.';
  const minCrew = parseWhole(form.minCrew);
  if (minCrew === 'invalid') errors.min_crew = 'A whole number of people, like 2.';
  if (Object.keys(errors).length) return { fields: null, errors };
  return {
    fields: {
      name,
      kind: form.kind,
      registration: form.registration.trim(),
      length_ft: length as number | null,
      description: form.description.trim(),
      coi_max_passengers: coi as number | null,
      min_crew: minCrew as number | null,
      call_sign: boat ? form.callSign.trim() : '',
      mmsi: boat ? form.mmsi.trim() : '',
      safety_gear: form.safetyGear.trim(),
    },
    errors,
  };
}

/** The server's field errors by field (several for one field joined). */
export function errorsByField(e: api.ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of e.problem?.errors ?? []) {
    const key = f.field || 'name';
    out[key] = out[key] ? `${out[key]} ${f.message}` : f.message;
  }
  return out;
}

const PLACED = new Set([
  'name',
  'kind',
  'registration',
  'length_ft',
  'description',
  'coi_max_passengers',
  'min_crew',
  'call_sign',
  'mmsi',
  'safety_gear',
]);

/** One line of facts a card shows, in the order a searcher or the office asks for them. */
export function vesselFacts(v: VesselView): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  if (v.registration) out.push({ label: v.kind === 'truck' ? 'Plate' : 'Registration', value: v.registration });
  if (v.length_ft != null) out.push({ label: 'Length', value: `${v.length_ft} ft` });
  if (v.coi_max_passengers != null) out.push({ label: 'COI max', value: `${v.coi_max_passengers} passengers` });
  if (v.min_crew != null) out.push({ label: 'Min crew', value: String(v.min_crew) });
  if (v.call_sign) out.push({ label: 'Call sign', value: v.call_sign });
  if (v.mmsi) out.push({ label: 'MMSI', value: v.mmsi });
  return out;
}

export function Vessels({ session }: { session: Session }) {
  useTitle('Vessels');
  const admin = can(session).admin;
  const [vessels, setVessels] = useState<VesselView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  /** The vessel whose form is open: 'new', an id, or none. One at a time. */
  const [open, setOpen] = useState<string | null>(null);

  const load = async () => {
    try {
      const list = await api.vessels();
      list.sort((a, b) => a.name.localeCompare(b.name));
      setVessels(list);
      setError(null);
    } catch (e) {
      setError(api.describe(e));
    }
  };
  useEffect(() => {
    void load();
  }, [session.org.id]);
  // Opened from an event (`#vessel-<id>`): that vessel's card, once the list is in.
  useEffect(() => {
    if (!vessels || !location.hash.startsWith('#vessel-')) return;
    document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: 'start' });
  }, [vessels === null]);

  const saved = (text: string) => {
    setOpen(null);
    setMessage(text);
    setError(null);
    void load();
  };

  return (
    <div class="narrow">
      <PageTitle>Vessels</PageTitle>
      <p class="subtle">
        {session.org.name}
        {admin && (
          <>
            {' · '}
            <a href="/admin/members">Members</a> · <a href="/admin/org">Org settings</a>
          </>
        )}
      </p>
      {message && (
        <Notice kind="ok" live>
          {message}
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {admin &&
        (open === 'new' ? (
          <VesselEditor
            key="new"
            prefix="vessel-new"
            onSaved={(v) => saved(`Added ${v.name}. Events can pick it now.`)}
            onCancel={() => setOpen(null)}
          />
        ) : (
          <p>
            <button
              type="button"
              class="btn btn-primary btn-block"
              onClick={() => {
                setMessage(null);
                setOpen('new');
              }}
            >
              Add a vessel or truck
            </button>
          </p>
        ))}
      <section aria-labelledby="vessels-title">
        <h2 id="vessels-title">Boats and trucks</h2>
        {vessels === null && !error && <Loading what="vessels" />}
        {vessels && vessels.length === 0 && (
          <p class="subtle">
            {admin
              ? 'None yet. Once you add them, events pick their vessel from this list, and the passenger count is checked against its Certificate of Inspection.'
              : 'None yet: an admin adds them.'}
          </p>
        )}
        {vessels && vessels.length > 0 && (
          <ul class="plain cards">
            {vessels.map((v) =>
              open === v.id ? (
                <li key={v.id}>
                  <VesselEditor
                    prefix={`vessel-${v.id}`}
                    vessel={v}
                    onSaved={(nv) => saved(`Saved ${nv.name}.`)}
                    onCancel={() => setOpen(null)}
                  />
                </li>
              ) : (
                <VesselCard
                  key={v.id}
                  vessel={v}
                  admin={admin}
                  onEdit={() => {
                    setMessage(null);
                    setOpen(v.id);
                  }}
                  onRemoved={() => {
                    // Gone on the server: off the list now, so the message never sits beside it.
                    setVessels((list) => list?.filter((x) => x.id !== v.id) ?? list);
                    saved(`${v.name} was removed. Events already on it keep its name.`);
                  }}
                  onError={(text) => {
                    setError(text);
                    setMessage(null);
                  }}
                />
              ),
            )}
          </ul>
        )}
      </section>
    </div>
  );
}

function VesselCard({
  vessel: v,
  admin,
  onEdit,
  onRemoved,
  onError,
}: {
  vessel: VesselView;
  admin: boolean;
  onEdit: () => void;
  onRemoved: () => void;
  onError: (message: string) => void;
}) {
  const remove = async () => {
    try {
      await api.removeVessel(v.id);
      onRemoved();
    } catch (e) {
      onError(api.describe(e));
    }
  };
  const facts = vesselFacts(v);
  return (
    <li class="vessel" id={`vessel-${v.id}`}>
      <div class="vessel-head">
        <h3 class="vessel-name">{v.name}</h3>
        <span class="tag">{KIND_NAMES[v.kind] ?? v.kind}</span>
      </div>
      {facts.length > 0 && (
        <dl class="facts vessel-facts">
          {facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {v.description && (
        <p class="vessel-text">
          <strong>Looks like:</strong> {v.description}
        </p>
      )}
      {v.safety_gear && (
        <p class="vessel-text">
          <strong>Safety gear:</strong> {v.safety_gear}
        </p>
      )}
      {admin && (
        <div class="member-actions">
          <button type="button" class="btn btn-secondary" onClick={onEdit}>
            Edit<span class="visually-hidden"> {v.name}</span>
          </button>
          <ConfirmButton danger guardMs={800} label="Remove" confirmLabel={`Remove ${v.name}`} onConfirm={remove} />
        </div>
      )}
    </li>
  );
}

function VesselEditor({
  prefix,
  vessel,
  onSaved,
  onCancel,
}: {
  prefix: string;
  vessel?: VesselView;
  onSaved: (v: VesselView) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<VesselForm>(() => (vessel ? vesselFormOf(vessel) : emptyVesselForm()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const set = (patch: Partial<VesselForm>) => setForm({ ...form, ...patch });
  const err = (f: string) => errors[f];
  const id = (f: string) => `${prefix}-${f}`;
  const boat = boatOnly(form.kind);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const { fields, errors: local } = vesselFieldsOf(form);
    if (!fields) {
      setErrors(local);
      setError('Check the highlighted fields.');
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onSaved(vessel ? await api.editVessel(vessel.id, fields) : await api.addVessel(fields));
    } catch (x) {
      if (x instanceof api.ApiError && x.problem?.errors?.length) {
        setErrors(errorsByField(x));
        setError('The server did not accept some fields; see below.');
      } else if (x instanceof api.ApiError && x.status === 404) {
        setError('This vessel was removed meanwhile.');
      } else {
        setError(api.describe(x));
      }
    } finally {
      setBusy(false);
    }
  };

  const unplaced = Object.entries(errors).filter(([f]) => !PLACED.has(f));
  const text = (
    f: keyof VesselForm,
    server: string,
    label: string,
    opts: { hint?: string; max?: number; numeric?: 'numeric' | 'decimal'; caps?: boolean } = {},
  ) => (
    <Field id={id(server)} label={label} hint={opts.hint} error={err(server)}>
      <input
        id={id(server)}
        value={form[f]}
        autoComplete="off"
        {...(opts.max ? { maxLength: opts.max } : {})}
        {...(opts.numeric ? { inputMode: opts.numeric } : {})}
        {...(opts.caps ? { autoCapitalize: 'characters', spellcheck: false } : {})}
        aria-invalid={!!err(server)}
        aria-describedby={describedBy(id(server), opts.hint, err(server))}
        onInput={(e) => set({ [f]: (e.target as HTMLInputElement).value } as Partial<VesselForm>)}
      />
    </Field>
  );
  const area = (f: keyof VesselForm, server: string, label: string, hint: string, max: number) => (
    <Field id={id(server)} label={label} hint={hint} error={err(server)}>
      <textarea
        id={id(server)}
        rows={3}
        maxLength={max}
        value={form[f]}
        aria-invalid={!!err(server)}
        aria-describedby={describedBy(id(server), hint, err(server))}
        onInput={(e) => set({ [f]: (e.target as HTMLTextAreaElement).value } as Partial<VesselForm>)}
      />
    </Field>
  );
  const title = vessel ? `Edit ${vessel.name}` : 'Add a vessel or truck';
  // In the list, the form takes a card's place: a card's heading level.
  const Heading = vessel ? 'h3' : 'h2';

  return (
    <form class="card vessel-form" onSubmit={submit} noValidate aria-labelledby={id('title')}>
      <Heading id={id('title')} ref={heading} tabIndex={-1}>
        {title}
      </Heading>
      {error && (
        <Notice kind="error">
          {error}
          {unplaced.map(([f, m]) => (
            <span key={f} class="block">
              {f}: {m}
            </span>
          ))}
        </Notice>
      )}
      {text('name', 'name', 'Name', { max: 80 })}
      <Field id={id('kind')} label="Kind" error={err('kind')}>
        <select
          id={id('kind')}
          value={form.kind}
          aria-invalid={!!err('kind')}
          aria-describedby={describedBy(id('kind'), undefined, err('kind'))}
          onChange={(e) => set({ kind: (e.target as HTMLSelectElement).value as VesselKind })}
        >
          <option value="boat">Boat</option>
          <option value="truck">Truck</option>
        </select>
      </Field>
      {text('registration', 'registration', boat ? 'Registration or documentation number' : 'Licence plate', {
        max: 40,
        caps: true,
      })}
      {area(
        'description',
        'description',
        boat ? 'Hull colour and description' : 'Colour and markings',
        'What a searcher looks for.',
        300,
      )}
      <div class="two-up">
        {text('length', 'length_ft', 'Length (feet)', { numeric: 'decimal' })}
        {text('minCrew', 'min_crew', 'Minimum crew', { numeric: 'numeric' })}
      </div>
      {boat && (
        <>
          {text('coi', 'coi_max_passengers', 'COI max passengers', {
            numeric: 'numeric',
            hint: 'The passenger limit on its Certificate of Inspection; empty if it has none.',
          })}
          <div class="two-up">
            {text('callSign', 'call_sign', 'Call sign', { max: 12, caps: true })}
            {text('mmsi', 'mmsi', 'MMSI', { max: 9, numeric: 'numeric' })}
          </div>
        </>
      )}
      {area('safetyGear', 'safety_gear', 'Safety gear', boat ? 'Life jackets, raft, EPIRB, flares, radios.' : 'Extinguisher, triangles, first-aid kit.', 500)}
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : vessel ? 'Save vessel' : 'Add vessel'}
        </button>
        <button type="button" class="btn btn-secondary" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
