// Who may tick which task, as the server decides it (issue 17, item 3): a crew task is ticked by
// anyone working the event; a captain's task (the float plan, the VHF check, the forecast) by the
// event's captain or the office (an admin). Executives read only. The server refuses the rest with
// 403, so the app shows those tasks as the captain's and offers no checkbox for them.

/** Org roles that tick tasks at all (executives read only). */
const TICKING_ROLES = new Set(['crew', 'captain', 'admin']);

/**
 * Whether someone may tick a task. `taskRole`: the task's `role` in the event's checklist;
 * `myRole`: the event's `my_role` (their role on its crew, if any); `sessionRole`: their role in
 * the org. The event's captain may tick a captain's task whatever their org role, as on the server.
 */
export function mayTick(taskRole: string, myRole: string | null | undefined, sessionRole: string): boolean {
  if (!TICKING_ROLES.has(sessionRole)) return false;
  if (taskRole !== 'captain') return true;
  return myRole === 'captain' || sessionRole === 'admin';
}

/** How a task row says whose it is: its chip, and whether it is locked for this person. */
export interface TaskOwner {
  /** The chip on the row ("Captain's task"), or null for a crew task (no chip). */
  chip: string | null;
  /** The chip says it is this person's to tick (the event's captain on a captain's task). */
  mine: boolean;
  /**
   * Someone who ticks tasks but not this one (crew on a captain's task): the row shows the box
   * disabled and points to the line saying who ticks it. Executives read every task, and the
   * screen says so once, so their rows are not "locked".
   */
  locked: boolean;
}

export const CAPTAINS_TASK = "Captain's task";

/** The line a locked row points to (shown once above the tasks). */
export const LOCKED_HINT = `Tasks marked “${CAPTAINS_TASK}” are ticked by the event's captain or the office.`;

export function taskOwner(taskRole: string, myRole: string | null | undefined, sessionRole: string): TaskOwner {
  if (taskRole !== 'captain') return { chip: null, mine: false, locked: false };
  const ticks = TICKING_ROLES.has(sessionRole);
  if (ticks && myRole === 'captain') return { chip: `${CAPTAINS_TASK}: yours`, mine: true, locked: false };
  return { chip: CAPTAINS_TASK, mine: false, locked: ticks && !mayTick(taskRole, myRole, sessionRole) };
}
