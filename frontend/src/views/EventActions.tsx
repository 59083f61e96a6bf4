// The captain's moments on the event screen that deserve a pause: marking departed (issue 17,
// item 2: how early it is and which safety tasks are still open, said before the confirm) and
// signing the checklist off after the return (item 4: what is still open, confirmed). Both are two
// taps a double tap cannot make, and both answer where they were tapped: a 409 from the server
// shows its own list in place and asks for the confirm again.

import { useState } from 'preact/hooks';
import * as api from '../api';
import { ConfirmButton, Notice } from '../components';
import { earlyWords, tasksOfProblem, type NamedTask } from '../nextup';
import { formatTime, instant } from '../time';
import type { EventView, SignOff } from '../types';

/** A list of tasks by title, the safety-critical ones marked. */
function TaskList({ tasks, label }: { tasks: Array<NamedTask & { safety_critical?: boolean }>; label: string }) {
  return (
    <ul class="open-tasks" aria-label={label}>
      {tasks.map((t) => (
        <li key={t.id}>
          {t.title}
          {t.safety_critical ? <span class="open-safety"> (safety)</span> : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * "Mark departed" for the captain or the office. Armed, it says how early this is (15 minutes or
 * more before the scheduled time) and lists the safety-critical tasks still open; the confirm
 * sends their ids. A 409 `/problems/open-safety-tasks` shows the server's list and arms again.
 */
export function DepartAction({
  ev,
  now,
  waiting,
  onDeparted,
}: {
  ev: EventView;
  now: number;
  /** Ticked on this phone and still waiting to sync. */
  waiting: (taskId: string) => boolean;
  onDeparted: (next: EventView) => void;
}) {
  const [serverList, setServerList] = useState<NamedTask[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const check = ev.departure_check;
  // The server's list when it refused the last try, else the one the event came with.
  const open: NamedTask[] = serverList ?? (check?.open_safety_tasks ?? []).map((t) => ({ id: t.id, title: t.title }));
  const early = earlyWords(Math.floor((instant(ev.departs_at.at) - now) / 60_000));
  const depart = async () => {
    setError(null);
    try {
      // A server without the departure check (no `departure_check` in the view) takes no body.
      const next =
        check === undefined && serverList === null
          ? await api.markDeparted(ev.id)
          : await api.departConfirmed(ev.id, open.map((t) => t.id));
      setServerList(null);
      onDeparted(next);
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 409 && e.problem?.type?.endsWith('/open-safety-tasks')) {
        setServerList(tasksOfProblem(e.problem.errors));
        return;
      }
      setError(api.describe(e));
    }
  };
  const details = (
    <div class="depart-check" role="group" aria-label="Before you mark it departed">
      {early && <p class="depart-early">{`This is ${early}.`}</p>}
      {open.length > 0 ? (
        <>
          <p class="depart-open-title">
            {open.length === 1 ? '1 safety task is still open:' : `${open.length} safety tasks are still open:`}
          </p>
          <ul class="open-tasks" aria-label="Open safety tasks">
            {open.map((t) => (
              <li key={t.id}>
                {t.title}
                {waiting(t.id) ? <span class="open-safety"> (ticked on this phone, waiting to sync)</span> : null}
              </li>
            ))}
          </ul>
          <p class="small">Confirming records that you departed with these open.</p>
        </>
      ) : (
        <p class="small">Every safety task due before departure is done.</p>
      )}
    </div>
  );
  return (
    <div class="depart-action">
      <ConfirmButton
        key={serverList ? serverList.map((t) => t.id).join(',') : 'first'}
        label="Mark departed"
        confirmLabel="Yes, we've departed"
        guardMs={800}
        notice={
          serverList && (
            <Notice kind="warn" live>
              Not departed yet: the server has {serverList.length === 1 ? 'this safety task' : 'these safety tasks'} still open.
              Check the list and confirm again.
            </Notice>
          )
        }
        details={details}
        armedNow={serverList !== null}
        onConfirm={depart}
      />
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

/**
 * The sign-off of the checklist after the return (issue 17, item 4). The event's captain signs
 * with what is still open listed and confirmed; everyone else sees where it stands. Once signed
 * the checklist is closed: who and when, and what was open then.
 */
export function SignOffPanel({
  ev,
  signOff,
  zone,
  names,
  isCaptain,
  onSigned,
}: {
  ev: EventView;
  signOff: SignOff;
  zone: string;
  names: Map<string, string>;
  isCaptain: boolean;
  onSigned: (next: EventView) => void;
}) {
  const [serverList, setServerList] = useState<NamedTask[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (signOff.status === 'not_yet') return null;
  const open: Array<NamedTask & { safety_critical?: boolean }> = serverList ?? signOff.open_tasks;
  if (signOff.status === 'signed') {
    const who = signOff.by ? (names.get(signOff.by) ?? signOff.by) : 'the captain';
    const at = signOff.at ? ` at ${formatTime(instant(signOff.at), zone)}` : '';
    return (
      <section class="panel signoff signed" aria-labelledby="signoff-title">
        <h2 id="signoff-title" class="signoff-headline">
          Signed off by {who}
          {at}
        </h2>
        <p class="small">The checklist is closed: tasks can no longer be ticked.</p>
        {signOff.open_tasks.length > 0 && (
          <>
            <p class="depart-open-title">Open when signed:</p>
            <TaskList tasks={signOff.open_tasks} label="Open when signed" />
          </>
        )}
      </section>
    );
  }
  const sign = async () => {
    setError(null);
    try {
      const next = await api.signOff(ev.id, open.map((t) => t.id));
      setServerList(null);
      onSigned(next);
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 409 && e.problem?.type?.endsWith('/open-tasks-changed')) {
        setServerList(tasksOfProblem(e.problem.errors));
        return;
      }
      setError(api.describe(e));
    }
  };
  return (
    <section class="panel signoff" aria-labelledby="signoff-title">
      <h2 id="signoff-title">Sign off the checklist</h2>
      {open.length > 0 ? (
        <>
          <p class="depart-open-title">{open.length === 1 ? '1 task is still open:' : `${open.length} tasks are still open:`}</p>
          <TaskList tasks={open} label="Still open" />
        </>
      ) : (
        <p>Every task is done.</p>
      )}
      {isCaptain ? (
        <>
          {serverList && (
            <Notice kind="warn" live>
              The open tasks changed since you looked. Check the list and confirm again.
            </Notice>
          )}
          <div class="actions">
            <ConfirmButton
              key={serverList ? serverList.map((t) => t.id).join(',') : 'first'}
              label="Sign off the checklist"
              confirmLabel="Yes, sign it off"
              guardMs={800}
              details={<p class="small">Once signed, nobody can tick or untick tasks of this event.</p>}
              armedNow={serverList !== null}
              onConfirm={sign}
            />
          </div>
          {error && <Notice kind="error">{error}</Notice>}
        </>
      ) : (
        <p class="small">Waiting for the captain to sign it off.</p>
      )}
    </section>
  );
}
