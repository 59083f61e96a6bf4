// The event screen: the timing panel (a clock in the org's zone, departure and return, sunset and
// civil dusk, every task on one timeline with its countdown and state), the checklist by phase
// with tap-to-tick (optimistic, queued, works offline), the captain's departed/returned, the crew
// and the notes. Refreshes itself with conditional reads (ETag) every 15 s while visible. An event
// out past its return (plus the org's grace) carries a red overdue banner at the top, which an
// admin acknowledges; the float plan is a tap away, and ticking its task says whom it reached.
// A tick may carry a note and up to 3 photos, made ready in a small panel under the task; a task
// shows the note and photos of the tick that set it, and so does its line in the history.

import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { loadEvent, saveEvent, type Scope } from '../cache';
import { ConfirmButton, Loading, Notice, PageTitle, StatusBadge } from '../components';
import { useNow, useTitle, useVisible } from '../hooks';
import { navigate } from '../router';
import { can, sessions, type Session } from '../session';
import { useStore } from '../store';
import { dismissRejected, onSynced, recordTick, syncStatus } from '../sync/engine';
import { InvalidTick, overlay, type TickOp } from '../sync/queue';
import { attachmentWords, checkNote, photoCount } from '../photos';
import { LOCKED_HINT, mayTick, taskOwner } from '../roles';
import { countdownLine, countdownSub, listWords, nextTask, rowLine, span, type RowLine } from '../nextup';
import { DepartAction, SignOffPanel } from './EventActions';
import { Attachments, hasContent, PhotoViewer, TaskPanel, useDrafts, type Draft, type ShownPhoto } from './TaskExtras';
import {
  addDays,
  countdown,
  formatDateTime,
  formatDay,
  formatTime,
  instant,
  localDate,
  serverClock,
  taskStatus,
  zoneAbbreviation,
} from '../time';
import {
  kindLabel,
  type AuditEntry,
  type ChecklistTask,
  type EventView,
  type NudgeRecord,
  type PhotoUrls,
  type TaskStatus,
} from '../types';
import { captainTitle, carriesPassengers, crewShortage, headcountLine, passengerCount, passengersOf } from '../vessels';
import {
  FLOAT_PLAN_TASK,
  hasFloatPlan,
  mayAcknowledge,
  overdueBanner,
  overdueOf,
  sendNote,
  type OverdueState,
  type SendNote,
} from '../safety';

export const POLL_MS = 15_000;
/** The line a captain's task points to for someone who may not tick it. */
const LOCKED_HINT_ID = 'tasks-locked-hint';

type TaskView = 'timeline' | 'checklist';
const VIEW_KEY = 'scc.taskView';

function readView(): TaskView {
  try {
    return localStorage.getItem(VIEW_KEY) === 'checklist' ? 'checklist' : 'timeline';
  } catch {
    return 'timeline';
  }
}

/** The event with one task's state replaced (after a tick is confirmed by the server). */
export function withTask(ev: EventView, taskId: string, done: boolean, by: string | null, at: string | null): EventView {
  let delta = 0;
  const phases = ev.checklist.phases.map((p) => ({
    ...p,
    tasks: p.tasks.map((t) => {
      if (t.id !== taskId) return t;
      if (t.done !== done) delta += done ? 1 : -1;
      return { ...t, done, done_by: done ? by : null, done_at: done ? at : null };
    }),
  }));
  const tasks = ev.timing.tasks.map((t) =>
    t.id === taskId ? { ...t, done_by: done ? by : null, done_at: done ? at : null, status: (done ? 'done' : t.status) as TaskStatus } : t,
  );
  return {
    ...ev,
    checklist: { ...ev.checklist, phases, done: ev.checklist.done + delta },
    timing: { ...ev.timing, tasks },
  };
}

