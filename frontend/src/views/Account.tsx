// Who I am, which org I'm in (and a switch to my other orgs), what waits to sync, sign out.

import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { clearSnapshots } from '../cache';
import { ConfirmButton, Notice, PageTitle } from '../components';
import { isLocal, useTitle } from '../hooks';
import { phoneLabel, pushSupport, subscribeThisPhone } from '../push';
import { attachmentWords, photoCount } from '../photos';
import { navigate } from '../router';
import { homeFor, sessions, type Session } from '../session';
import { useStore } from '../store';
import { dismissRejected, syncNow, syncStatus } from '../sync/engine';
import { formatDay, instant } from '../time';
import { roleLabel } from '../types';

export async function signOut(everywhere: boolean): Promise<void> {
  if (everywhere) {
    // Revoking every session is the point: it has to reach the server.
    await api.logoutAll();
  } else {
    try {
      await api.logout();
    } catch (e) {
      // Offline or already dead: this phone forgets the token either way.
      if (!(e instanceof api.OfflineError) && !(e instanceof api.ApiError && e.status === 401)) throw e;
    }
  }
  sessions.clear();
  await clearSnapshots();
  navigate('/signin', { replace: true });
}

const PREFERENCES: { value: api.NotifyPreference; label: string }[] = [
  { value: 'both', label: 'Email and this phone' },
  { value: 'push', label: 'Phone only (email if no phone gets it)' },
  { value: 'email', label: 'Email only' },
];

