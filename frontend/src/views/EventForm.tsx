// Create or edit an event (admin; an event's captain may change its crew and notes). Times are
// typed as wall-clock times in the org's zone and sent as such: the server converts them.

import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { Field, Loading, Notice, PageTitle, describedBy } from '../components';
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
  type MemberView,
  type Template,
} from '../types';

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
  vessel: string;
  departs: string;
  returns: string;
  crew: Record<string, CrewRole | ''>;
  /** Crew on the event who are no longer members (kept unless removed). */
  extraCrew: CrewFields[];
  notes: string;
  revenue: string;
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
  return {
    kind: ev.kind,
    title: ev.title,
    vessel: ev.vessel,
    departs: wallClock(ev.departs_at.local),
    returns: wallClock(ev.returns_at.local),
    crew,
    extraCrew: ev.crew.filter((c) => !known.has(c.email)).map((c) => ({ email: c.email, role: c.role })),
    notes: ev.notes,
    revenue: ev.revenue_cents != null ? (ev.revenue_cents / 100).toFixed(2) : '',
  };
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
  const [original, setOriginal] = useState<{ ev: EventView; etag: string } | null>(null);
  const [form, setForm] = useState<FormState | null>(null);
  const [titleTouched, setTitleTouched] = useState(editing);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setLoadError(null);
    setStale(false);
    try {
      const [tpls, org, mems, current] = await Promise.all([
        api.templates(),
        rights.admin ? api.org().then((r) => r.org) : Promise.resolve(null),
        // Admins and captains pick crew from the org's members.
        api.members().catch((e) => {
          if (e instanceof api.ApiError && e.status === 403) return [] as MemberView[];
          throw e;
        }),
        editing ? api.getEvent(id) : Promise.resolve(null),
      ]);
      setTemplates(tpls);
      setMembers(mems);
      const enabled = org?.enabled_kinds ?? [];
      if (current && current.status === 200) {
        setOriginal({ ev: current.event, etag: current.etag });
        setForm(fromEvent(current.event, mems));
        setKinds(enabled.includes(current.event.kind) ? enabled : [...enabled, current.event.kind]);
      } else {
        const kind = enabled[0] ?? 'charter';
        const start = Math.ceil((serverClock.now() + HOUR) / HOUR) * HOUR;
        const departs = wallClockAt(start, zone);
        setKinds(enabled);
        setForm({
          kind,
          title: tpls.find((t) => t.kind === kind)?.name ?? kindLabel(kind),
          vessel: '',
          departs,
          returns: addHoursWall(departs, 3),
          crew: {},
          extraCrew: [],
          notes: '',
          revenue: '',
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

  const set = (patch: Partial<FormState>) => setForm({ ...form, ...patch });
  const templateName = (k: string) => templates.find((t) => t.kind === k)?.name ?? kindLabel(k);
  const maxHours = templates.find((t) => t.kind === form.kind)?.max_hours;
  const returnsHint = maxHours ? `${zone.replace(/_/g, ' ')} time; at most ${maxHours} hours after departure` : undefined;

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    const local: Record<string, string> = {};
    if (!captainOnly) {
      if (!form.title.trim()) local.title = 'Give the event a title.';
      if (!form.vessel.trim()) local.vessel = 'Which vessel or truck?';
      if (!form.departs) local.departs_at = 'When does it depart?';
      if (!form.returns) local.returns_at = 'When does it return?';
      if (form.departs && form.returns && form.returns <= form.departs) local.returns_at = 'Return must be after departure.';
    }
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
          if (form.vessel.trim() !== before.vessel) patch.vessel = form.vessel.trim();
          if (form.departs !== before.departs) patch.departs_at = form.departs;
          if (form.returns !== before.returns) patch.returns_at = form.returns;
          if (form.revenue.trim() !== before.revenue) patch.revenue_cents = revenue === 'invalid' ? null : revenue;
        }
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
          vessel: form.vessel.trim(),
          departs_at: form.departs,
          returns_at: form.returns,
          crew,
          notes: form.notes,
          ...(revenue !== null && revenue !== 'invalid' ? { revenue_cents: revenue } : {}),
        };
        saved = await api.createEvent(fields);
      }
      navigate(`/events/${saved.id}`);
    } catch (err) {
      if (err instanceof api.ApiError && err.status === 412) {
        setStale(true);
        setError('Someone changed this event while you were editing. Reload it to see their change, then make yours again.');
      } else if (err instanceof api.ApiError && err.problem?.errors?.length) {
        const byField: Record<string, string> = {};
        for (const f of err.problem.errors) {
          const key = f.field.startsWith('crew') ? 'crew' : f.field;
          byField[key] = byField[key] ? `${byField[key]} ${f.message}` : f.message;
        }
        setFieldErrors(byField);
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
  const zoneText = `${zone.replace(/_/g, ' ')} time`;
  const notesHint = 'Guests, dock, special requests';

  return (
    <div class="narrow">
      <p class="back">
        <a href={editing && id ? `/events/${id}` : '/'}>← {editing ? 'Back to the event' : 'My events'}</a>
      </p>
      <PageTitle>{editing ? (captainOnly ? 'Edit crew and notes' : 'Edit event') : 'New event'}</PageTitle>
      {error && <Notice kind="error">{error}</Notice>}
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
                  set(titleTouched ? { kind } : { kind, title: templateName(kind) });
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
            <Field id="ev-vessel" label={form.kind === 'haul' ? 'Truck' : 'Vessel'} error={err('vessel')}>
              <input
                id="ev-vessel"
                value={form.vessel}
                maxLength={80}
                required
                autoComplete="off"
                aria-invalid={!!err('vessel')}
                aria-describedby={describedBy('ev-vessel', undefined, err('vessel'))}
                onInput={(e) => set({ vessel: (e.target as HTMLInputElement).value })}
              />
            </Field>
            <Field id="ev-departs" label="Departs" hint={zoneText} error={err('departs_at')}>
              <input
                id="ev-departs"
                type="datetime-local"
                value={form.departs}
                required
                aria-invalid={!!err('departs_at')}
                aria-describedby={describedBy('ev-departs', zoneText, err('departs_at'))}
                onInput={(e) => {
                  const departs = (e.target as HTMLInputElement).value;
                  // Keep the trip's length when the departure moves.
                  const length = form.departs && form.returns ? (Date.parse(`${form.returns}:00Z`) - Date.parse(`${form.departs}:00Z`)) / HOUR : 3;
                  set(departs ? { departs, returns: addHoursWall(departs, length > 0 ? length : 3) } : { departs });
                }}
              />
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
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || stale}>
          {busy ? 'Saving…' : editing ? 'Save changes' : 'Create event'}
        </button>
      </form>
    </div>
  );
}
