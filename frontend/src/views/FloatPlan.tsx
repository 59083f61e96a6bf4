// The float plan of an event (issue 16, part 3): the US Coast Guard form's fields as the shore
// contacts get them, readable on a phone and printable (the app's header, buttons and links stay
// off the paper), who it goes to and whether this version reached each, and, for an admin or the
// event's captain, "Send float plan" with what it did shown under the button. Loaded on demand;
// the last copy read opens offline.

import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { loadEvent, loadFloatPlan, saveEvent, saveFloatPlan, type Scope } from '../cache';
import { Loading, Notice, PageTitle } from '../components';
import { useTitle } from '../hooks';
import { maySendFloatPlan, sendNote, shoreContacts, type SendNote } from '../safety';
import type { Session } from '../session';
import { formatDateTime, instant } from '../time';
import type { EventView, FloatPlanView } from '../types';
import './floatplan.css';

/** Whether the plan can still be sent: the server closes it once the event is over or cancelled. */
export function planOpen(status: string | undefined): boolean {
  return status === undefined || status === 'scheduled' || status === 'underway';
}

/** A recipient's state in words (the chip reads the same printed in black and white). */
export function recipientState(sent: boolean): string {
  return sent ? 'sent' : 'not yet';
}

/** The line under the recipients: how many have this version. */
export function reachLine(recipients: { sent: boolean }[]): string {
  const n = recipients.length;
  const sent = recipients.filter((r) => r.sent).length;
  if (n === 0) return '';
  if (sent === n) return n === 1 ? 'This version reached the shore contact.' : `This version reached all ${n}.`;
  if (sent === 0) return `Not sent yet to the ${shoreContacts(n)}.`;
  return `This version reached ${sent} of ${n}.`;
}

