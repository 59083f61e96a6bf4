// Small pieces every screen uses.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
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

/**
 * A button that asks once more before doing something that cannot be undone with a tap
 * (departed, returned, cancel, remove): the first press arms it, the second within 6 s acts.
 *
 * With `guardMs`, a double tap cannot pass either: the armed confirm button sits beside "Keep as
 * is" (which takes the first button's place, under the finger) and ignores presses for that long.
 */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  danger = false,
  disabled = false,
  guardMs = 0,
  class: className = '',
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
  disabled?: boolean;
  guardMs?: number;
  class?: string;
}) {
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [ready, setReady] = useState(guardMs <= 0);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!armed) return;
    confirmRef.current?.focus();
    const t = setTimeout(() => setArmed(false), 6000);
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
    <button type="button" class="btn btn-secondary" onClick={() => setArmed(false)}>
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
  return (
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
