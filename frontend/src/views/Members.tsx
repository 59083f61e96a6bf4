// The org's members (admin): invite someone (they get a sign-in email), change a role (which
// signs them out of this org at once), remove someone.

import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { ConfirmButton, Field, Loading, Notice, PageTitle, describedBy } from '../components';
import { useTitle } from '../hooks';
import type { Session } from '../session';
import { formatDay, instant } from '../time';
import { roleLabel, type MemberView, type Role } from '../types';

const ROLES: Role[] = ['crew', 'captain', 'admin', 'executive'];

export function Members({ session }: { session: Session }) {
  useTitle('Members');
  const zone = session.org.zone ?? 'America/Los_Angeles';
  const [members, setMembers] = useState<MemberView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = async () => {
    try {
      setMembers(await api.members());
      setError(null);
    } catch (e) {
      setError(api.describe(e));
    }
  };
  useEffect(() => {
    void load();
  }, [session.org.id]);

  if (session.role !== 'admin') return <Notice kind="error">Only an admin can manage members.</Notice>;

  return (
    <div class="narrow">
      <PageTitle>Members</PageTitle>
      <p class="subtle">
        {session.org.name} · <a href="/admin/org">Org settings</a> · <a href="/admin/vessels">Vessels</a>
      </p>
      {message && (
        <Notice kind="ok" live>
          {message}
        </Notice>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <Invite
        onInvited={(m) => {
          setMessage(`Invited ${m.name || m.email} as ${roleLabel(m.role).toLowerCase()}. They got a sign-in email.`);
          void load();
        }}
      />
      <section aria-labelledby="members-title">
        <h2 id="members-title">Everyone in {session.org.name}</h2>
        {members === null && !error && <Loading what="members" />}
        {members && (
          <ul class="plain cards">
            {members.map((m) => (
              <MemberRow
                key={m.email}
                member={m}
                self={m.email === session.email}
                zone={zone}
                onChanged={(text) => {
                  setMessage(text);
                  setError(null);
                  void load();
                }}
                onError={(text) => {
                  setError(text);
                  setMessage(null);
                }}
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function MemberRow({
  member,
  self,
  zone,
  onChanged,
  onError,
}: {
  member: MemberView;
  self: boolean;
  zone: string;
  onChanged: (message: string) => void;
  onError: (message: string) => void;
}) {
  const [role, setRole] = useState<string>(member.role);
  const [busy, setBusy] = useState(false);
  useEffect(() => setRole(member.role), [member.role]);
  const sid = `role-${member.email.replace(/[^a-z0-9]/gi, '-')}`;
  const save = async () => {
    setBusy(true);
    try {
      await api.editMember(member.email, { role });
      onChanged(`${member.name || member.email} is now ${roleLabel(role).toLowerCase()}. They were signed out of this org and sign in again with their new role.`);
    } catch (e) {
      onError(api.describe(e));
      setRole(member.role);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await api.removeMember(member.email);
      onChanged(`${member.name || member.email} was removed. Their sessions for this org stopped working.`);
    } catch (e) {
      onError(api.describe(e));
    }
  };
  return (
    <li class="member">
      <div class="member-head">
        <span class="crew-name">
          {member.name || member.email}
          {self ? ' (you)' : ''}
        </span>
        <span class="crew-email">{member.email}</span>
        <span class="small">Member since {formatDay(instant(member.added_at), zone)}</span>
      </div>
      <div class="member-actions">
        <label for={sid} class="visually-hidden">
          Role of {member.name || member.email}
        </label>
        <select id={sid} value={role} disabled={busy} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
        {role !== member.role && (
          <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void save()}>
            {busy ? 'Saving…' : 'Save role'}
          </button>
        )}
        <ConfirmButton danger label="Remove" confirmLabel={`Remove ${member.name || 'them'}`} onConfirm={remove} />
      </div>
    </li>
  );
}

function Invite({ onInvited }: { onInvited: (m: MemberView) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('crew');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    if (!email.trim().includes('@')) {
      setErrors({ email: 'Type their email address.' });
      return;
    }
    setBusy(true);
    try {
      const m = await api.addMember({ email: email.trim(), name: name.trim(), role });
      setEmail('');
      setName('');
      setRole('crew');
      onInvited(m);
    } catch (err) {
      if (err instanceof api.ApiError && err.problem?.errors?.length) {
        const byField: Record<string, string> = {};
        for (const f of err.problem.errors) byField[f.field || 'name'] = f.message;
        setErrors(byField);
      } else if (err instanceof api.ApiError && err.status === 409) {
        setErrors({ email: 'Already a member of this org.' });
      } else {
        setError(api.describe(err));
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      {error && <Notice kind="error">{error}</Notice>}
      <Field id="inv-email" label="Email address" error={errors.email}>
        <input
          id="inv-email"
          type="email"
          autoComplete="off"
          autoCapitalize="none"
          spellcheck={false}
          value={email}
          aria-invalid={!!errors.email}
          aria-describedby={describedBy('inv-email', undefined, errors.email)}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
      </Field>
      <Field id="inv-name" label="Name" error={errors.name}>
        <input
          id="inv-name"
          autoComplete="off"
          value={name}
          aria-invalid={!!errors.name}
          aria-describedby={describedBy('inv-name', undefined, errors.name)}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </Field>
      <Field id="inv-role" label="Role" error={errors.role}>
        <select id="inv-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {busy ? 'Inviting…' : 'Send invitation'}
      </button>
    </form>
  );
}
