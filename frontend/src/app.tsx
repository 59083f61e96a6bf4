// The app shell: header with the sync badge, global notices, and the screen for the route.

import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { Loading, Notice } from './components';
import { isLocal } from './hooks';
import { lazyScreen } from './lazy';
import { pwa, applyUpdate } from './pwa';
import { navigate, queryParam, useRoute, type Route } from './router';
import { can, sessions, type Session } from './session';
import { useStore, useSubscribed } from './store';
import { photoCount } from './photos';
import { syncNow, syncStatus } from './sync/engine';
import { Account } from './views/Account';
import { EventScreen } from './views/Event';
import { EventForm } from './views/EventForm';
import { Events } from './views/Events';
import { Members } from './views/Members';
import { SignIn, rememberReturn } from './views/SignIn';

const Reports = lazyScreen('reports', () => import('./views/Reports').then((m) => m.Reports));
const OrgSettings = lazyScreen('org settings', () => import('./views/OrgSettings').then((m) => m.OrgSettings));
const Vessels = lazyScreen('vessels', () => import('./views/Vessels').then((m) => m.Vessels));
const FloatPlan = lazyScreen('float plan', () => import('./views/FloatPlan').then((m) => m.FloatPlanScreen));

export function SyncBadge() {
  const s = useStore(syncStatus);
  const n = s.pending;
  return (
    <div class="sync" role="status" aria-live="polite">
      {n > 0 && (
        <a href="/account" class={`sync-badge${s.syncing ? ' syncing' : ''}`}>
          {n} {n === 1 ? 'change' : 'changes'} waiting to sync
          {s.photos > 0 && ` · ${photoCount(s.photos)} waiting`}
        </a>
      )}
    </div>
  );
}

function Header({ session, route }: { session: Session | null; route: Route }) {
  const rights = can(session);
  const current = (names: Route['name'][]) => (names.includes(route.name) ? 'page' : undefined);
  return (
    <header class="bar">
      <div class="bar-inner">
        <a class="brand" href="/">
          Ship Captain Crew
        </a>
        {session && <span class="org-name" title={session.org.name}>
            {session.org.name}
          </span>}
      </div>
      {session && (
        <nav aria-label="Main">
          <a href="/" aria-current={current(['events', 'event', 'editEvent', 'newEvent', 'floatPlan'])}>
            {rights.seesAll ? 'Events' : 'My events'}
          </a>
          {rights.reports && (
            <a href="/reports" aria-current={current(['reports'])}>
              Reports
            </a>
          )}
          {rights.admin && (
            <a href="/admin/members" aria-current={current(['members', 'orgSettings', 'vessels'])}>
              Members
            </a>
          )}
          <a href="/account" aria-current={current(['account'])}>
            Account
          </a>
        </nav>
      )}
    </header>
  );
}

function GlobalNotices({ session }: { session: Session | null }) {
  const sync = useStore(syncStatus);
  const { updateReady } = useStore(pwa);
  return (
    <div class="global-notices">
      {updateReady && (
        <Notice kind="info">
          A new version of the app is ready.{' '}
          <button type="button" class="link-button" onClick={applyUpdate}>
            Reload now
          </button>
        </Notice>
      )}
      {session && !sync.online && (
        <Notice kind="warn" live>
          No connection. Ticks are saved on this phone and sync later.
        </Notice>
      )}
      {session && sync.rejected.length > 0 && (
        <Notice kind="error">
          {sync.rejected.length} {sync.rejected.length === 1 ? 'change was' : 'changes were'} refused by the server.{' '}
          <a href="/account">See why</a>
        </Notice>
      )}
      {session && sync.lastError && sync.pending > 0 && (
        <Notice kind="warn">
          {sync.lastError}{' '}
          <button type="button" class="link-button" onClick={() => void syncNow()}>
            Retry now
          </button>
        </Notice>
      )}
    </div>
  );
}

