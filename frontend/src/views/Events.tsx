// My events: today's and upcoming events (the ones I'm on; an admin sees the whole org), with
// status badges and departure countdowns. Opens offline from the last copy read.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { loadEvent, loadEventList, saveEvent, type Scope } from '../cache';
import { Loading, Notice, PageTitle, StatusBadge } from '../components';
import { refreshEventList } from '../listing';
import { useNow, useTitle, useVisible } from '../hooks';
import { can, type Session } from '../session';
import { addDays, countdown, dayLabel, formatTime, instant, localDate, serverClock, zoneAbbreviation } from '../time';
import { kindLabel, type EventSummary } from '../types';
import { crewShortage, passengerCount, passengersOf } from '../vessels';
import { overdueOf } from '../safety';
import { useStore } from '../store';
import { syncStatus } from '../sync/engine';
import { withQueuedTicks } from '../sync/queue';

const REFRESH_MS = 60_000;
/** Days of events listed after today. */
const AHEAD_DAYS = 14;

/** Which events the list shows: anything underway, and everything departing today or later. */
export function visibleEvents(events: EventSummary[], today: string, zone: string): EventSummary[] {
  return events
    .filter((e) => e.status === 'underway' || localDate(instant(e.departs_at.at), zone) >= today)
    .sort((a, b) => instant(a.departs_at.at) - instant(b.departs_at.at));
}

/** What a card says about time: the countdown that matters for its status. */
export function timeLine(e: EventSummary, now: number): { text: string; late: boolean } {
  const dep = instant(e.departs_at.at);
  const ret = instant(e.returns_at.at);
  switch (e.status) {
    case 'scheduled':
      return dep >= now
        ? { text: `Departs ${countdown(dep, now)}`, late: false }
        : { text: `Departure was due ${countdown(dep, now)}`, late: true };
    case 'underway':
      return ret >= now
        ? { text: `Returns ${countdown(ret, now)}`, late: false }
        : { text: `Return was due ${countdown(ret, now)}`, late: true };
    case 'completed':
      return { text: 'Back in port', late: false };
    case 'cancelled':
      return { text: 'Cancelled: not going', late: false };
  }
}

/** Reads the detail of the next few events in the background, so they open with no signal. */
async function prefetch(scope: Scope, events: EventSummary[], today: string, zone: string): Promise<void> {
  const soon = events
    .filter((e) => e.status !== 'cancelled' && e.status !== 'completed')
    .filter((e) => localDate(instant(e.departs_at.at), zone) <= addDays(today, 2))
    .slice(0, 12);
  for (const e of soon) {
    try {
      const cached = await loadEvent(scope, e.id);
      const got = await api.getEvent(e.id, cached?.etag);
      if (got.status === 200) await saveEvent(scope, got.event, got.etag);
    } catch {
      return; // offline or signed out: stop quietly
    }
  }
}

