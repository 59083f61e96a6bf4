// Small pieces every screen uses.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { revealScroll } from './nextup';
import { STATUS_LABELS, type EventStatus, type TaskStatus } from './types';

const TASK_LABELS: Record<TaskStatus, string> = {
  upcoming: 'Upcoming',
  due: 'Due',
  overdue: 'Overdue',
  done: 'Done',
  unscheduled: 'No time',
};

export function StatusBadge({ status }: { status: EventStatus }) {
  return <span class={`badge badge-${status}`}>{STATUS_LABELS[status]}</span>;
}

export function TaskChip({ status }: { status: TaskStatus }) {
  return <span class={`chip chip-${status}`}>{TASK_LABELS[status]}</span>;
}

/** The page's heading; focused on arrival so screen readers and keyboards start there. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function Notice({
  kind = 'info',
  children,
  live = false,
}: {
  kind?: 'info' | 'error' | 'warn' | 'ok';
  children: ComponentChildren;
  live?: boolean;
}) {
  const role = kind === 'error' ? 'alert' : live ? 'status' : undefined;
  return (
    <div class={`notice notice-${kind}`} role={role}>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

let detailsSeq = 0;

/** The height of the sticky sync badge at the top of the screen (0 when it is not showing). */
function stickyInset(): number {
  const bar = document.querySelector('.sync');
  return bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
}

/**
 * A button that asks once more before doing something that cannot be undone with a tap
 * (departed, returned, cancel, remove): the first press arms it, the second within `holdMs` acts.
 *
 * With `guardMs`, a double tap cannot pass either: the armed confirm button sits beside "Keep as
 * is" (which takes the first button's place, under the finger) and ignores presses for that long.
 *
 * With `details` (what the person is about to confirm; `notice` above it, say a 409's words), the
 * armed state shows that text where the button was, with "Keep as is" and the confirm under it:
 * reading comes before confirming, and the second press of a double tap lands on the text. Focus
 * goes to the text, the confirm points to it (`aria-describedby`), and the start of the text is
 * scrolled into view if it is not (never moving a button under the point pressed). It then stays
 * armed for 30 s untouched (long enough to read a list) unless `holdMs` says otherwise.
 */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  danger = false,
  disabled = false,
  guardMs = 0,
  notice,
  details,
  holdMs = details === undefined ? 6000 : 30_000,
  armedNow = false,
  onDisarm,
  class: className = '',
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
  disabled?: boolean;
  guardMs?: number;
  /** With `details`, above them: why it asks again (a 409's words). */
  notice?: ComponentChildren;
  /** What is being confirmed, shown above the buttons while armed. */
  details?: ComponentChildren;
  /** How long it stays armed untouched. */
  holdMs?: number;
  /** Open already armed (a 409 asked to confirm again). */
  armedNow?: boolean;
  onDisarm?: () => void;
  class?: string;
}) {
  const [armed, setArmed] = useState(armedNow);
  const [busy, setBusy] = useState(false);
  const [ready, setReady] = useState(guardMs <= 0);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const blockRef = useRef<HTMLDivElement>(null);
  const detailsRef = useRef<HTMLDivElement>(null);
  const [detailsId] = useState(() => `confirm-details-${++detailsSeq}`);
  const checked = details !== undefined;
  useEffect(() => {
    if (!armed) return;
    if (checked) {
      // Focus starts on what is said, not on the confirm: a second Enter does nothing, and a
      // screen reader reads the list before reaching the buttons.
      (detailsRef.current ?? confirmRef.current)?.focus({ preventScroll: true });
      const block = blockRef.current;
      if (block) {
        const r = block.getBoundingClientRect();
        const dy = revealScroll(r.top, r.height, window.innerHeight, stickyInset(), Math.round(window.innerHeight * 0.4));
        if (dy !== 0) window.scrollBy({ top: dy, behavior: 'instant' });
      }
    } else {
      confirmRef.current?.focus();
    }
    const t = setTimeout(() => disarm(), holdMs);
    let g: ReturnType<typeof setTimeout> | undefined;
    if (guardMs > 0) {
      setReady(false);
      g = setTimeout(() => setReady(true), guardMs);
    }
    return () => {
      clearTimeout(t);
      if (g) clearTimeout(g);
    };
  }, [armed]);
  const disarm = () => {
    setArmed(false);
    onDisarm?.();
  };
  if (!armed) {
    return (
      <button
        type="button"
        class={`btn ${danger ? 'btn-danger-outline' : 'btn-primary'} ${className}`}
        disabled={disabled || busy}
        onClick={() => setArmed(true)}
      >
        {busy ? 'Working…' : label}
      </button>
    );
  }
  const keep = (
    <button type="button" class="btn btn-secondary" onClick={disarm}>
      Keep as is
    </button>
  );
  const confirm = (
    <button
      ref={confirmRef}
      type="button"
      class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
      disabled={busy}
      aria-disabled={ready ? undefined : 'true'}
      aria-describedby={checked && details ? detailsId : undefined}
      onClick={async () => {
        if (!ready) return;
        setBusy(true);
        setArmed(false);
        try {
          await onConfirm();
        } finally {
          setBusy(false);
        }
      }}
    >
      {confirmLabel}
    </button>
  );
  const buttons = (
    <span class={`confirm${guardMs > 0 ? ' confirm-guarded' : ''}`}>
      {guardMs > 0 ? (
        <>
          {keep}
          {confirm}
        </>
      ) : (
        <>
          {confirm}
          {keep}
        </>
      )}
    </span>
  );
  if (!checked) return buttons;
  // What is being confirmed takes the pressed button's place and the buttons come after it.
  return (
    <div class="checked-confirm" ref={blockRef}>
      {notice}
      {details && (
        <div id={detailsId} ref={detailsRef} class="confirm-details" tabIndex={-1}>
          {details}
        </div>
      )}
      {buttons}
    </div>
  );
}

/** A labelled form field with its error message tied to the input for screen readers. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  /** Text, or text with a link; tie it to the input with `describedBy`. */
  hint?: ComponentChildren;
  error?: string | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${error ? ' field-error' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p class="error-text" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** aria-describedby for a Field's input. */
export function describedBy(id: string, hint?: unknown, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}
