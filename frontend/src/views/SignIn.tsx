// Sign in without a password: ask for a link by email, then either open the link (which lands
// here with #token=… and shows a "Sign in" button: mail scanners open links, so nothing happens
// until a person presses it) or type the 8-character code from the email.

import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { Field, Notice, PageTitle, describedBy } from '../components';
import { isLocal, useTitle } from '../hooks';
import { navigate } from '../router';
import { homeFor, onlyExecutive, sessions } from '../session';
import { syncStatus } from '../sync/engine';
import { useStore } from '../store';
import { roleLabel, type Grant } from '../types';

const RETURN_KEY = 'scc.returnTo';

/** Where to go after signing in (the page that asked for it). */
export function rememberReturn(path: string): void {
  try {
    if (path && path !== '/signin') sessionStorage.setItem(RETURN_KEY, path);
  } catch {
    /* ignore */
  }
}

function peekReturn(): string | null {
  try {
    const to = sessionStorage.getItem(RETURN_KEY);
    if (to && to.startsWith('/') && !to.startsWith('//')) return to;
  } catch {
    /* ignore */
  }
  return null;
}

/** Where to go now: the page that asked for sign-in, else the role's home (Reports for executives). */
function takeReturn(role?: string): string {
  const to = peekReturn();
  try {
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    /* ignore */
  }
  return to && to !== '/' ? to : homeFor(role ?? sessions.get()?.role);
}

/** The org a remembered link names (`/events/<id>?org=<org>`), if the person is a member of it. */
function linkedOrg(memberships: Grant['memberships']): string | null {
  const to = peekReturn();
  if (!to) return null;
  const org = new URL(to, 'http://app.invalid').searchParams.get('org');
  return org && memberships.some((m) => m.org_id === org) ? org : null;
}

/** Reads (and removes from the address bar) a link token, so it is not left in history. */
function takeHashToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m?.[1]) return null;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** `abcd efgh`, `ABCD-EFGH`: the server normalises too; this only tidies what is shown. */
export function tidyCode(raw: string): string {
  const chars = raw.toUpperCase().replace(/[^0-9A-Z]/g, '').slice(0, 8);
  return chars.length > 4 ? `${chars.slice(0, 4)}-${chars.slice(4)}` : chars;
}

type Step = 'email' | 'sent' | 'code' | 'link' | 'choose';

