// The API's shapes, as docs/openapi.json (generated from the server's code) describes them.

export type Role = 'crew' | 'captain' | 'admin' | 'executive';
export type CrewRole = 'captain' | 'crew';
export type EventKind = 'sunset_sail' | 'charter' | 'delivery' | 'haul';
export type EventStatus = 'scheduled' | 'underway' | 'completed' | 'cancelled';
export type TaskStatus = 'upcoming' | 'due' | 'overdue' | 'done' | 'unscheduled';
export type Anchor = 'departure' | 'return' | 'sunset' | 'civil_dusk';

/** An instant in UTC (`at`) and as the org's wall clock shows it (`local`, RFC 3339 with offset). */
export interface Moment {
  at: string;
  local: string;
}

export interface OrgRef {
  id: string;
  name: string;
}

export interface MembershipView {
  org_id: string;
  org_name: string;
  role: string;
}

export interface Grant {
  token: string;
  expires_at: string;
  email: string;
  org: OrgRef;
  role: string;
  memberships: MembershipView[];
}

export interface Me {
  email: string;
  role: string;
  org: OrgRef & { zone: string };
  memberships: MembershipView[];
  session_expires_at: string;
}

export interface CrewView {
  email: string;
  role: CrewRole;
  name?: string | null;
}

export interface EventSummary {
  id: string;
  kind: EventKind;
  title: string;
  vessel: string;
  departs_at: Moment;
  returns_at: Moment;
  status: EventStatus;
  crew: CrewView[];
  my_role?: CrewRole | null;
  tasks_done: number;
  tasks_total: number;
}

export interface EventPage {
  events: EventSummary[];
  next_cursor?: string | null;
}

export interface ChecklistTask {
  id: string;
  title: string;
  anchor: Anchor;
  offset_minutes: number;
  role: CrewRole;
  safety_critical: boolean;
  done: boolean;
  done_by?: string | null;
  done_at?: string | null;
}

export interface ChecklistPhase {
  id: string;
  title: string;
  tasks: ChecklistTask[];
}

export interface Checklist {
  template: string;
  phases: ChecklistPhase[];
  done: number;
  total: number;
}

export interface TaskTiming {
  id: string;
  title: string;
  phase: string;
  anchor: Anchor;
  offset_minutes: number;
  role: CrewRole;
  safety_critical: boolean;
  due?: Moment | null;
  status: TaskStatus;
  note?: string | null;
  done_by?: string | null;
  done_at?: string | null;
}

export interface TimingPanel {
  now: Moment;
  zone: string;
  local_date: string;
  home_port: string;
  departs_at: Moment;
  returns_at: Moment;
  seconds_to_departure: number;
  seconds_to_return: number;
  status: EventStatus;
  sunset?: Moment | null;
  civil_dusk?: Moment | null;
  tasks: TaskTiming[];
}

export type AuditAction =
  | { action: 'created' }
  | { action: 'edited'; fields: string[] }
  | { action: 'cancelled' }
  | { action: 'departed' }
  | { action: 'returned' }
  | { action: 'task_done'; task: string }
  | { action: 'task_undone'; task: string };

export type AuditEntry = AuditAction & { op_id: string; by: string; at: string };

export interface NudgeRecord {
  kind: 'departure' | 'return';
  anchor_at: string;
  email: string;
  state: 'sending' | 'sent' | 'failed';
  at: string;
}

export interface EventView {
  id: string;
  kind: EventKind;
  title: string;
  vessel: string;
  departs_at: Moment;
  returns_at: Moment;
  crew: CrewView[];
  notes: string;
  revenue_cents?: number | null;
  status: EventStatus;
  version: number;
  etag: string;
  departed_at?: string | null;
  returned_at?: string | null;
  my_role?: CrewRole | null;
  checklist: Checklist;
  timing: TimingPanel;
  nudges: NudgeRecord[];
  audit: AuditEntry[];
  created_at: string;
  updated_at: string;
}

export interface CrewFields {
  email: string;
  role: CrewRole;
}

export interface EventFields {
  kind: string;
  title: string;
  vessel: string;
  departs_at: string;
  returns_at: string;
  crew?: CrewFields[];
  notes?: string;
  revenue_cents?: number | null;
}

export type EventPatch = Partial<EventFields>;

export interface TickResult {
  applied: boolean;
  task_id: string;
  done: boolean;
  by: string;
  at: string;
  etag: string;
}

export interface MemberView {
  email: string;
  name: string;
  role: Role;
  added_at: string;
}

export interface TemplatePhase {
  id: string;
  title: string;
}

export interface Template {
  kind: EventKind;
  name: string;
  max_hours: number;
  min_crew: number;
  nudges: string[];
  phase: TemplatePhase[];
  task: unknown[];
}

export interface OrgView {
  id: string;
  name: string;
  zone: string;
  home_port: { name: string; latitude: number; longitude: number };
  enabled_kinds: EventKind[];
  report_recipients: Record<string, string[]>;
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string | null;
  errors?: FieldError[];
}

export const KIND_LABELS: Record<EventKind, string> = {
  sunset_sail: 'Sunset sail',
  charter: 'Charter',
  delivery: 'Delivery',
  haul: 'Haul',
};

export const STATUS_LABELS: Record<EventStatus, string> = {
  scheduled: 'Scheduled',
  underway: 'Underway',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export const ROLE_LABELS: Record<Role, string> = {
  crew: 'Crew',
  captain: 'Captain',
  admin: 'Admin',
  executive: 'Executive',
};

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

export function kindLabel(kind: string): string {
  return (KIND_LABELS as Record<string, string>)[kind] ?? kind;
}