export function FloatPlanScreen({ id, session }: { id: string; session: Session }) {
  const scope: Scope = { email: session.email, org: session.org.id };
  const zone = session.org.zone ?? 'America/Los_Angeles';
  const [view, setView] = useState<FloatPlanView | null>(null);
  const [event, setEvent] = useState<EventView | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [offline, setOffline] = useState(false);
  const [notFound, setNotFound] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [note, setNote] = useState<SendNote | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  useTitle(view?.plan.title ?? (notFound ? 'Not found' : 'Float plan'));

  const load = async () => {
    try {
      const got = await api.floatPlan(id);
      setView(got);
      setSavedAt(null);
      setOffline(false);
      setError(null);
      void saveFloatPlan(scope, id, got);
    } catch (e) {
      if (e instanceof api.OfflineError) setOffline(true);
      else if (e instanceof api.ApiError && e.status === 404) setNotFound(true);
      else if (!(e instanceof api.ApiError && e.status === 401)) setError(api.describe(e));
    }
  };

  // The event says whether this person may send (its captain) and whether the plan is closed.
  const loadTheEvent = async () => {
    const saved = await loadEvent(scope, id);
    if (saved) setEvent(saved.data);
    try {
      const got = await api.getEvent(id, saved?.etag);
      if (got.status === 200) {
        setEvent(got.event);
        void saveEvent(scope, got.event, got.etag);
      }
    } catch {
      /* the plan's own read says what went wrong */
    }
  };

  useEffect(() => {
    let live = true;
    void loadFloatPlan(scope, id).then(async (snap) => {
      if (live && snap) {
        setView((v) => v ?? snap.data);
        setSavedAt(snap.savedAt);
      }
      if (live) await load();
    });
    void loadTheEvent();
    return () => {
      live = false;
    };
  }, [id, session.token]);

  if (notFound) {
    return (
      <div>
        <PageTitle>Float plan not found</PageTitle>
        <Notice kind="warn">There's no such event in {session.org.name} that you can see.</Notice>
        <p>
          <a href="/">Back to my events</a>
        </p>
      </div>
    );
  }
  if (!view) {
    if (offline) {
      return (
        <div>
          <PageTitle>Float plan</PageTitle>
          <Notice kind="warn">You're offline, and this float plan hasn't been opened on this phone yet. It opens once you have signal.</Notice>
          <p>
            <a href={`/events/${id}`}>Back to the event</a>
          </p>
        </div>
      );
    }
    if (error) return <Notice kind="error">{error}</Notice>;
    return <Loading what="the float plan" />;
  }

  const { plan, recipients } = view;
  const canSend = maySendFloatPlan(session.role, event?.my_role) && planOpen(event?.status);
  const send = async () => {
    setSending(true);
    setNote(null);
    setSendError(null);
    try {
      setNote(sendNote(await api.sendFloatPlan(id)));
      await load();
    } catch (e) {
      // A 409 says what to do (add shore contacts; the event is over): its detail, as the server put it.
      setSendError(api.describe(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <div class="float-plan">
      <p class="back no-print">
        <a href={`/events/${id}`}>← {event?.title ?? 'The event'}</a>
      </p>
      <PageTitle>{plan.title}</PageTitle>
      {plan.update && <p class="plan-update">Update: this replaces the float plan sent before.</p>}
      <p class="plan-version">
        Version of {formatDateTime(instant(plan.version_at), zone)}. If not back by{' '}
        <strong>{formatDateTime(instant(plan.overdue_at), zone)}</strong>, the shore contact acts.
      </p>
      {offline && savedAt && (
        <p class="stale no-print" role="status">
          Copy from {formatDateTime(savedAt, zone)}: no connection to refresh it.
        </p>
      )}
      {error && <Notice kind="error">{error}</Notice>}

      <section class="panel plan-recipients" aria-labelledby="plan-recipients-title">
        <h2 id="plan-recipients-title">Goes to</h2>
        {recipients.length === 0 ? (
          <p>
            No shore contacts yet:{' '}
            {session.role === 'admin' ? <a href="/admin/org">add them in Org settings</a> : 'an admin adds them in Org settings'}.
          </p>
        ) : (
          <>
            <ul class="plain recipient-list">
              {recipients.map((r) => (
                <li key={r.email}>
                  <span class="recipient-who">
                    <strong>{r.name || r.email}</strong>
                    {r.name && <span class="recipient-address">{r.email}</span>}
                  </span>
                  <span class={`chip ${r.sent ? 'chip-done' : 'chip-upcoming'}`}>{recipientState(r.sent)}</span>
                </li>
              ))}
            </ul>
            <p class="small">{reachLine(recipients)}</p>
          </>
        )}
        <div class="actions no-print">
          {canSend && (
            <button type="button" class="btn btn-primary" disabled={sending} onClick={() => void send()}>
              {sending ? 'Sending…' : 'Send float plan'}
            </button>
          )}
          <button type="button" class="btn btn-secondary" onClick={() => window.print()}>
            Print
          </button>
        </div>
        {note && (
          <div class="no-print">
            <Notice kind={note.kind} live>
              {note.text}
            </Notice>
          </div>
        )}
        {sendError && (
          <div class="no-print">
            <Notice kind="error">{sendError}</Notice>
          </div>
        )}
        {event && !planOpen(event.status) && (
          <p class="small no-print">The event is {event.status}: its float plan is closed and can no longer be sent.</p>
        )}
        <p class="small no-print">
          Each version reaches each contact once. A change of the return time or of who is aboard makes a new version, sent as an
          update.
        </p>
      </section>

      {plan.sections.map((s, i) => (
        <section key={`${i}-${s.title}`} class="panel plan-section" aria-labelledby={`plan-section-${i}`}>
          <h2 id={`plan-section-${i}`}>{s.title}</h2>
          <dl class="plan-lines">
            {s.lines.map((l, j) => (
              <div key={`${j}-${l.label}`}>
                <dt>{l.label}</dt>
                <dd>{l.value.trim() ? l.value : <span class="subtle">not recorded</span>}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}

      <details class="panel plan-text no-print">
        <summary>The same plan as plain text</summary>
        <pre>{view.text}</pre>
      </details>
    </div>
  );
}