/** Nudges by push: subscribe this phone, see and remove phones, choose email, push or both. */
function NotificationsCard({ zone }: { zone: string }) {
  const [settings, setSettings] = useState<api.NotificationSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const support = pushSupport();

  useEffect(() => {
    api
      .notificationSettings()
      .then(setSettings)
      .catch((e) => setError(api.describe(e)));
  }, []);

  const notifyHere = async () => {
    if (!settings?.vapid_public_key) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const subscription = await subscribeThisPhone(settings.vapid_public_key);
      await api.addPhone(subscription, phoneLabel());
      setSettings(await api.notificationSettings());
      setDone('This phone will get your nudges.');
    } catch (e) {
      setError(e instanceof api.ApiError || e instanceof api.OfflineError ? api.describe(e) : String((e as Error).message ?? e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    setError(null);
    try {
      await api.removePhone(id);
      setSettings(await api.notificationSettings());
    } catch (e) {
      setError(api.describe(e));
    }
  };

  const choose = async (preference: api.NotifyPreference) => {
    setError(null);
    try {
      setSettings(await api.setNotifyPreference(preference));
    } catch (e) {
      setError(api.describe(e));
    }
  };

  return (
    <section class="card" aria-labelledby="notify-title">
      <h2 id="notify-title">Nudges</h2>
      <p>30 minutes before you sail, a reminder with the first tasks.</p>
      {error && <Notice kind="error">{error}</Notice>}
      {done && <Notice kind="ok">{done}</Notice>}
      {settings && (
        <fieldset class="stack">
          <legend>How you get them</legend>
          {PREFERENCES.map((p) => (
            <label key={p.value} class="choice">
              <input
                type="radio"
                name="notify-preference"
                value={p.value}
                checked={settings.preference === p.value}
                onChange={() => void choose(p.value)}
              />{' '}
              {p.label}
            </label>
          ))}
        </fieldset>
      )}
      {settings && settings.vapid_public_key === null ? (
        <p class="small">This server does not send phone notifications.</p>
      ) : support.kind === 'ios-not-installed' ? (
        <Notice kind="info">
          On iPhone, notifications work once the app is on your Home Screen: tap Share, then “Add to Home Screen”, and
          open it from there.
        </Notice>
      ) : support.kind === 'unsupported' ? (
        <p class="small">This browser cannot show notifications from the app.</p>
      ) : support.kind === 'denied' ? (
        <p class="small">Notifications are blocked for this app in the phone's settings.</p>
      ) : (
        settings && (
          <button type="button" class="btn btn-secondary btn-block" disabled={busy} onClick={() => void notifyHere()}>
            {busy ? 'Turning on…' : 'Notify me on this phone'}
          </button>
        )
      )}
      {settings && settings.phones.length > 0 && (
        <ul class="plain stack" aria-label="Phones that get nudges">
          {settings.phones.map((p) => (
            <li key={p.id} class="phone">
              <span>
                {p.label} <span class="small">since {formatDay(instant(p.created_at), zone)}</span>
              </span>{' '}
              <button type="button" class="link-button" onClick={() => void remove(p.id)}>
                Remove {p.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The private calendar feed: made, shown once, replaced or stopped here. */
function CalendarCard({ zone }: { zone: string }) {
  const [status, setStatus] = useState<api.CalendarFeedStatus | null>(null);
  const [fresh, setFresh] = useState<api.NewCalendarFeed | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    api
      .calendarFeed()
      .then(setStatus)
      .catch((e) => setError(api.describe(e)));
  }, []);

  const make = async () => {
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const made = await api.newCalendarFeed();
      setFresh(made);
      setStatus({ subscribed: true, created_at: made.created_at });
    } catch (e) {
      setError(api.describe(e));
    } finally {
      setBusy(false);
    }
  };

  const stop = async () => {
    setError(null);
    try {
      await api.revokeCalendarFeed();
      setFresh(null);
      setStatus({ subscribed: false, created_at: null });
    } catch (e) {
      setError(api.describe(e));
    }
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setError('Could not copy: select the link and copy it by hand.');
    }
  };

  return (
    <section class="card" aria-labelledby="cal-title">
      <h2 id="cal-title">Calendar</h2>
      <p>Your events, in your phone's calendar: every org you crew for, updated as they change.</p>
      {error && <Notice kind="error">{error}</Notice>}
      {fresh ? (
        <div class="stack">
          <Notice kind="ok">
            Your calendar link is ready. It is shown only now: add it to your calendar, or copy it somewhere safe.
          </Notice>
          <a class="btn btn-primary btn-block" href={fresh.webcal_url}>
            Add to my calendar
          </a>
          <label for="cal-url">Calendar link (for Google Calendar: “From URL”)</label>
          <input id="cal-url" type="text" readOnly value={fresh.https_url} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="btn btn-secondary" onClick={() => void copy(fresh.https_url)}>
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      ) : status?.subscribed ? (
        <p>
          You have a calendar link, made {status.created_at ? formatDay(instant(status.created_at), zone) : 'earlier'}. It is
          not shown again; make a new one to see it (the old one stops working).
        </p>
      ) : null}
      {status && (
        <div class="actions">
          <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => void make()}>
            {busy ? 'Making…' : status.subscribed ? 'Make a new calendar link' : 'Subscribe in my calendar'}
          </button>
          {status.subscribed && (
            <ConfirmButton
              danger
              label="Stop my calendar link"
              confirmLabel="Yes, stop it"
              onConfirm={() => stop()}
            />
          )}
        </div>
      )}
      <p class="small">Anyone with the link sees your events. If it leaks, make a new one: the old one stops at once.</p>
    </section>
  );
}

export function Account({ session }: { session: Session }) {
  useTitle('Account');
  const sync = useStore(syncStatus);
  const zone = session.org.zone ?? 'America/Los_Angeles';
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Orgs may have been added since sign-in: refresh the list (and role, zone) quietly.
  useEffect(() => {
    api
      .me()
      .then((me) => sessions.update(me))
      .catch(() => undefined);
  }, [session.token]);

  const switchTo = async (orgId: string) => {
    setBusy(orgId);
    setError(null);
    try {
      // Send this org's waiting ticks first: they can only go with this org's session.
      await syncNow();
      const grant = await api.switchOrg(orgId);
      sessions.signIn(grant);
      navigate(homeFor(grant.role));
    } catch (e) {
      setError(api.describe(e));
    } finally {
      setBusy(null);
    }
  };

  const out = async (everywhere: boolean) => {
    setError(null);
    try {
      await signOut(everywhere);
    } catch (e) {
      setError(everywhere ? `Could not sign out everywhere: ${api.describe(e)}` : api.describe(e));
    }
  };

  return (
    <div class="narrow">
      <PageTitle>Account</PageTitle>
      {error && <Notice kind="error">{error}</Notice>}
      <section class="card" aria-labelledby="me-title">
        <h2 id="me-title">Signed in</h2>
        <dl class="facts">
          <dt>Email</dt>
          <dd>{session.email}</dd>
          <dt>Org</dt>
          <dd>{session.org.name}</dd>
          <dt>Role</dt>
          <dd>{roleLabel(session.role)}</dd>
          <dt>Time zone</dt>
          <dd>{zone.replace(/_/g, ' ')}</dd>
          <dt>Session ends</dt>
          <dd>{formatDay(instant(session.expiresAt), zone)}</dd>
        </dl>
      </section>

      {session.role === 'admin' && (
        <section class="card" aria-labelledby="org-title">
          <h2 id="org-title">{session.org.name}</h2>
          <p>Time zone, home port, event kinds and who gets the weekly reports; the boats and trucks events sail on.</p>
          <div class="actions">
            <a class="btn btn-secondary" href="/admin/org">
              Org settings
            </a>
            <a class="btn btn-secondary" href="/admin/vessels">
              Vessels
            </a>
          </div>
        </section>
      )}

      {session.memberships.length > 1 && (
        <section class="card" aria-labelledby="orgs-title">
          <h2 id="orgs-title">Your orgs</h2>
          <ul class="plain stack">
            {session.memberships.map((m) => (
              <li key={m.org_id}>
                {m.org_id === session.org.id ? (
                  <p class="current-org">
                    <strong>{m.org_name}</strong> ({roleLabel(m.role)}): you're here
                  </p>
                ) : (
                  <button
                    type="button"
                    class="btn btn-secondary btn-block"
                    disabled={busy !== null}
                    onClick={() => void switchTo(m.org_id)}
                  >
                    {busy === m.org_id ? 'Switching…' : `Switch to ${m.org_name} (${roleLabel(m.role)})`}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <NotificationsCard zone={zone} />

      <CalendarCard zone={zone} />

      <section class="card" aria-labelledby="sync-title">
        <h2 id="sync-title">Sync</h2>
        <p>
          {sync.pending === 0
            ? 'Every tick from this phone has reached the server.'
            : `${sync.pending} ${sync.pending === 1 ? 'change is' : 'changes are'} waiting to sync${
                sync.photos > 0 ? `, with ${photoCount(sync.photos)}` : ''
              }.`}
          {sync.pendingElsewhere > 0 &&
            ` ${sync.pendingElsewhere} more wait for another org or person on this phone; they sync when that session signs in.`}
        </p>
        {sync.pending > 0 && (
          <button type="button" class="btn btn-secondary" disabled={sync.syncing} onClick={() => void syncNow()}>
            {sync.syncing ? 'Syncing…' : 'Sync now'}
          </button>
        )}
        {sync.rejected.map((op) => (
          <Notice key={op.seq} kind="error">
            Not saved: {op.done ? 'tick' : 'untick'} of “{op.taskId.replace(/_/g, ' ')}”
            {attachmentWords(op.note, op.photos?.length ?? 0) ? ` ${attachmentWords(op.note, op.photos?.length ?? 0)}` : ''}. {op.error}{' '}
            <button type="button" class="link-button" onClick={() => void dismissRejected(op.seq ?? -1)}>
              Dismiss
            </button>
          </Notice>
        ))}
      </section>

      <section class="card" aria-labelledby="out-title">
        <h2 id="out-title">Sign out</h2>
        {sync.pending > 0 && (
          <Notice kind="warn">
            {sync.pending} {sync.pending === 1 ? 'change has' : 'changes have'} not synced yet
            {sync.photos > 0 ? ` (${photoCount(sync.photos)})` : ''}. They stay on this phone and sync when you sign in again.
          </Notice>
        )}
        <div class="actions">
          <button type="button" class="btn btn-secondary" onClick={() => void out(false)}>
            Sign out
          </button>
          <ConfirmButton
            danger
            label="Sign out everywhere"
            confirmLabel="Yes, sign out all my devices"
            onConfirm={() => out(true)}
          />
        </div>
        <p class="small">“Everywhere” ends your sessions on every phone and computer, in all your orgs.</p>
      </section>

      {isLocal() && (
        <p class="dev-link">
          Local mode:{' '}
          <a href="/dev/outbox" target="_blank" rel="noopener">
            open the local outbox
          </a>{' '}
          to read sign-in and nudge emails.
        </p>
      )}
    </div>
  );
}