export function SignIn() {
  useTitle('Sign in');
  const sync = useStore(syncStatus);
  const expired = sessions.expired();
  const [token, setToken] = useState(takeHashToken);
  const [step, setStep] = useState<Step>(token ? 'link' : 'email');
  // A link opened in this same tab changes only the hash: no new page load.
  useEffect(() => {
    const onHash = () => {
      const t = takeHashToken();
      if (t) {
        setToken(t);
        setError(null);
        setStep('link');
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const [email, setEmail] = useState(expired?.email ?? '');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [grant, setGrant] = useState<Grant | null>(null);

  const finish = (g: Grant) => {
    sessions.signIn(g);
    // Ask which org only when it matters: not for a link that names its org (the app switches
    // to it), nor for an executive everywhere (their summary spans every org; Reports can switch).
    if (g.memberships.length > 1 && !linkedOrg(g.memberships) && !onlyExecutive(g.memberships)) {
      setGrant(g);
      setStep('choose');
    } else {
      navigate(takeReturn(g.role), { replace: true });
    }
  };

  const requestLink = async (e?: Event) => {
    e?.preventDefault();
    setError(null);
    const address = email.trim();
    if (!address || !address.includes('@')) {
      setError('Enter the email address your office has for you.');
      return;
    }
    setBusy(true);
    try {
      await api.requestLink(address);
      setEmail(address);
      setStep('sent');
    } catch (err) {
      setError(api.describe(err));
    } finally {
      setBusy(false);
    }
  };

  const exchangeToken = async () => {
    if (!token) return;
    setError(null);
    setBusy(true);
    try {
      finish(await api.exchange({ token }));
    } catch (err) {
      setError(
        err instanceof api.ApiError && err.status === 401
          ? 'This sign-in link has expired or was already used. Ask for a new one below.'
          : api.describe(err),
      );
      if (err instanceof api.ApiError && err.status === 401) setStep('email');
    } finally {
      setBusy(false);
    }
  };

  const exchangeCode = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const typed = code.replace(/[^0-9A-Za-z]/g, '');
    if (!email.trim()) {
      setError('Enter your email address.');
      return;
    }
    if (typed.length !== 8) {
      setError('The code has 8 characters, like ABCD-EFGH.');
      return;
    }
    setBusy(true);
    try {
      finish(await api.exchange({ email: email.trim(), code: typed }));
    } catch (err) {
      setError(
        err instanceof api.ApiError && err.status === 401
          ? 'That code is wrong, expired or already used. Check the latest email, or ask for a new one.'
          : api.describe(err),
      );
    } finally {
      setBusy(false);
    }
  };

  const waiting = sync.pending + sync.pendingElsewhere;

  return (
    <div class="narrow">
      <PageTitle>Sign in</PageTitle>
      {expired?.reason === 'expired' && step !== 'choose' && (
        <Notice kind="warn">Your session has ended. Sign in again to carry on.</Notice>
      )}
      {waiting > 0 && step !== 'choose' && (
        <Notice kind="warn" live>
          {waiting === 1
            ? '1 change is waiting on this phone. It syncs as soon as you sign in again.'
            : `${waiting} changes are waiting on this phone. They sync as soon as you sign in again.`}
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}

      {step === 'link' && (
        <section class="card">
          <p>You opened a sign-in link. Press the button to finish signing in on this device.</p>
          <button type="button" class="btn btn-primary btn-block" disabled={busy} onClick={exchangeToken}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <p class="small">
            Not you, or want a different address?{' '}
            <button type="button" class="link-button" onClick={() => setStep('email')}>
              Use another email
            </button>
          </p>
        </section>
      )}

      {step === 'email' && (
        <form class="card" onSubmit={requestLink} noValidate>
          <p>We'll email you a sign-in link and a code. No password needed.</p>
          <Field id="signin-email" label="Email address">
            <input
              id="signin-email"
              type="email"
              name="email"
              autoComplete="email"
              inputMode="email"
              autoCapitalize="none"
              spellcheck={false}
              required
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
          </Field>
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Sending…' : 'Email me a sign-in link'}
          </button>
          <p class="small">
            Already have a code?{' '}
            <button type="button" class="link-button" onClick={() => setStep('code')}>
              Enter the code
            </button>
          </p>
        </form>
      )}

      {step === 'sent' && (
        <section class="card" aria-labelledby="sent-title">
          <h2 id="sent-title">Check your email</h2>
          <p role="status">
            If <strong>{email}</strong> may sign in, a link and a code are on their way. Open the link on this phone,
            or type the code below. Both work once, for 10 minutes.
          </p>
          <CodeForm email={email} code={code} setCode={setCode} busy={busy} onSubmit={exchangeCode} fixedEmail />
          <div class="row">
            <button type="button" class="btn btn-secondary" disabled={busy} onClick={() => void requestLink()}>
              Send a new link
            </button>
            <button type="button" class="btn btn-secondary" onClick={() => setStep('email')}>
              Different email
            </button>
          </div>
        </section>
      )}

      {step === 'code' && (
        <section class="card" aria-labelledby="code-title">
          <h2 id="code-title">Enter your code</h2>
          <p>Type the email address and the 8-character code from your sign-in email.</p>
          <Field id="code-email" label="Email address">
            <input
              id="code-email"
              type="email"
              autoComplete="email"
              inputMode="email"
              autoCapitalize="none"
              spellcheck={false}
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
          </Field>
          <CodeForm email={email} code={code} setCode={setCode} busy={busy} onSubmit={exchangeCode} />
          <p class="small">
            No code yet?{' '}
            <button type="button" class="link-button" onClick={() => setStep('email')}>
              Email me a link
            </button>
          </p>
        </section>
      )}

      {step === 'choose' && grant && <ChooseOrg grant={grant} onDone={() => navigate(takeReturn(), { replace: true })} />}

      {isLocal() && step !== 'choose' && (
        <p class="dev-link">
          Local mode: sign-in emails are not sent.{' '}
          <a href="/dev/outbox" target="_blank" rel="noopener">
            Open the local outbox
          </a>
        </p>
      )}
    </div>
  );
}

function CodeForm({
  email,
  code,
  setCode,
  busy,
  onSubmit,
  fixedEmail = false,
}: {
  email: string;
  code: string;
  setCode: (c: string) => void;
  busy: boolean;
  onSubmit: (e: Event) => void;
  fixedEmail?: boolean;
}) {
  const hint = fixedEmail ? `From the email sent to ${email}` : 'Like ABCD-EFGH';
  return (
    <form onSubmit={onSubmit} noValidate>
      <Field id="signin-code" label="Sign-in code" hint={hint}>
        <input
          id="signin-code"
          class="code-input"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellcheck={false}
          inputMode="text"
          maxLength={9}
          aria-describedby={describedBy('signin-code', hint)}
          value={code}
          onInput={(e) => setCode(tidyCode((e.target as HTMLInputElement).value))}
        />
      </Field>
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in with code'}
      </button>
    </form>
  );
}

/** Someone in several orgs picks which one to open (they can switch later under Account). */
export function ChooseOrg({ grant, onDone }: { grant: Grant; onDone: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const pick = async (orgId: string) => {
    if (orgId === grant.org.id) {
      onDone();
      return;
    }
    setBusy(orgId);
    setError(null);
    try {
      sessions.signIn(await api.switchOrg(orgId));
      onDone();
    } catch (e) {
      setError(api.describe(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section class="card" aria-labelledby="choose-title">
      <h2 id="choose-title">Which org?</h2>
      <p>You're signed in as {grant.email}, who works for more than one org.</p>
      {error && <Notice kind="error">{error}</Notice>}
      <ul class="plain stack">
        {grant.memberships.map((m, i) => (
          <li key={m.org_id}>
            <button
              ref={i === 0 ? first : undefined}
              type="button"
              class={`btn btn-block ${m.org_id === grant.org.id ? 'btn-primary' : 'btn-secondary'}`}
              disabled={busy !== null}
              onClick={() => void pick(m.org_id)}
            >
              {busy === m.org_id ? 'Switching…' : `${m.org_name} (${roleLabel(m.role)})`}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