export function EventScreen({ id, session }: { id: string; session: Session }) {
  const scope: Scope = { email: session.email, org: session.org.id };
  const rights = can(session);
  const now = useNow();
  const visible = useVisible();
  const sync = useStore(syncStatus);
  const [data, setData] = useState<EventView | null>(null);
  const etag = useRef<string | undefined>(undefined);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [offline, setOffline] = useState(false);
  const [notFound, setNotFound] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A command's failure, shown where it was tapped (the departed/returned buttons, Manage, the banner).
  const [commandError, setCommandError] = useState<{ where: 'move' | 'manage' | 'overdue'; text: string } | null>(null);
  // What became of each task's last tap, shown on its row: saved by the server, or not kept at all
  // (`at` on the server's clock, as `now` is).
  const [results, setResults] = useState<Record<string, { kind: 'saved' | 'error'; text: string; at: number }>>({});
  // The task last ticked from the top of the screen: its fate shows there too.
  const [topTick, setTopTick] = useState<{ id: string; title: string; at: number } | null>(null);
  // A tick between the tap and its write to the queue (a few ms); then the queue's overlay shows it.
  const [local, setLocal] = useState<Record<string, boolean>>({});
  // What the last tick of the float-plan task mailed, shown next to that task.
  const [floatSent, setFloatSent] = useState<{ taskId: string; note: SendNote } | null>(null);
  const [view, setView] = useState<TaskView>(readView);
  // The note and photos being made ready for each task's next tick, and whose panel is open.
  const drafts = useDrafts();
  const [panelFor, setPanelFor] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ src: string | Blob; alt: string } | null>(null);
  const open = (photo: ShownPhoto, alt: string) => setViewing({ src: photo.full, alt });
  const chooseView = (v: TaskView) => {
    setView(v);
    try {
      localStorage.setItem(VIEW_KEY, v);
    } catch {
      /* not kept */
    }
  };
  useTitle(data?.title ?? (notFound ? 'Not found' : 'Event'));

  const accept = useCallback(
    (ev: EventView, tag: string, live: boolean) => {
      etag.current = tag;
      setData(ev);
      setNotFound(false);
      if (live) {
        serverClock.observe(ev.timing.now.at);
        setSavedAt(Date.now());
        setOffline(false);
        void saveEvent(scope, ev, tag);
      }
    },
    [session.email, session.org.id],
  );

  const refresh = useCallback(async () => {
    try {
      const got = await api.getEvent(id, etag.current);
      if (got.status === 200) accept(got.event, got.etag, true);
      else {
        setOffline(false);
        setSavedAt(Date.now());
      }
      setError(null);
    } catch (e) {
      if (e instanceof api.OfflineError) {
        setOffline(true);
      } else if (e instanceof api.ApiError && e.status === 404) {
        setNotFound(true);
        setData(null);
      } else if (!(e instanceof api.ApiError && e.status === 401)) {
        setError(api.describe(e));
      }
    }
  }, [id, accept]);

  // First the copy saved on this phone (instant, and all there is offline), then the server's.
  useEffect(() => {
    let live = true;
    void loadEvent(scope, id).then(async (snap) => {
      if (live && snap && !etag.current) {
        accept(snap.data, snap.etag ?? '', false);
        setSavedAt(snap.savedAt);
      }
      if (live) await refresh();
    });
    return () => {
      live = false;
    };
  }, [id, refresh]);

  // Conditional polling while the page is visible; at once when it comes back or goes online.
  const wasVisible = useRef(visible);
  useEffect(() => {
    const cameBack = visible && !wasVisible.current;
    wasVisible.current = visible;
    if (!visible) return;
    if (cameBack) void refresh();
    const t = setInterval(() => void refresh(), POLL_MS);
    const online = () => void refresh();
    window.addEventListener('online', online);
    return () => {
      clearInterval(t);
      window.removeEventListener('online', online);
    };
  }, [visible, refresh]);

  // A queued tick reached the server: show its result now, re-read soon.
  useEffect(
    () =>
      onSynced((op, result) => {
        if (op.eventId !== id) return;
        setData((ev) => (ev ? withTask(ev, result.task_id, result.done, result.by, result.at) : ev));
        setResults((r) => ({
          ...r,
          [result.task_id]: { kind: 'saved', text: result.done ? 'Saved' : 'Untick saved', at: serverClock.now() },
        }));
        if (result.float_plan) setFloatSent({ taskId: result.task_id, note: sendNote(result.float_plan, 'tick') });
        setTimeout(() => void refresh(), 300);
      }),
    [id, refresh],
  );

  const pendingByTask = useMemo(() => overlay(sync.ops, id), [sync.ops, id]);

  if (notFound) return <NotFoundEvent session={session} onRetry={() => void refresh()} />;
  if (!data) {
    if (offline) {
      return (
        <div>
          <PageTitle>Event</PageTitle>
          <Notice kind="warn">You're offline, and this event hasn't been opened on this phone yet. It opens once you have signal.</Notice>
          <p>
            <a href="/">Back to my events</a>
          </p>
        </div>
      );
    }
    if (error) return <Notice kind="error">{error}</Notice>;
    return <Loading what="the event" />;
  }

  const ev = data;
  const zone = ev.timing.zone;
  const serverDone = new Map<string, ChecklistTask>();
  for (const p of ev.checklist.phases) for (const t of p.tasks) serverDone.set(t.id, t);
  const isDone = (taskId: string): boolean =>
    local[taskId] ?? pendingByTask.get(taskId)?.done ?? serverDone.get(taskId)?.done ?? false;
  const isPending = (taskId: string): boolean => pendingByTask.has(taskId) || local[taskId] !== undefined;
  // Every task with its due instant (the checklist carries it), in template order; the timing
  // panel's copy only adds why a task has no time (no sunset that day).
  const fromPanel = new Map(ev.timing.tasks.map((t) => [t.id, t]));
  const timing = ev.checklist.phases
    .flatMap((p) => p.tasks)
    .map((t) => {
      // A copy saved by an older app version has no `due` in the checklist: take the panel's.
      const due = t.due !== undefined ? t.due : fromPanel.get(t.id)?.due;
      const dueMs = due ? instant(due.at) : null;
      const done = isDone(t.id);
      // Not for this trip (a sunset task on a trip back before sunset): the server says so.
      const na = !done && (t as ChecklistTask & { not_applicable?: boolean }).not_applicable === true;
      return { task: t, note: fromPanel.get(t.id)?.note, dueMs, done, na, status: taskStatus(dueMs, done, now) };
    });
  const statusOf = new Map(timing.map((t) => [t.task.id, t]));
  const doneCount = timing.filter((t) => t.done).length;
  const countedTasks = timing.filter((t) => !t.na).length;
  // Signed off (issue 17, item 4): the checklist is closed for everyone, as on the server.
  const signOff = ev.sign_off ?? null;
  const signedOff = signOff?.status === 'signed';
  const canTick = rights.tick && ev.status !== 'cancelled' && !signedOff;
  // A captain's task is the event's captain's or the office's (the server refuses anyone else).
  const roleOf = new Map(timing.map((t) => [t.task.id, t.task.role]));
  const tickable = (taskId: string): boolean => canTick && mayTick(roleOf.get(taskId) ?? 'crew', ev.my_role, session.role);
  const someLocked = timing.some((t) => taskOwner(t.task.role, ev.my_role, session.role).locked);
  const leads = session.role === 'admin' || (session.role === 'captain' && ev.my_role === 'captain');
  const names = new Map(ev.crew.map((c) => [c.email, c.name ?? c.email]));
  const aboard = passengersOf(ev);
  const showPassengers = carriesPassengers(ev.kind) || aboard.count > 0;
  // The names and the number to call are for whoever answers for the party: the office, the captain.
  const seesManifest = session.role === 'admin' || session.role === 'captain';
  const short = ev.status === 'cancelled' || ev.status === 'completed' ? null : crewShortage(ev.crew.length, ev.crew_required);
  const titles = new Map(timing.map((t) => [t.task.id, t.task.title]));
  const overdueNow = ev.status === 'underway' ? overdueOf(ev) : null;

  const toggle = async (taskId: string, done: boolean) => {
    if (!tickable(taskId)) return;
    setResults(({ [taskId]: _, ...rest }) => rest);
    const waiting = drafts.get(taskId);
    const check = checkNote(waiting?.note ?? '');
    if (!check.ok) {
      // Not ticked: the panel says why, where the note is.
      setPanelFor(taskId);
      drafts.say(taskId, check.error);
      setLocal((l) => ({ ...l }));
      return;
    }
    if (floatSent?.taskId === taskId) setFloatSent(null);
    setLocal((l) => ({ ...l, [taskId]: done }));
    const settle = () =>
      setLocal((l) => {
        // A newer tap of the same task owns the entry now.
        if (l[taskId] !== done) return l;
        const { [taskId]: _, ...rest } = l;
        return rest;
      });
    // A photo still being scaled down goes with this tick: wait for it.
    const draft: Draft | undefined = hasContent(waiting) ? await drafts.ready(taskId) : undefined;
    try {
      // Resolves once the tick is in IndexedDB and the queue's overlay shows it.
      await recordTick(ev.id, taskId, done, draft ? { note: draft.note, photos: draft.photos } : {});
      if (draft) {
        drafts.sent(taskId, draft);
        setPanelFor((p) => (p === taskId ? null : p));
      }
      settle();
    } catch (e) {
      settle();
      if (e instanceof InvalidTick) {
        setPanelFor(taskId);
        drafts.say(taskId, e.message);
      } else {
        setResults((r) => ({
          ...r,
          [taskId]: { kind: 'error', text: `Not saved on this phone: ${api.describe(e)}`, at: serverClock.now() },
        }));
      }
    }
  };

  const command = async (what: 'returned' | 'cancel' | 'acknowledge') => {
    setCommandError(null);
    try {
      const next =
        what === 'returned'
          ? await api.markReturned(ev.id)
          : what === 'acknowledge'
            ? await api.acknowledgeOverdue(ev.id)
            : await api.cancelEvent(ev.id);
      accept(next, next.etag, true);
    } catch (e) {
      setCommandError({ where: what === 'returned' ? 'move' : what === 'cancel' ? 'manage' : 'overdue', text: api.describe(e) });
      void refresh();
    }
  };
  const errorAt = (where: 'move' | 'manage' | 'overdue') =>
    commandError?.where === where ? <Notice kind="error">{commandError.text}</Notice> : null;

  const today = localDate(now, zone);
  const dep = instant(ev.departs_at.at);
  const ret = instant(ev.returns_at.at);
  const sunset = ev.timing.sunset ? instant(ev.timing.sunset.at) : null;
  const dusk = ev.timing.civil_dusk ? instant(ev.timing.civil_dusk.at) : null;

  // Departure, return, sunset and dusk as markers among the tasks, all by instant.
  type Row = { kind: 'anchor'; at: number; label: string } | { kind: 'task'; at: number; i: number };
  const rows: Row[] = [
    { kind: 'anchor', at: dep, label: 'Departure' },
    { kind: 'anchor', at: ret, label: 'Return' },
    ...(sunset ? [{ kind: 'anchor' as const, at: sunset, label: 'Sunset' }] : []),
    ...(dusk ? [{ kind: 'anchor' as const, at: dusk, label: 'Civil dusk' }] : []),
    ...timing.map((t, i) => ({ kind: 'task' as const, at: t.dueMs ?? Number.POSITIVE_INFINITY, i })),
  ];
  rows.sort((a, b) => a.at - b.at || (a.kind === 'anchor' ? -1 : 1));

  /** A wall-clock time in the org's zone, with the day when it is not today. */
  const when = (ms: number) => {
    const day = localDate(ms, zone);
    if (day === today) return formatTime(ms, zone);
    return `${formatTime(ms, zone)} ${day === addDays(today, 1) ? 'tomorrow' : formatDay(ms, zone)}`;
  };
  const moments = {
    status: ev.status,
    departsMs: dep,
    returnsMs: ret,
    departedMs: ev.departed_at ? instant(ev.departed_at) : null,
    returnedMs: ev.returned_at ? instant(ev.returned_at) : null,
  };
  const headline = countdownLine(moments, now);
  const subline = countdownSub(moments, now, when);
  // The next open task of mine (crew: a crew task; the captain and the office: any), ticked right here.
  const mine = canTick
    ? nextTask(
        timing.map((t) => ({ ...t, id: t.task.id, role: t.task.role, done: t.done || t.na })),
        ev.my_role,
        session.role,
      )
    : undefined;
  const overdueMine = canTick
    ? timing.filter((t) => t.status === 'overdue' && !t.na && mayTick(t.task.role, ev.my_role, session.role)).length
    : 0;
  const mineLabel =
    ev.my_role === 'captain' || session.role === 'admin' ? 'Next open task' : 'Your next crew task';
  /** A done task's who and when, as the row says it. */
  const doneBy = (id: string) => {
    const server = serverDone.get(id);
    if (!server?.done) return undefined;
    return {
      by: server.done_by ? (names.get(server.done_by) ?? server.done_by) : null,
      atMs: server.done_at ? instant(server.done_at) : null,
    };
  };
  /** What became of the last tap on a task: waiting (online or not), saved, refused, not kept. */
  const fate = (taskId: string): { kind: 'wait' | 'saved' | 'error'; text: string } | null => {
    const refusedOp = sync.rejected.find((op) => op.eventId === ev.id && op.taskId === taskId);
    if (isPending(taskId)) {
      return { kind: 'wait', text: sync.online ? 'Waiting to sync' : 'Queued offline · waiting to sync' };
    }
    const r = results[taskId];
    if (r?.kind === 'error') return { kind: 'error', text: r.text };
    if (refusedOp) return { kind: 'error', text: `Refused: ${refusedOp.error ?? 'the server said no'}` };
    if (r?.kind === 'saved' && now - r.at < 10_000) return { kind: 'saved', text: r.text };
    return null;
  };

  /** One task: a big checkbox, its title, and when it is due and where it stands. */
  const renderTask = (id: string, title: string, role: string, safety: boolean) => {
    const t = statusOf.get(id);
    const done = isDone(id);
    const status: TaskStatus = t?.status ?? (done ? 'done' : 'unscheduled');
    const pending = isPending(id);
    const server = serverDone.get(id);
    const inputId = `task-${id}`;
    // Signed off, an open task is history: "not done", no longer counting up as overdue.
    const closedOpen = signedOff && !done;
    const line = t?.na
      ? { text: `not needed: back before ${t.task.anchor === 'civil_dusk' ? 'dusk' : 'sunset'}`, tone: 'plain' as const }
      : closedOpen
        ? { text: 'not done', tone: 'plain' as const }
        : rowLine(status, t?.dueMs, now, when, status === 'done' ? doneBy(id) : { note: t?.note });
    const result = fate(id);
    const headcount = headcountLine(server?.headcount);
    const isPlan = id === FLOAT_PLAN_TASK;
    const sentHere = floatSent?.taskId === id ? floatSent.note : null;
    const waitingOp = pendingByTask.get(id);
    const shown = shownAttachments(waitingOp, server);
    const mayTickThis = tickable(id);
    const owner = taskOwner(role, ev.my_role, session.role);
    // Ticks of this task the server refused for good (a 403 names the task): shown where they were made.
    const refused = sync.rejected.filter((op) => op.eventId === ev.id && op.taskId === id);
    const panelOpen = panelFor === id && mayTickThis;
    const draft = drafts.drafts[id];
    const drafted = hasContent(draft);
    const failed = !pending && result?.kind === 'error' && refused.length === 0 ? result.text : null;
    const after = isPlan || panelOpen || shown.note !== '' || shown.photos.length > 0 || refused.length > 0 || failed !== null;
    return (
      <li key={id} class={`task task-${t?.na ? 'na' : closedOpen ? 'closed' : status}${after ? ' has-after' : ''}${owner.locked ? ' task-locked' : ''}`}>
        <input
          id={inputId}
          type="checkbox"
          checked={done}
          disabled={!mayTickThis}
          aria-describedby={owner.locked ? LOCKED_HINT_ID : undefined}
          onChange={(e) => void toggle(id, (e.target as HTMLInputElement).checked)}
        />
        <TickMark />
        <label for={inputId}>
          <span class="task-title">
            {title}
            {safety && <span class="safety-word"> · Safety</span>}
          </span>
          {/* One state and one time (issue 17, item 6); whose it is only when it is the captain's. */}
          <span class="task-meta">
            <span class={`task-state tone-${line.tone}`}>{line.text}</span>
            {owner.chip && <span class={`tag tag-captain${owner.mine ? ' tag-mine' : ''}`}>{owner.chip}</span>}
          </span>
          {headcount && <span class="task-headcount">{headcount}</span>}
          {pending ? (
            <span class="task-sync">
              {result?.text ?? 'Waiting to sync'}
              {waitingOp?.photos?.length ? ` · ${photoCount(waitingOp.photos.length)}` : ''}
            </span>
          ) : (
            result?.kind === 'saved' && (
              <span class="task-result" role="status">
                ✓ {result.text}
              </span>
            )
          )}
        </label>
        {mayTickThis && (
          <button
            type="button"
            class={`task-extra${drafted ? ' has-draft' : ''}`}
            aria-expanded={panelOpen}
            aria-controls={panelOpen ? `panel-${id}` : undefined}
            aria-label={`${drafted ? 'Note or photo ready' : 'Add note or photo'} for “${title}”`}
            title="Add note or photo"
            onClick={() => setPanelFor((p) => (p === id ? null : id))}
          >
            <CameraIcon />
          </button>
        )}
        {failed && (
          <div class="task-after">
            <Notice kind="error">{failed}</Notice>
          </div>
        )}
        {refused.length > 0 && (
          <div class="task-after">
            {refused.map((op) => (
              <Notice key={op.seq} kind="error">
                Not saved: {op.done ? 'your tick' : 'your untick'} was refused. {readableInstants(op.error ?? '', zone)}{' '}
                <button type="button" class="link-button" onClick={() => void dismissRejected(op.seq ?? -1)}>
                  Dismiss
                </button>
              </Notice>
            ))}
          </div>
        )}
        {(shown.note !== '' || shown.photos.length > 0) && (
          <div class="task-after">
            <Attachments note={shown.note} photos={shown.photos} label={title} onOpen={open} />
          </div>
        )}
        {panelOpen && (
          <div class="task-after" id={`panel-${id}`}>
            <TaskPanel
              taskId={id}
              title={title}
              done={done}
              draft={draft}
              onNote={(note) => drafts.setNote(id, note)}
              onPick={(files) => drafts.pick(id, files)}
              onRemove={(key) => drafts.remove(id, key)}
              onTick={() => void toggle(id, !done)}
              onDiscard={() => {
                drafts.discard(id);
                setPanelFor(null);
              }}
              onOpen={open}
            />
          </div>
        )}
        {isPlan && (
          <div class="task-after">
            {sentHere && (
              <Notice kind={sentHere.kind} live>
                {sentHere.text}
              </Notice>
            )}
            <a class="btn btn-secondary btn-small" href={`/events/${ev.id}/float-plan`}>
              Open the float plan
            </a>
          </div>
        )}
      </li>
    );
  };

  return (
    <div class="event">
      <p class="back">
        <a href="/">← {rights.seesAll ? 'Events' : 'My events'}</a>
      </p>
      <div class="title-row">
        <PageTitle>{ev.title}</PageTitle>
        <StatusBadge status={ev.status} />
      </div>
      <p class="subtle">
        {kindLabel(ev.kind)} ·{' '}
        {ev.vessel_id ? <a href={`/admin/vessels#vessel-${ev.vessel_id}`}>{ev.vessel}</a> : ev.vessel}
        {ev.my_role ? ` · you are ${ev.my_role}` : ''}
      </p>
      {overdueNow && (
        <OverdueBanner
          overdue={overdueNow}
          zone={zone}
          now={now}
          eventId={ev.id}
          canAcknowledge={mayAcknowledge(session.role)}
          onAcknowledge={() => command('acknowledge')}
          error={errorAt('overdue')}
        />
      )}
      {offline && (
        <p class="stale" role="status">
          {savedAt ? `Copy from ${formatDateTime(savedAt, zone)}` : 'Saved copy'}: no connection to refresh it.
        </p>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {ev.status === 'cancelled' && <Notice kind="warn">This event is cancelled.</Notice>}

      {/* What do I do next (issue 17, item 6): the countdown, then my next open task, ticked here. */}
      <section class="panel nextup" aria-labelledby="nextup-countdown">
        <p id="nextup-countdown" class={`nextup-countdown${headline.late ? ' late' : ''}`} role="timer" aria-live="off">
          {headline.text}
        </p>
        {subline && <p class="nextup-sub">{subline}</p>}
        {canTick && (
          <div class="nextup-mine">
            <h2 class="nextup-label" id="nextup-label">
              {mineLabel}
              {overdueMine > 1 && <span class="nextup-overdue"> · {overdueMine} overdue</span>}
            </h2>
            {mine ? (
              <NextTaskRow
                key={mine.task.id}
                id={mine.task.id}
                title={mine.task.title}
                safety={mine.task.safety_critical}
                line={rowLine(mine.status, mine.dueMs, now, when, { note: mine.note })}
                status={mine.status}
                onTick={() => {
                  setTopTick({ id: mine.task.id, title: mine.task.title, at: serverClock.now() });
                  void toggle(mine.task.id, true);
                }}
              />
            ) : (
              <p class="nextup-none">{timing.length ? 'Nothing open for you. Well done.' : 'No tasks.'}</p>
            )}
            {topTick && (() => {
              const f = fate(topTick.id);
              if (!f && now - topTick.at > 60_000) return null;
              const text =
                f?.kind === 'wait'
                  ? f.text.replace('Waiting to sync', 'saving…').replace('Queued offline · waiting to sync', 'queued offline, syncs when there is signal')
                  : f?.kind === 'error'
                    ? f.text
                    : 'saved';
              return (
                <p class={`nextup-result result-${f?.kind ?? 'saved'}`} role="status">
                  {f?.kind === 'error' ? '✗' : '✓'} “{topTick.title}” ticked: {text}
                </p>
              );
            })()}
          </div>
        )}
        {leads && ev.status === 'scheduled' && (
          <div class="actions">
            <DepartAction ev={ev} now={now} waiting={(t) => isPending(t) && isDone(t)} onDeparted={(next) => accept(next, next.etag, true)} />
          </div>
        )}
        {leads && ev.status === 'underway' && (
          <>
            <div class="actions">
              <ConfirmButton label="Mark returned" confirmLabel="Yes, we're back" guardMs={800} onConfirm={() => command('returned')} />
            </div>
            {errorAt('move')}
          </>
        )}
      </section>

      {signOff && signOff.status !== 'not_yet' && (
        <SignOffPanel
          ev={ev}
          signOff={signOff}
          zone={zone}
          names={names}
          isCaptain={signOff.can_sign && rights.tick}
          onSigned={(next) => accept(next, next.etag, true)}
        />
      )}

      {hasFloatPlan(ev) && (
        <p class="event-links">
          <a class="btn btn-secondary btn-small" href={`/events/${ev.id}/float-plan`}>
            Float plan
          </a>
        </p>
      )}

      <section class="panel timing" aria-labelledby="timing-title">
        <h2 id="timing-title" class="visually-hidden">
          Timing
        </h2>
        <dl class="times">
          <div class={ev.status === 'scheduled' && dep < now ? 'late' : ''}>
            <dt>Departs</dt>
            <dd>
              <strong>{formatTime(dep, zone)}</strong>
              {localDate(dep, zone) !== today && <span class="day-note">{formatDay(dep, zone)}</span>}
              <span class="countdown">
                {ev.departed_at ? `left ${formatTime(instant(ev.departed_at), zone)}` : countdown(dep, now)}
              </span>
            </dd>
          </div>
          <div class={ev.status !== 'completed' && ev.status !== 'cancelled' && ret < now ? 'late' : ''}>
            <dt>Returns</dt>
            <dd>
              <strong>{formatTime(ret, zone)}</strong>
              {localDate(ret, zone) !== today && <span class="day-note">{formatDay(ret, zone)}</span>}
              <span class="countdown">
                {ev.returned_at ? `back ${formatTime(instant(ev.returned_at), zone)}` : countdown(ret, now)}
              </span>
            </dd>
          </div>
          <div>
            <dt>Sunset</dt>
            <dd>
              {sunset ? (
                <>
                  <strong>{formatTime(sunset, zone)}</strong> <span class="countdown">{countdown(sunset, now)}</span>
                </>
              ) : (
                'none that day'
              )}
            </dd>
          </div>
          <div>
            <dt>Civil dusk</dt>
            <dd>
              {dusk ? (
                <>
                  <strong>{formatTime(dusk, zone)}</strong> <span class="countdown">{countdown(dusk, now)}</span>
                </>
              ) : (
                'none that day'
              )}
            </dd>
          </div>
        </dl>
        <p class="clock">
          <span class="clock-label">Now</span>{' '}
          <span class="clock-time" role="timer" aria-live="off">
            {formatTime(now, zone, undefined, true)}
          </span>{' '}
          <span class="clock-zone">
            {zoneAbbreviation(now, zone)} · {formatDay(now, zone)}
          </span>
        </p>
        <p class="small">
          {formatDay(dep, zone)} at {ev.timing.home_port}. Window {formatDateTime(dep, zone)} – {formatTime(ret, zone)}.
        </p>
      </section>

      <section class="panel" aria-labelledby="tasks-title">
        <div class="title-row">
          <h2 id="tasks-title">Tasks</h2>
          {/* A span may not carry aria-label (axe: aria-prohibited-attr): the words read aloud are text. */}
          <span class="count">
            <span aria-hidden="true">
              {doneCount}/{countedTasks} done
            </span>
            <span class="visually-hidden">{`${doneCount} of ${countedTasks} done`}</span>
          </span>
        </div>
        <div class="switch" role="group" aria-label="Show tasks">
          <button type="button" aria-pressed={view === 'timeline'} onClick={() => chooseView('timeline')}>
            Timeline
          </button>
          <button type="button" aria-pressed={view === 'checklist'} onClick={() => chooseView('checklist')}>
            By phase
          </button>
        </div>
        {!rights.tick && <p class="small">Read only: your role does not tick tasks.</p>}
        {someLocked && (
          <p class="small" id={LOCKED_HINT_ID}>
            {LOCKED_HINT}
          </p>
        )}
        {ev.status === 'cancelled' && <p class="small">The event is cancelled: tasks can no longer be ticked.</p>}
        {signedOff && signOff && (
          <p class="signed-line">
            Signed off by {signOff.by ? (names.get(signOff.by) ?? signOff.by) : 'the captain'}
            {signOff.at ? ` at ${formatTime(instant(signOff.at), zone)}` : ''}: the checklist is closed.
          </p>
        )}
        {view === 'timeline' ? (
          <ol class="plain tasks timeline">
            {rows.map((r) => {
              if (r.kind === 'anchor') {
                return (
                  <li key={`a-${r.label}`} class={`tl-anchor${r.at <= now ? ' past' : ''}`}>
                    <span class="tl-time">{formatTime(r.at, zone)}</span>
                    <span>{r.label}</span>
                  </li>
                );
              }
              const t = timing[r.i];
              return t ? renderTask(t.task.id, t.task.title, t.task.role, t.task.safety_critical) : null;
            })}
          </ol>
        ) : (
          ev.checklist.phases.map((phase) => {
            const phaseDone = phase.tasks.filter((t) => isDone(t.id)).length;
            return (
              <section key={phase.id} class="phase" aria-labelledby={`phase-${phase.id}`}>
                <h3 id={`phase-${phase.id}`}>
                  {phase.title}{' '}
                  <span class="count">
                    {phaseDone}/{phase.tasks.length}
                  </span>
                </h3>
                <ul class="plain tasks">
                  {phase.tasks.map((task) => renderTask(task.id, task.title, task.role, task.safety_critical))}
                </ul>
              </section>
            );
          })
        )}
      </section>

      {showPassengers && (
        <section class="panel" aria-labelledby="passengers-title">
          <h2 id="passengers-title">Passengers</h2>
          <p class="passenger-count">{passengerCount(aboard.count)}</p>
          {seesManifest &&
            (aboard.manifest.length > 0 || aboard.emergency_contact ? (
              <details class="manifest">
                <summary>
                  Manifest ({aboard.manifest.length} {aboard.manifest.length === 1 ? 'name' : 'names'}) and emergency contact
                </summary>
                {aboard.manifest.length > 0 ? (
                  <ol>
                    {aboard.manifest.map((name, i) => (
                      <li key={`${i}-${name}`}>{name}</li>
                    ))}
                  </ol>
                ) : (
                  <p class="subtle">No names listed.</p>
                )}
                <p>
                  <strong>Emergency contact ashore:</strong> {aboard.emergency_contact || 'none given'}
                </p>
              </details>
            ) : (
              <p class="small">No names or emergency contact given.</p>
            ))}
        </section>
      )}

      <section class="panel" aria-labelledby="crew-title">
        <h2 id="crew-title">Crew</h2>
        {short && <p class="crew-short">Short-handed: {short}.</p>}
        {ev.crew.length === 0 ? (
          <p>No one is assigned yet.</p>
        ) : (
          <ul class="plain crew">
            {ev.crew.map((c) => (
              <li key={c.email}>
                <span class="crew-name">
                  {c.name ?? c.email}
                  {c.email === session.email ? ' (you)' : ''}
                </span>
                <span class="tag">{c.role === 'captain' ? 'Captain' : 'Crew'}</span>
                <span class="crew-email">{c.email}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="panel" aria-labelledby="notes-title">
        <h2 id="notes-title">Notes</h2>
        {ev.notes.trim() ? <p class="notes">{ev.notes}</p> : <p class="subtle">No notes.</p>}
        {ev.revenue_cents != null && (
          <p class="small">
            Revenue: {(ev.revenue_cents / 100).toLocaleString(undefined, { style: 'currency', currency: 'USD' })}
          </p>
        )}
      </section>

      {(rights.admin || (leads && session.role === 'captain')) && (ev.status === 'scheduled' || ev.status === 'underway') && (
        <section class="panel" aria-labelledby="manage-title">
          <h2 id="manage-title">Manage</h2>
          <div class="actions">
            <a class="btn btn-secondary" href={`/events/${ev.id}/edit`}>
              {rights.admin ? 'Edit event' : captainTitle(ev.kind)}
            </a>
            {rights.admin && ev.status === 'scheduled' && (
              <ConfirmButton danger guardMs={800} label="Cancel event" confirmLabel="Yes, cancel it" onConfirm={() => command('cancel')} />
            )}
          </div>
          {errorAt('manage')}
        </section>
      )}

      <History
        audit={ev.audit}
        nudges={ev.nudges}
        departs={ev.departs_at.at}
        returns={ev.returns_at.at}
        names={names}
        titles={titles}
        zone={zone}
        photoUrls={ev.photo_urls ?? {}}
        onOpen={open}
      />
      {viewing && <PhotoViewer src={viewing.src} alt={viewing.alt} onClose={() => setViewing(null)} />}
    </div>
  );
}

/**
 * The note and photos a task shows: those of its tick waiting to sync, if it carries any (blobs
 * on this phone), else those of the tick the server has.
 */
export function shownAttachments(
  waiting: TickOp | undefined,
  server: ChecklistTask | undefined,
): { note: string; photos: ShownPhoto[] } {
  if (waiting && (waiting.note || waiting.photos?.length)) {
    return {
      note: waiting.note ?? '',
      photos: (waiting.photos ?? []).map((p, i) => ({ key: `${waiting.opId}-${i}`, thumb: p.thumb, full: p.full })),
    };
  }
  return {
    note: server?.note?.trim() ?? '',
    photos: (server?.photos ?? []).map((p) => ({ key: p.id, thumb: p.thumb_url, full: p.url })),
  };
}

/** The note and photos of a history line, where the server gave URLs for them. */
export function historyAttachments(a: AuditEntry, urls: Record<string, PhotoUrls>): { note: string; photos: ShownPhoto[]; missing: number } {
  if (a.action !== 'task_done' && a.action !== 'task_undone') return { note: '', photos: [], missing: 0 };
  const photos: ShownPhoto[] = [];
  let missing = 0;
  for (const p of a.photos ?? []) {
    const u = urls[p.id];
    if (u) photos.push({ key: p.id, thumb: u.thumb_url, full: u.url });
    else missing++;
  }
  return { note: a.note?.trim() ?? '', photos, missing };
}

const RFC3339 = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** A server's words with its RFC 3339 instants (`2026-12-06T01:59:02.66+00:00`) in the org's zone. */
export function readableInstants(text: string, zone: string): string {
  return text.replace(RFC3339, (iso) => {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? iso : formatDateTime(ms, zone);
  });
}

/** The check drawn over a ticked box (the box itself is the styled checkbox under it). */
function TickMark() {
  return (
    <svg class="tick-mark" viewBox="0 0 24 24" width="44" height="44" aria-hidden="true" focusable="false">
      <path fill="none" stroke="currentColor" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round" d="M5 12.5l4.5 4.5L19 7.5" />
    </svg>
  );
}

/** My next open task at the top of the screen: the same big box as in the list, ticked here. */
function NextTaskRow({
  id,
  title,
  safety,
  line,
  status,
  onTick,
}: {
  id: string;
  title: string;
  safety: boolean;
  line: RowLine;
  status: TaskStatus;
  onTick: () => void;
}) {
  return (
    <div class={`next-task task-${status}`}>
      <input id={`next-${id}`} type="checkbox" class="tick-box" checked={false} onChange={onTick} />
      <TickMark />
      <label for={`next-${id}`}>
        <span class="task-title">
          {title}
          {safety && <span class="safety-word"> · Safety</span>}
        </span>
        <span class={`task-state tone-${line.tone}`}>{line.text}</span>
      </label>
    </div>
  );
}

function CameraIcon() {
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        d="M4 8h3l2-3h6l2 3h3a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V9a1 1 0 0 1 1-1z"
      />
      <circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="2" />
    </svg>
  );
}

const FIELD_WORDS: Record<string, string> = {
  departs_at: 'departure',
  returns_at: 'return',
  revenue_cents: 'revenue',
  kind: 'kind',
  title: 'title',
  vessel: 'vessel',
  vessel_id: 'vessel',
  passengers: 'passengers',
  passenger_count: 'passengers',
  manifest: 'passengers',
  emergency_contact: 'emergency contact',
  crew: 'crew',
  notes: 'notes',
};

export function describeAudit(a: AuditEntry, titles: Map<string, string>): string {
  switch (a.action) {
    case 'created':
      return 'created the event';
    case 'edited':
      // A vessel picked from the list changes its name and its record: one word for both.
      return a.fields.length
        ? `changed the ${[...new Set(a.fields.map((f) => FIELD_WORDS[f] ?? f.replace(/_/g, ' ')))].join(', ')}`
        : 'edited the event';
    case 'cancelled':
      return 'cancelled the event';
    case 'departed': {
      // Issue 17, item 2: what was still open and how early, as the server recorded it.
      const open = a.open_safety_tasks ?? [];
      const early = a.minutes_early != null && a.minutes_early >= 15 ? `, ${span(a.minutes_early * 60_000)} early` : '';
      return open.length
        ? `marked it departed with ${open.length === 1 ? '1 safety task' : `${open.length} safety tasks`} open (${listWords(
            open.map((id) => titles.get(id) ?? id),
          )})${early}`
        : `marked it departed${early}`;
    }
    case 'signed_off': {
      const open = a.open_tasks ?? [];
      return open.length ? `signed the checklist off with ${open.length === 1 ? '1 task' : `${open.length} tasks`} open` : 'signed the checklist off';
    }
    case 'returned':
      return 'marked it returned';
    case 'overdue_acknowledged':
      return 'acknowledged the overdue alert';
    case 'task_done':
    case 'task_undone': {
      const words = attachmentWords(a.note, a.photos?.length ?? 0);
      return `${a.action === 'task_done' ? 'ticked' : 'unticked'} “${titles.get(a.task) ?? a.task}”${words ? ` ${words}` : ''}`;
    }
    default:
      // An action this version does not know yet (a newer server): its name, in words.
      return String((a as { action: string }).action).replace(/_/g, ' ');
  }
}

/** What a record of the nudge list was: a reminder, or a mail kept with them. */
export function nudgeWhat(kind: string): string {
  switch (kind) {
    case 'departure':
      return 'departure reminder';
    case 'return':
      return 'return reminder';
    case 'float_plan':
      return 'float plan';
    case 'overdue':
      return 'overdue alert';
    default:
      return kind.replace(/_/g, ' ');
  }
}

const NUDGE_STATES: Record<NudgeRecord['state'], string> = {
  sending: 'sending',
  sent: 'sent',
  failed: 'failed to send',
};

/** Who changed what when (newest first), and who was reminded of the departure or return. */
function History({
  audit,
  nudges,
  departs,
  returns,
  names,
  titles,
  zone,
  photoUrls,
  onOpen,
}: {
  audit: AuditEntry[];
  nudges: NudgeRecord[];
  departs: string;
  returns: string;
  names: Map<string, string>;
  titles: Map<string, string>;
  zone: string;
  photoUrls: Record<string, PhotoUrls>;
  onOpen: (photo: ShownPhoto, alt: string) => void;
}) {
  if (audit.length === 0 && nudges.length === 0) return null;
  const entries = [...audit].sort((a, b) => instant(b.at) - instant(a.at));
  const reminders = [...nudges].sort((a, b) => instant(b.at) - instant(a.at));
  const who = (email: string) => names.get(email) ?? email;
  return (
    <details class="panel history">
      <summary>
        History ({audit.length} {audit.length === 1 ? 'change' : 'changes'}, {nudges.length}{' '}
        {nudges.length === 1 ? 'nudge' : 'nudges'})
      </summary>
      <h3>Changes</h3>
      {entries.length === 0 ? (
        <p class="subtle">No changes recorded.</p>
      ) : (
        <ol class="plain">
          {entries.map((a) => {
            const extra = historyAttachments(a, photoUrls);
            const task = 'task' in a ? (titles.get(a.task) ?? a.task) : '';
            return (
              <li key={a.op_id}>
                <span class="tl-time">{formatDateTime(instant(a.at), zone)}</span> <strong>{who(a.by)}</strong>{' '}
                {describeAudit(a, titles)}
                {extra.missing > 0 && ` (${photoCount(extra.missing)} not available)`}
                <Attachments note={extra.note} photos={extra.photos} label={task} onOpen={onOpen} />
              </li>
            );
          })}
        </ol>
      )}
      <h3>Nudges</h3>
      {reminders.length === 0 ? (
        <p class="subtle">Nobody has been nudged yet: the crew get an email (and a phone notification if they turned it on) 30 minutes before departure.</p>
      ) : (
        <ol class="plain">
          {reminders.map((n) => {
            const anchor = instant(n.anchor_at);
            // A reminder anchored to an earlier time; a float plan's or alert's anchor is its own.
            const reminder = n.kind === 'departure' || n.kind === 'return';
            const moved = reminder && anchor !== instant(n.kind === 'departure' ? departs : returns);
            return (
              <li
                key={`${n.kind}-${n.anchor_at}-${n.email}-${n.channel ?? 'email'}`}
                class={n.state === 'failed' ? 'nudge-failed' : undefined}
              >
                <span class="tl-time">{formatDateTime(instant(n.at), zone)}</span>{' '}
                <strong>{who(n.email)}</strong>: {nudgeWhat(n.kind)} {NUDGE_STATES[n.state]}
                {n.channel === 'push' ? ' to their phone' : ' by email'}
                {moved && ` (for the earlier time, ${formatDateTime(anchor, zone)})`}
              </li>
            );
          })}
        </ol>
      )}
    </details>
  );
}

/** Another org's event, or one I'm not on, or none at all: the server says 404 for all three. */
function NotFoundEvent({ session, onRetry }: { session: Session; onRetry: () => void }) {
  const others = session.memberships.filter((m) => m.org_id !== session.org.id);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lookIn = async (orgId: string) => {
    setBusy(orgId);
    setError(null);
    try {
      sessions.signIn(await api.switchOrg(orgId));
      onRetry();
    } catch (e) {
      setError(api.describe(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div>
      <PageTitle>Event not found</PageTitle>
      <Notice kind="warn">
        There's no such event in {session.org.name} that you can see. It may be another org's, or you may not be on its crew.
      </Notice>
      {error && <Notice kind="error">{error}</Notice>}
      {others.length > 0 && (
        <>
          <p>You also work for other orgs. Look there:</p>
          <ul class="plain stack">
            {others.map((m) => (
              <li key={m.org_id}>
                <button type="button" class="btn btn-secondary btn-block" disabled={busy !== null} onClick={() => void lookIn(m.org_id)}>
                  {busy === m.org_id ? 'Switching…' : `Look in ${m.org_name}`}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <a class="btn btn-primary" href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          Back to my events
        </a>
      </p>
    </div>
  );
}

/**
 * The red banner of an event out past its return: since when, that the alerts repeat, and for an
 * admin the acknowledgement (two taps a double tap cannot make). Once acknowledged it says so and
 * the button goes.
 */
function OverdueBanner({
  overdue,
  zone,
  now,
  eventId,
  canAcknowledge,
  onAcknowledge,
  error,
}: {
  overdue: OverdueState;
  zone: string;
  now: number;
  eventId: string;
  canAcknowledge: boolean;
  onAcknowledge: () => Promise<void>;
  /** The acknowledgement's failure, shown under its button. */
  error?: ComponentChildren;
}) {
  const { headline, detail } = overdueBanner(overdue, zone, now);
  const acknowledged = overdue.acknowledgedAt != null;
  return (
    <section class={`overdue-banner${acknowledged ? ' acknowledged' : ''}`} role="alert" aria-labelledby="overdue-title">
      <h2 id="overdue-title" class="overdue-headline">
        {headline}
      </h2>
      <p>{detail}</p>
      <p>
        If the boat cannot be reached, a shore contact calls the Coast Guard: the number is on the{' '}
        <a href={`/events/${eventId}/float-plan`}>float plan</a>.
      </p>
      {canAcknowledge && !acknowledged && (
        <div class="actions">
          <ConfirmButton
            label="Acknowledge"
            confirmLabel="Yes, the office has it"
            guardMs={800}
            class="btn-secondary"
            onConfirm={onAcknowledge}
          />
        </div>
      )}
      {error}
    </section>
  );
}
