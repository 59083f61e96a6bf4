// The org's settings (admin): time zone, home port (where sunset and dusk are computed), which
// event kinds the org runs, who gets each weekly report, and safety ashore: the shore contacts
// (float plans, overdue alerts), the Coast Guard sector they call, and how late is overdue. One
// Save sends only what changed; the server's field errors (`zone`, `home_port/latitude`,
// `report_recipients/safety/0`, `safety/shore_contacts/1/phone`) are shown next to the field they
// name. Unsaved edits are not dropped without asking (a link tap, a reload, closing the tab).

import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { Field, Loading, Notice, PageTitle, describedBy } from '../components';
import { useTitle } from '../hooks';
import { guardLeaving } from '../router';
import { sessions, type Session } from '../session';
import {
  KIND_LABELS,
  PERSPECTIVES,
  PERSPECTIVE_LABELS,
  type EventKind,
  type OrgPatch,
  type OrgView,
  type Perspective,
  type SafetySettings,
} from '../types';

const KINDS = Object.keys(KIND_LABELS) as EventKind[];

/** The server keeps at most this many shore contacts. */
export const MAX_SHORE_CONTACTS = 10;
/** Minutes past the return before an underway event is overdue, when the org never said. */
export const DEFAULT_GRACE_MINUTES = 30;

export interface ContactForm {
  name: string;
  email: string;
  phone: string;
}

export interface Form {
  zone: string;
  portName: string;
  latitude: string;
  longitude: string;
  kinds: EventKind[];
  recipients: Record<Perspective, string[]>;
  contacts: ContactForm[];
  coastGuardName: string;
  coastGuardPhone: string;
  /** As typed: sent as a whole number of minutes. */
  grace: string;
}

const str = (x: unknown): string => (typeof x === 'string' ? x : '');

/** The org's safety settings with the defaults for what an older server leaves out. */
export function safetyOf(org: Pick<OrgView, 'safety'>): SafetySettings {
  const s = org.safety ?? {};
  const grace = s.overdue_grace_minutes;
  return {
    shore_contacts: (Array.isArray(s.shore_contacts) ? s.shore_contacts : []).map((c) => ({
      name: str(c?.name),
      email: str(c?.email),
      phone: str(c?.phone),
    })),
    coast_guard: { name: str(s.coast_guard?.name), phone: str(s.coast_guard?.phone) },
    overdue_grace_minutes: typeof grace === 'number' && Number.isFinite(grace) ? grace : DEFAULT_GRACE_MINUTES,
  };
}

export function formOf(org: OrgView): Form {
  const recipients = {} as Record<Perspective, string[]>;
  for (const p of PERSPECTIVES) recipients[p] = [...(org.report_recipients[p] ?? [])];
  const safety = safetyOf(org);
  return {
    zone: org.zone,
    portName: org.home_port.name,
    latitude: String(org.home_port.latitude),
    longitude: String(org.home_port.longitude),
    kinds: [...org.enabled_kinds],
    recipients,
    contacts: safety.shore_contacts.map((c) => ({ ...c })),
    coastGuardName: safety.coast_guard.name,
    coastGuardPhone: safety.coast_guard.phone,
    grace: String(safety.overdue_grace_minutes),
  };
}

const blank = (c: ContactForm) => !c.name.trim() && !c.email.trim() && !c.phone.trim();

/**
 * The form without the contact rows left wholly empty (added, then not filled in): they are
 * dropped before a save, so the rows on screen are the list sent and the server's
 * `safety/shore_contacts/<i>/…` errors name the row they are shown under.
 */
export function dropBlankContacts(form: Form): Form {
  return form.contacts.some(blank) ? { ...form, contacts: form.contacts.filter((c) => !blank(c)) } : form;
}

function safetyChanged(before: Form, form: Form): boolean {
  return (
    JSON.stringify(form.contacts) !== JSON.stringify(before.contacts) ||
    form.coastGuardName !== before.coastGuardName ||
    form.coastGuardPhone !== before.coastGuardPhone ||
    form.grace.trim() !== before.grace
  );
}

