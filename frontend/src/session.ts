// Who is signed in, kept in localStorage (one per browser; every tab sees the same session).

import type { Grant, Me, MembershipView } from './types';

export interface Session {
  token: string;
  expiresAt: string;
  email: string;
  org: { id: string; name: string; zone?: string };
  role: string;
  memberships: MembershipView[];
}

/** A session that stopped working (401): kept apart so sign-in can offer the same address. */
export interface Expired {
  email: string;
  reason: 'expired' | 'signed_out';
}

const KEY = 'scc.session';
const EXPIRED_KEY = 'scc.expired';

type Listener = () => void;

export class SessionStore {
  private current: Session | null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | null = typeof localStorage === 'undefined' ? null : localStorage) {
    this.current = this.read();
    if (typeof window !== 'undefined') {
      // Another tab signed in, switched org or signed out.
      window.addEventListener('storage', (e) => {
        if (e.key === KEY || e.key === EXPIRED_KEY || e.key === null) {
          this.current = this.read();
          this.emit();
        }
      });
    }
  }

  private read(): Session | null {
    try {
      const raw = this.storage?.getItem(KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as Session;
      if (!s.token || !s.email || !s.org?.id) return null;
      if (Date.parse(s.expiresAt) <= Date.now()) return null;
      return s;
    } catch {
      return null;
    }
  }

  private write(s: Session | null): void {
    try {
      if (s) this.storage?.setItem(KEY, JSON.stringify(s));
      else this.storage?.removeItem(KEY);
    } catch {
      /* private mode without storage: the session lives in memory only */
    }
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get(): Session | null {
    if (this.current && Date.parse(this.current.expiresAt) <= Date.now()) {
      this.expire();
    }
    return this.current;
  }

  /** Starts a session from an exchange or switch answer. */
  signIn(grant: Grant): Session {
    const previous = this.current;
    const s: Session = {
      token: grant.token,
      expiresAt: grant.expires_at,
      email: grant.email,
      org: {
        id: grant.org.id,
        name: grant.org.name,
        // The grant names the zone; an older server's grant did not, so keep the one we knew.
        ...(grant.org.zone
          ? { zone: grant.org.zone }
          : previous?.org.id === grant.org.id && previous.org.zone
            ? { zone: previous.org.zone }
            : {}),
      },
      role: grant.role,
      memberships: grant.memberships,
    };
    this.current = s;
    this.write(s);
    try {
      this.storage?.removeItem(EXPIRED_KEY);
    } catch {
      /* ignore */
    }
    this.emit();
    return s;
  }

  /** Refreshes what /api/me says (zone, role, memberships) for the same token. */
  update(me: Me): void {
    const s = this.current;
    if (!s || s.email !== me.email || s.org.id !== me.org.id) return;
    const next: Session = {
      ...s,
      role: me.role,
      org: { id: me.org.id, name: me.org.name, zone: me.org.zone },
      memberships: me.memberships,
    };
    if (JSON.stringify(next) === JSON.stringify(s)) return;
    this.current = next;
    this.write(next);
    this.emit();
  }

  /** The org's settings changed (an admin saved them): its name and zone, same token. */
  patchOrg(org: { id: string; name: string; zone: string }): void {
    const s = this.current;
    if (!s || s.org.id !== org.id) return;
    const next: Session = {
      ...s,
      org: { id: org.id, name: org.name, zone: org.zone },
      memberships: s.memberships.map((m) => (m.org_id === org.id ? { ...m, org_name: org.name } : m)),
    };
    if (JSON.stringify(next) === JSON.stringify(s)) return;
    this.current = next;
    this.write(next);
    this.emit();
  }

  /** The server said 401: the token is dead (expired, revoked, role changed). */
  expire(): void {
    const s = this.current;
    if (!s) return;
    this.current = null;
    this.write(null);
    try {
      this.storage?.setItem(EXPIRED_KEY, JSON.stringify({ email: s.email, reason: 'expired' } satisfies Expired));
    } catch {
      /* ignore */
    }
    this.emit();
  }

  /** Signed out on purpose. */
  clear(): void {
    const s = this.current;
    this.current = null;
    this.write(null);
    try {
      if (s) this.storage?.setItem(EXPIRED_KEY, JSON.stringify({ email: s.email, reason: 'signed_out' } satisfies Expired));
    } catch {
      /* ignore */
    }
    this.emit();
  }

  expired(): Expired | null {
    try {
      const raw = this.storage?.getItem(EXPIRED_KEY);
      return raw ? (JSON.parse(raw) as Expired) : null;
    } catch {
      return null;
    }
  }
}

export const sessions = new SessionStore();

/** What someone in this role may do. */
export function can(session: Session | null) {
  const role = session?.role;
  return {
    admin: role === 'admin',
    tick: role === 'crew' || role === 'captain' || role === 'admin',
    seesAll: role === 'admin' || role === 'executive',
    /** Weekly reports: executives and admins. */
    reports: role === 'admin' || role === 'executive',
  };
}

/** Where someone lands after signing in: an executive (no crew events of their own) on Reports. */
export function homeFor(role: string | undefined): string {
  return role === 'executive' ? '/reports' : '/';
}

/** Executive in every org they belong to: they read reports, and the summary spans all orgs. */
export function onlyExecutive(memberships: MembershipView[]): boolean {
  return memberships.length > 0 && memberships.every((m) => m.role === 'executive');
}