function Screen({ route, session }: { route: Route; session: Session }) {
  switch (route.name) {
    case 'events':
      return <Events session={session} />;
    case 'event':
      return <EventScreen key={`${route.id}|${session.org.id}`} id={route.id} session={session} />;
    case 'newEvent':
      return <EventForm key="new" session={session} />;
    case 'editEvent':
      return <EventForm key={route.id} session={session} id={route.id} />;
    case 'floatPlan':
      return <FloatPlan key={`${route.id}|${session.org.id}`} id={route.id} session={session} />;
    case 'members':
      return <Members session={session} />;
    case 'orgSettings':
      return <OrgSettings session={session} />;
    case 'vessels':
      return <Vessels session={session} />;
    case 'reports':
      return <Reports session={session} />;
    case 'account':
      return <Account session={session} />;
    case 'signin':
      return <SignIn />;
    case 'notFound':
      return (
        <div>
          <h1>Page not found</h1>
          <p>
            There's nothing at {route.path}. <a href="/">Go to my events</a>.
          </p>
        </div>
      );
  }
}

/**
 * Links in emails and reports name the event's org (`/events/<id>?org=<org>`, the float plan's
 * `/events/<id>/float-plan?org=<org>`). Someone who is a
 * member of that org, signed in to another, is switched to it first; the parameter is then dropped
 * from the address. For anyone else the event opens as usual (and says "not found").
 */
function useLinkedOrg(route: Route, session: Session | null): { switching: string | null; error: string | null } {
  const linked = route.name === 'event' || route.name === 'floatPlan';
  const wanted = linked ? queryParam('org') : null;
  const member = wanted && session ? session.memberships.find((m) => m.org_id === wanted) : undefined;
  const needsSwitch = !!member && !!session && member.org_id !== session.org.id;
  const [error, setError] = useState<string | null>(null);
  const [failedFor, setFailedFor] = useState<string | null>(null);
  useEffect(() => {
    if (!wanted || !session) return;
    const drop = () => navigate(location.pathname + location.hash, { replace: true });
    if (!needsSwitch || failedFor === `${session.token}|${wanted}`) {
      drop();
      return;
    }
    let live = true;
    setError(null);
    void (async () => {
      try {
        // This org's waiting ticks can only go with this org's session: send them first.
        await syncNow().catch(() => undefined);
        const grant = await api.switchOrg(wanted);
        if (!live) return;
        sessions.signIn(grant);
      } catch (e) {
        if (!live) return;
        setFailedFor(`${session.token}|${wanted}`);
        setError(`Could not switch to ${member?.org_name ?? wanted}: ${api.describe(e)}`);
      }
    })();
    return () => {
      live = false;
    };
  }, [wanted, session?.token, failedFor]);
  const switching =
    needsSwitch && session && failedFor !== `${session.token}|${wanted}` ? (member?.org_name ?? 'the org') : null;
  return { switching, error: linked ? error : null };
}

export function App() {
  const route = useRoute();
  const session = useSubscribed(sessions, () => sessions.get());
  const [meFailed, setMeFailed] = useState(false);

  // Not signed in: remember where they were going, and ask them to sign in.
  useEffect(() => {
    if (!session && route.name !== 'signin') {
      rememberReturn(location.pathname + location.search);
      navigate('/signin', { replace: true });
    }
  }, [session, route.name]);

  // The grant names the org's zone; only a session kept from an older server lacks it.
  useEffect(() => {
    if (!session || session.org.zone) return;
    setMeFailed(false);
    api
      .me()
      .then((me) => sessions.update(me))
      .catch(() => setMeFailed(true));
  }, [session?.token]);

  const linkOrg = useLinkedOrg(route, session);

  let body;
  if (route.name === 'signin') body = <SignIn />;
  else if (!session) body = <Loading what="sign-in" />;
  else if (!session.org.zone && !meFailed) body = <Loading what="your org" />;
  else if (linkOrg.switching)
    body = (
      <p class="loading" role="status">
        Switching to {linkOrg.switching}…
      </p>
    );
  else
    body = (
      <>
        {linkOrg.error && <Notice kind="error">{linkOrg.error}</Notice>}
        <Screen route={route} session={session} />
      </>
    );

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header session={session} route={route} />
      <SyncBadge />
      <GlobalNotices session={session} />
      <main id="main" tabIndex={-1}>
        {body}
      </main>
      {isLocal() && (
        <footer class="dev-footer">
          <a href="/dev/outbox" target="_blank" rel="noopener">
            Local outbox (sign-in emails)
          </a>
        </footer>
      )}
    </>
  );
}