/** Whether the form differs from the settings it was read from (edits that a reload would lose). */
export function formChanged(before: Form, form: Form): boolean {
  return JSON.stringify(dropBlankContacts(form)) !== JSON.stringify(before);
}

/** A typed grace period: whole minutes from 1 to 720, or null. */
export function parseGrace(raw: string): number | null {
  const t = raw.trim();
  if (!/^\d{1,4}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 720 ? n : null;
}

/**
 * The `safety` of a PATCH: the whole settings (the server replaces them), trimmed; or the local
 * errors of what cannot be sent as typed. Emails and phones are the server's to judge.
 */
export function safetyPatch(form: Form): { safety: SafetySettings | null; errors: Record<string, string> } {
  const grace = parseGrace(form.grace);
  if (grace === null) {
    return { safety: null, errors: { 'safety/overdue_grace_minutes': 'A whole number of minutes from 1 to 720, like 30.' } };
  }
  return {
    safety: {
      shore_contacts: form.contacts.map((c) => ({ name: c.name.trim(), email: c.email.trim(), phone: c.phone.trim() })),
      coast_guard: { name: form.coastGuardName.trim(), phone: form.coastGuardPhone.trim() },
      overdue_grace_minutes: grace,
    },
    errors: {},
  };
}

function sameSet<T>(a: T[], b: T[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** A coordinate as typed (`32.7157`, `-117,1611`), or null. */
export function parseCoordinate(raw: string): number | null {
  const t = raw.trim().replace(',', '.');
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

/** What changed between the saved settings and the form, as a PATCH; `errors` for what cannot be sent. */
export function orgPatch(before: Form, form: Form): { patch: OrgPatch; errors: Record<string, string> } {
  const patch: OrgPatch = {};
  const errors: Record<string, string> = {};
  if (form.zone.trim() !== before.zone) patch.zone = form.zone.trim();
  if (form.portName !== before.portName || form.latitude !== before.latitude || form.longitude !== before.longitude) {
    const latitude = parseCoordinate(form.latitude);
    const longitude = parseCoordinate(form.longitude);
    if (latitude === null) errors['home_port/latitude'] = 'A number of degrees, like 32.7157.';
    if (longitude === null) errors['home_port/longitude'] = 'A number of degrees, like -117.1611 (west is negative).';
    if (latitude !== null && longitude !== null) patch.home_port = { name: form.portName.trim(), latitude, longitude };
  }
  if (!sameSet(form.kinds, before.kinds)) patch.enabled_kinds = KINDS.filter((k) => form.kinds.includes(k));
  // The server replaces the whole map: send every perspective when any list changed.
  if (PERSPECTIVES.some((p) => form.recipients[p].join('\n') !== before.recipients[p].join('\n'))) {
    patch.report_recipients = { ...form.recipients };
  }
  if (safetyChanged(before, form)) {
    const got = safetyPatch(form);
    Object.assign(errors, got.errors);
    if (got.safety) patch.safety = got.safety;
  }
  return { patch, errors };
}

/**
 * The form after a 412: the settings as they are now (`fresh`), with the fields this person
 * changed (from `before` to `form`) put back on top, so their edit survives someone else's save
 * and is sent again against the new version.
 */
export function rebaseForm(before: Form, form: Form, fresh: Form): Form {
  const out: Form = { ...fresh, recipients: { ...fresh.recipients } };
  if (form.zone !== before.zone) out.zone = form.zone;
  if (form.portName !== before.portName) out.portName = form.portName;
  if (form.latitude !== before.latitude) out.latitude = form.latitude;
  if (form.longitude !== before.longitude) out.longitude = form.longitude;
  if (!sameSet(form.kinds, before.kinds)) out.kinds = [...form.kinds];
  for (const p of PERSPECTIVES) {
    if (form.recipients[p].join('\n') !== before.recipients[p].join('\n')) out.recipients[p] = [...form.recipients[p]];
  }
  if (JSON.stringify(form.contacts) !== JSON.stringify(before.contacts)) out.contacts = form.contacts.map((c) => ({ ...c }));
  if (form.coastGuardName !== before.coastGuardName) out.coastGuardName = form.coastGuardName;
  if (form.coastGuardPhone !== before.coastGuardPhone) out.coastGuardPhone = form.coastGuardPhone;
  if (form.grace !== before.grace) out.grace = form.grace;
  return out;
}

function zones(current: string): string[] {
  let list: string[] = [];
  try {
    list = Intl.supportedValuesOf('timeZone');
  } catch {
    list = [];
  }
  return list.includes(current) || !current ? list : [current, ...list];
}

export function OrgSettings({ session }: { session: Session }) {
  useTitle('Org settings');
  const [org, setOrg] = useState<OrgView | null>(null);
  // The version the form was read at: every save names it (If-Match), so a save on settings
  // someone else changed meanwhile is refused instead of silently undoing their change.
  const [etag, setEtag] = useState('');
  const [form, setForm] = useState<Form | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setLoadError(null);
    try {
      const got = await api.org();
      setOrg(got.org);
      setEtag(got.etag);
      setForm(formOf(got.org));
    } catch (e) {
      setLoadError(api.describe(e));
    }
  };
  useEffect(() => {
    void load();
  }, [session.org.id]);

  // Edits not saved yet: a tap on a link asks first, and so does a reload or closing the tab.
  const dirty = !!org && !!form && formChanged(formOf(org), form);
  useEffect(() => {
    if (!dirty) return;
    guardLeaving('Leave without saving? Your changes to the org settings will be lost.');
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => {
      guardLeaving(null);
      window.removeEventListener('beforeunload', onUnload);
    };
  }, [dirty]);

  if (session.role !== 'admin') return <Notice kind="error">Only an admin can change the org's settings.</Notice>;
  if (loadError) {
    return (
      <div class="narrow">
        <PageTitle>Org settings</PageTitle>
        <Notice kind="error">{loadError}</Notice>
        <button type="button" class="btn btn-secondary" onClick={() => void load()}>
          Try again
        </button>
      </div>
    );
  }
  if (!org || !form) return <Loading what="the org's settings" />;

  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setMessage(null);
  };
  const err = (f: string) => errors[f];

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    // Rows added and left empty go: what is on screen is then what is sent, row for row.
    const sending = dropBlankContacts(form);
    if (sending !== form) setForm(sending);
    const { patch, errors: local } = orgPatch(formOf(org), sending);
    if (Object.keys(local).length) {
      setErrors(local);
      setError('Check the highlighted fields.');
      return;
    }
    setErrors({});
    if (Object.keys(patch).length === 0) {
      setMessage('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const { org: saved, etag: next } = await api.editOrg(etag, patch);
      setOrg(saved);
      setEtag(next);
      setForm(formOf(saved));
      sessions.patchOrg({ id: saved.id, name: saved.name, zone: saved.zone });
      setMessage('Saved.');
    } catch (x) {
      if (x instanceof api.ApiError && x.status === 412) {
        // Someone else saved first: load their version, keep this person's changes on top.
        try {
          const fresh = await api.org();
          setOrg(fresh.org);
          setEtag(fresh.etag);
          setForm(rebaseForm(formOf(org), sending, formOf(fresh.org)));
          setError(
            'Someone else changed these settings while you were editing. Their changes are loaded and yours are kept on top: check the form and save again.',
          );
        } catch (y) {
          setError(api.describe(y));
        }
      } else if (x instanceof api.ApiError && x.problem?.errors?.length) {
        const byField: Record<string, string> = {};
        for (const f of x.problem.errors) byField[f.field] = byField[f.field] ? `${byField[f.field]} ${f.message}` : f.message;
        setErrors(byField);
        setError('The server did not accept some fields; see below.');
      } else {
        setError(api.describe(x));
      }
    } finally {
      setBusy(false);
    }
  };

  const zoneList = zones(form.zone);
  const zoneHint = 'Every time in the app, the nudges and the reports is shown in this zone.';
  const portHint = 'Sunset and civil dusk are computed for this place.';
  const unplaced = Object.entries(errors).filter(
    ([f]) =>
      !['zone', 'home_port/name', 'home_port/latitude', 'home_port/longitude', 'enabled_kinds'].includes(f) &&
      !f.startsWith('report_recipients/') &&
      !safetyPlaced(f, form.contacts.length),
  );
  const setContacts = (contacts: ContactForm[]) => {
    // Errors name rows of the list that was sent: they no longer hold once rows come or go.
    setErrors(Object.fromEntries(Object.entries(errors).filter(([f]) => !f.startsWith('safety/shore_contacts'))));
    set({ contacts });
  };
  const graceHint = 'How long past its return time an underway event may go unmarked before it is overdue: 1 to 720 minutes.';
  const cgHint = 'Whom a shore contact calls if a boat is overdue, e.g. Coast Guard Sector San Diego.';
  // The list's own error (too many), not its rows' (those show under their fields).
  const contactsError = errors['safety/shore_contacts'];

  return (
    <div class="narrow">
      <PageTitle>Org settings</PageTitle>
      <p class="subtle">{org.name}</p>
      {message && (
        <Notice kind="ok" live>
          {message}
        </Notice>
      )}
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
      <form class="card" onSubmit={submit} noValidate>
        <h2>Time and place</h2>
        <Field id="org-zone" label="Time zone" hint={zoneHint} error={err('zone')}>
          {zoneList.length ? (
            <select
              id="org-zone"
              value={form.zone}
              aria-invalid={!!err('zone')}
              aria-describedby={describedBy('org-zone', zoneHint, err('zone'))}
              onChange={(e) => set({ zone: (e.target as HTMLSelectElement).value })}
            >
              {zoneList.map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="org-zone"
              value={form.zone}
              autoCapitalize="none"
              spellcheck={false}
              aria-invalid={!!err('zone')}
              aria-describedby={describedBy('org-zone', zoneHint, err('zone'))}
              onInput={(e) => set({ zone: (e.target as HTMLInputElement).value })}
            />
          )}
        </Field>
        <Field id="org-port" label="Home port" hint={portHint} error={err('home_port/name') ?? err('home_port')}>
          <input
            id="org-port"
            value={form.portName}
            maxLength={80}
            aria-invalid={!!err('home_port/name')}
            aria-describedby={describedBy('org-port', portHint, err('home_port/name') ?? err('home_port'))}
            onInput={(e) => set({ portName: (e.target as HTMLInputElement).value })}
          />
        </Field>
        <div class="two-up">
          <Field id="org-lat" label="Latitude" error={err('home_port/latitude')}>
            <input
              id="org-lat"
              inputMode="text"
              autoComplete="off"
              value={form.latitude}
              aria-invalid={!!err('home_port/latitude')}
              aria-describedby={describedBy('org-lat', undefined, err('home_port/latitude'))}
              onInput={(e) => set({ latitude: (e.target as HTMLInputElement).value })}
            />
          </Field>
          <Field id="org-lon" label="Longitude" error={err('home_port/longitude')}>
            <input
              id="org-lon"
              inputMode="text"
              autoComplete="off"
              value={form.longitude}
              aria-invalid={!!err('home_port/longitude')}
              aria-describedby={describedBy('org-lon', undefined, err('home_port/longitude'))}
              onInput={(e) => set({ longitude: (e.target as HTMLInputElement).value })}
            />
          </Field>
        </div>

        <fieldset class={`checks${err('enabled_kinds') ? ' field-error' : ''}`} aria-describedby={err('enabled_kinds') ? 'kinds-error' : undefined}>
          <legend>Event kinds this org runs</legend>
          {err('enabled_kinds') && (
            <p class="error-text" id="kinds-error">
              {err('enabled_kinds')}
            </p>
          )}
          {KINDS.map((k) => (
            <div key={k} class="check">
              <input
                id={`kind-${k}`}
                type="checkbox"
                checked={form.kinds.includes(k)}
                onChange={(e) =>
                  set({
                    kinds: (e.target as HTMLInputElement).checked ? [...form.kinds, k] : form.kinds.filter((x) => x !== k),
                  })
                }
              />
              <label for={`kind-${k}`}>{KIND_LABELS[k]}</label>
            </div>
          ))}
        </fieldset>

        <h2>Weekly report recipients</h2>
        <p class="small">Each report is emailed on Monday morning to the addresses listed under it.</p>
        {PERSPECTIVES.map((p) => (
          <Recipients
            key={p}
            perspective={p}
            list={form.recipients[p]}
            errors={errors}
            onChange={(list) => {
              // Errors name positions in the list that was sent: they no longer hold once it changes.
              const prefix = `report_recipients/${p}`;
              setErrors(Object.fromEntries(Object.entries(errors).filter(([f]) => f !== prefix && !f.startsWith(`${prefix}/`))));
              set({ recipients: { ...form.recipients, [p]: list } });
            }}
          />
        ))}

        <h2>Safety ashore</h2>
        <fieldset class="contacts" aria-describedby={contactsError ? 'contacts-hint contacts-error' : 'contacts-hint'}>
          <legend>Shore contacts</legend>
          <p class="hint" id="contacts-hint">
            They receive float plans and overdue alerts. Up to {MAX_SHORE_CONTACTS}.
          </p>
          {contactsError && (
            <p class="error-text" id="contacts-error">
              {contactsError}
            </p>
          )}
          {form.contacts.length === 0 && <p class="subtle">Nobody yet: float plans cannot be sent until someone is listed.</p>}
          {form.contacts.map((c, i) => (
            <ContactRow
              key={i}
              index={i}
              contact={c}
              errors={errors}
              onChange={(next) => set({ contacts: form.contacts.map((x, j) => (j === i ? next : x)) })}
              onRemove={() => setContacts(form.contacts.filter((_, j) => j !== i))}
            />
          ))}
          <button
            type="button"
            class="btn btn-secondary"
            disabled={form.contacts.length >= MAX_SHORE_CONTACTS}
            onClick={() => {
              setContacts([...form.contacts, { name: '', email: '', phone: '' }]);
              const next = form.contacts.length;
              setTimeout(() => document.getElementById(`contact-${next}-name`)?.focus(), 0);
            }}
          >
            Add a shore contact
          </button>
        </fieldset>
        <Field id="org-cg-name" label="Coast Guard sector" hint={cgHint} error={errorAt(errors, 'safety/coast_guard/name')}>
          <input
            id="org-cg-name"
            value={form.coastGuardName}
            maxLength={80}
            autoComplete="off"
            aria-invalid={!!errorAt(errors, 'safety/coast_guard/name')}
            aria-describedby={describedBy('org-cg-name', cgHint, errorAt(errors, 'safety/coast_guard/name'))}
            onInput={(e) => set({ coastGuardName: (e.target as HTMLInputElement).value })}
          />
        </Field>
        <Field id="org-cg-phone" label="Coast Guard sector phone" error={errorAt(errors, 'safety/coast_guard/phone')}>
          <input
            id="org-cg-phone"
            type="tel"
            value={form.coastGuardPhone}
            autoComplete="off"
            aria-invalid={!!errorAt(errors, 'safety/coast_guard/phone')}
            aria-describedby={describedBy('org-cg-phone', undefined, errorAt(errors, 'safety/coast_guard/phone'))}
            onInput={(e) => set({ coastGuardPhone: (e.target as HTMLInputElement).value })}
          />
        </Field>
        <Field id="org-grace" label="Overdue after (minutes)" hint={graceHint} error={errorAt(errors, 'safety/overdue_grace_minutes')}>
          <input
            id="org-grace"
            inputMode="numeric"
            autoComplete="off"
            value={form.grace}
            aria-invalid={!!errorAt(errors, 'safety/overdue_grace_minutes')}
            aria-describedby={describedBy('org-grace', graceHint, errorAt(errors, 'safety/overdue_grace_minutes'))}
            onInput={(e) => set({ grace: (e.target as HTMLInputElement).value })}
          />
        </Field>

        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </div>
  );
}

function Recipients({
  perspective,
  list,
  errors,
  onChange,
}: {
  perspective: Perspective;
  list: string[];
  errors: Record<string, string>;
  onChange: (list: string[]) => void;
}) {
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const base = `report_recipients/${perspective}`;
  const inputId = `rcpt-${perspective}`;
  const label = `${PERSPECTIVE_LABELS[perspective]} report`;
  const listError = errors[base];
  const add = () => {
    const address = draft.trim();
    if (!address) {
      setProblem('Type an email address to add.');
      return;
    }
    if (list.some((x) => x.toLowerCase() === address.toLowerCase())) {
      setProblem('Already on the list.');
      return;
    }
    setProblem(null);
    onChange([...list, address]);
    setDraft('');
  };
  const addError = problem ?? listError;
  return (
    <fieldset class={`recipients${listError ? ' field-error' : ''}`}>
      <legend>{label}</legend>
      {list.length === 0 ? (
        <p class="subtle">Nobody gets it.</p>
      ) : (
        <ul class="plain">
          {list.map((email, i) => {
            const e = errors[`${base}/${i}`];
            return (
              <li key={`${email}-${i}`} class={`recipient${e ? ' field-error' : ''}`}>
                <span class="recipient-email">{email}</span>
                <button
                  type="button"
                  class="btn btn-secondary btn-small"
                  aria-label={`Remove ${email} from the ${label.toLowerCase()}`}
                  onClick={() => onChange(list.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
                {e && <p class="error-text">{`${email}: ${e}`}</p>}
              </li>
            );
          })}
        </ul>
      )}
      <label for={inputId} class="add-label">
        Add to the {label.toLowerCase()}
      </label>
      {addError && (
        <p class="error-text" id={`${inputId}-error`}>
          {addError}
        </p>
      )}
      <div class="inline-add">
        <input
          id={inputId}
          type="email"
          autoComplete="off"
          autoCapitalize="none"
          spellcheck={false}
          value={draft}
          aria-invalid={!!addError}
          aria-describedby={addError ? `${inputId}-error` : undefined}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" class="btn btn-secondary" onClick={add}>
          Add
        </button>
      </div>
    </fieldset>
  );
}

/** The error for a field, or for anything under it (`safety/shore_contacts/0/email/…`). */
export function errorAt(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const under = Object.entries(errors).filter(([f]) => f.startsWith(`${field}/`));
  return under.length ? under.map(([, m]) => m).join(' ') : undefined;
}

/** Whether a `safety/…` error has a field on screen to show under (`rows`: contact rows shown). */
export function safetyPlaced(field: string, rows: number): boolean {
  if (['safety/shore_contacts', 'safety/coast_guard/name', 'safety/coast_guard/phone', 'safety/overdue_grace_minutes'].includes(field)) {
    return true;
  }
  const m = /^safety\/shore_contacts\/(\d+)\/(name|email|phone)(\/|$)/.exec(field);
  return !!m && Number(m[1]) < rows;
}

/** One shore contact: name, email and phone, each with its own error, and Remove. */
function ContactRow({
  index,
  contact,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  contact: ContactForm;
  errors: Record<string, string>;
  onChange: (c: ContactForm) => void;
  onRemove: () => void;
}) {
  const base = `safety/shore_contacts/${index}`;
  const id = `contact-${index}`;
  const title = `Shore contact ${index + 1}`;
  const err = (key: keyof ContactForm) => errorAt(errors, `${base}/${key}`);
  // What every input of the row has: its id, value, error state and description.
  const common = (key: keyof ContactForm) => ({
    id: `${id}-${key}`,
    value: contact[key],
    autoComplete: 'off',
    'aria-invalid': !!err(key),
    'aria-describedby': describedBy(`${id}-${key}`, undefined, err(key)),
    onInput: (ev: Event) => onChange({ ...contact, [key]: (ev.target as HTMLInputElement).value }),
  });
  return (
    <div class="contact" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} class="contact-title">
        {title}
      </h3>
      <Field id={`${id}-name`} label="Name" error={err('name')}>
        <input type="text" maxLength={80} {...common('name')} />
      </Field>
      <Field id={`${id}-email`} label="Email" error={err('email')}>
        <input type="email" autoCapitalize="none" spellcheck={false} {...common('email')} />
      </Field>
      <Field id={`${id}-phone`} label="Phone" error={err('phone')}>
        <input type="tel" {...common('phone')} />
      </Field>
      <button
        type="button"
        class="btn btn-secondary btn-small"
        aria-label={`Remove ${contact.name.trim() || title.toLowerCase()}`}
        onClick={onRemove}
      >
        Remove
      </button>
    </div>
  );
}