export function Events({ session }: { session: Session }) {
  const zone = session.org.zone ?? 'America/Los_Angeles';
  const scope: Scope = { email: session.email, org: session.org.id };
  const rights = can(session);
  useTitle(rights.seesAll ? 'Events' : 'My events');
  const now = useNow();
  const visible = useVisible();
  const [events, setEvents] = useState<EventSummary[] | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const [loading, setLoading] = useState(false);
  // The list on screen came from the server since this screen opened (else it is the saved copy).
  const [fresh, setFresh] = useState(false);
  const sync = useStore(syncStatus);

  const today = localDate(serverClock.now(), zone);

  const load = useCallback(async () => {
    setLoading(true);
    const day = localDate(serverClock.now(), zone);
    try {
      // Conditional: a 304 keeps the saved list (and the one on screen) as it is.
      const got = await refreshEventList(scope, addDays(day, -1), addDays(day, AHEAD_DAYS));
      if (got.unchanged) setEvents((current) => current ?? got.events);
      else setEvents(got.events);
      setSavedAt(Date.now());
      setOffline(false);
      setFresh(true);
      setError(null);
      void prefetch(scope, got.events, day, zone);
    } catch (e) {
      if (e instanceof api.OfflineError) {
        setOffline(true);
        const snap = await loadEventList(scope);
        if (snap) {
          setEvents((current) => current ?? snap.data);
          setSavedAt((current) => current ?? snap.savedAt);
        }
      } else if (!(e instanceof api.ApiError && e.status === 401)) {
        setError(api.describe(e));
      }
    } finally {
      setLoading(false);
    }
    // scope is derived from the session: reload when the person or org changes.
  }, [session.email, session.org.id, zone]);

  useEffect(() => {
    // Show the saved copy at once, then replace it with the server's.
    let live = true;
    void loadEventList(scope).then((snap) => {
      if (live && snap) {
        setEvents((current) => current ?? snap.data);
        setSavedAt((current) => current ?? snap.savedAt);
      }
    });
    void load();
    return () => {
      live = false;
    };
  }, [load]);

  const wasVisible = useRef(visible);
  useEffect(() => {
    const cameBack = visible && !wasVisible.current;
    wasVisible.current = visible;
    if (!visible) return;
    if (cameBack) void load();
    const t = setInterval(() => void load(), REFRESH_MS);
    const online = () => void load();
    window.addEventListener('online', online);
    return () => {
      clearInterval(t);
      window.removeEventListener('online', online);
    };
  }, [visible, load]);

  // A saved copy knows none of the ticks still waiting to be sent: count them in.
  const listed = events && (offline || !fresh) ? withQueuedTicks(events, sync.ops) : events;
  const shown = listed ? visibleEvents(listed, today, zone) : [];
  const groups = new Map<string, EventSummary[]>();
  for (const e of shown) {
    const d = localDate(instant(e.departs_at.at), zone);
    const key = e.status === 'underway' && d < today ? today : d;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }

  return (
    <div>
      <div class="title-row">
        <PageTitle>{rights.seesAll ? 'Events' : 'My events'}</PageTitle>
        <button type="button" class="btn btn-secondary btn-small" onClick={() => void load()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p class="subtle">
        {session.org.name} · times in {zone.replace(/_/g, ' ')} ({zoneAbbreviation(now, zone)})
      </p>
      {rights.admin && (
        <p>
          <a class="btn btn-primary" href="/admin/events/new">
            New event
          </a>
        </p>
      )}
      {offline &&
        (savedAt ? (
          <p class="stale" role="status">
            Copy from {formatTime(savedAt, zone)}: no connection to refresh it.
          </p>
        ) : (
          events === null && <Notice kind="warn">No connection, and no saved list on this phone yet.</Notice>
        ))}
      {error && <Notice kind="error">{error}</Notice>}
      {events === null && !offline && !error && <Loading what="events" />}
      {events !== null && shown.length === 0 && (
        <Notice>
          {rights.seesAll
            ? `No events in the next ${AHEAD_DAYS} days.`
            : `You're not on any event in the next ${AHEAD_DAYS} days.`}
        </Notice>
      )}
      {[...groups.entries()].map(([day, list]) => (
        <section key={day} aria-labelledby={`day-${day}`}>
          <h2 id={`day-${day}`} class="day">
            {dayLabel(day, today)}
          </h2>
          <ul class="plain cards">
            {list.map((e) => (
              <EventCard key={e.id} event={e} zone={zone} now={now} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function EventCard({ event: e, zone, now }: { event: EventSummary; zone: string; now: number }) {
  const dep = instant(e.departs_at.at);
  const ret = instant(e.returns_at.at);
  const line = timeLine(e, now);
  const captain = e.crew.find((c) => c.role === 'captain');
  const aboard = passengersOf(e).count;
  const short = e.status === 'scheduled' || e.status === 'underway' ? crewShortage(e.crew.length, e.crew_required) : null;
  const overdue = e.status === 'underway' && overdueOf(e) !== null;
  return (
    <li>
      <a class={`event-card status-${e.status}${overdue ? ' overdue' : ''}`} href={`/events/${e.id}`}>
        <span class="event-card-top">
          <span class="event-title">{e.title}</span>
          <span class="event-badges">
            {overdue && <span class="badge badge-overdue">Overdue</span>}
            <StatusBadge status={e.status} />
          </span>
        </span>
        <span class="event-meta">
          {kindLabel(e.kind)} · {e.vessel}
          {aboard > 0 ? ` · ${passengerCount(aboard)}` : ''}
        </span>
        <span class="event-times">
          {formatTime(dep, zone)} – {formatTime(ret, zone)}
        </span>
        <span class={`event-countdown${line.late ? ' late' : ''}`} role="timer" aria-live="off">
          {line.text}
        </span>
        <span class="event-foot">
          <span>
            Tasks {e.tasks_done}/{e.tasks_total}
          </span>
          {e.my_role ? <span>You: {e.my_role}</span> : captain ? <span>Captain: {captain.name ?? captain.email}</span> : null}
        </span>
        {short && <span class="event-short crew-short">Short-handed: {short}</span>}
      </a>
    </li>
  );
}
