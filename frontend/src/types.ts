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

/** An org as a grant or /api/me names it; `zone` is the IANA zone every local time is shown in. */
export interface OrgRef {
  id: string;
  name: string;
  zone: string;
}

export interface MembershipView {
  org_id: string;
  org_name: string;
  role: Role;
}

export interface Grant {
  token: string;
  expires_at: string;
  email: string;
  org: OrgRef;
  role: Role;
  memberships: MembershipView[];
}

export interface Me {
  email: string;
  role: Role;
  org: OrgRef;
  memberships: MembershipView[];
  session_expires_at: string;
}

export interface CrewView {
  email: string;
  role: CrewRole;
  name?: string | null;
}

/**
 * Who is aboard besides the crew. Copies saved on the phone by an older app version lack it:
 * read it through `passengersOf` (src/vessels.ts), which fills the defaults.
 */
export interface Passengers {
  count: number;
  /** Names, charters and sunset sails only; may be empty. */
  manifest: string[];
  /** A person ashore and their phone, for the passengers' party; may be empty. */
  emergency_contact: string;
}

/** On a headcount task: everyone expected aboard. */
export interface Headcount {
  passengers: number;
  crew: number;
  total: number;
}

export interface EventSummary {
  id: string;
  kind: EventKind;
  title: string;
  vessel: string;
  /** The org's vessel record (null for a free-text vessel; absent in older saved copies). */
  vessel_id?: string | null;
  passengers?: Passengers | null;
  /** The smallest crew it may sail with: the vessel's when set, else the kind's. */
  crew_required?: number | null;
  departs_at: Moment;
  returns_at: Moment;
  status: EventStatus;
  crew: CrewView[];
  my_role?: CrewRole | null;
  tasks_done: number;
  tasks_total: number;
  /** Underway and past its return plus the org's grace; absent from older servers and saved copies. */
  overdue?: Overdue | null;
}

/** An underway event not marked returned by its return time plus the org's grace. */
export interface Overdue {
  /** When it became overdue (RFC 3339). */
  since: string;
  /** When an admin acknowledged the alert (the repeats stop); null until then. */
  acknowledged_at?: string | null;
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
  /** When it is due (absent where its anchor does not happen that day, e.g. no sunset). */
  due?: Moment | null;
  done: boolean;
  done_by?: string | null;
  done_at?: string | null;
  /** Anchored to sunset or dusk on a trip back before it: nothing to do (issue 17, item 5). */
  not_applicable?: boolean;
  /** Set on the headcount tasks only. */
  headcount?: Headcount | null;
  /** The crew's note and photos from the tick that set the task's state (absent in older copies). */
  note?: string | null;
  photos?: TaskPhoto[] | null;
}

/** A photo as a tick names it: its id and type. */
export interface PhotoRef {
  id: string;
  content_type: string;
}

/** A photo on a task, with presigned GET URLs (valid for hours; same origin locally). */
export interface TaskPhoto extends PhotoRef {
  url: string;
  thumb_url: string;
}

/** Where one blob goes: a presigned PUT (no Authorization; only the content-type header is sent). */
export interface PhotoUpload {
  url: string;
  method: string;
  headers?: Record<string, string>;
}

/** `POST /api/events/{id}/tasks/{task}/photos`: a new photo's id and where its two blobs go. */
export interface PhotoGrant {
  photo: PhotoRef;
  upload: PhotoUpload;
  thumb_upload: PhotoUpload;
  /** When the upload URLs stop working (15 minutes on). */
  expires_at: string;
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
  | { action: 'departed'; open_safety_tasks?: string[] | null; minutes_early?: number | null }
  | { action: 'signed_off'; open_tasks?: string[] | null }
  | { action: 'returned' }
  | { action: 'overdue_acknowledged' }
  | { action: 'task_done'; task: string; note?: string | null; photos?: PhotoRef[] | null }
  | { action: 'task_undone'; task: string; note?: string | null; photos?: PhotoRef[] | null };

export type AuditEntry = AuditAction & { op_id: string; by: string; at: string };

export interface NudgeRecord {
  /** Reminders (`departure`, `return`), and the mails kept with them: the float plan, the overdue alert. */
  kind: 'departure' | 'return' | 'float_plan' | 'overdue';
  anchor_at: string;
  email: string;
  state: 'sending' | 'sent' | 'failed';
  at: string;
  /** Absent for email (records made before push existed are email). */
  channel?: 'email' | 'push';
}

export interface EventView {
  id: string;
  kind: EventKind;
  title: string;
  vessel: string;
  vessel_id?: string | null;
  passengers?: Passengers | null;
  crew_required?: number | null;
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
  /** Non-null while underway past its return plus the org's grace (absent in older copies). */
  overdue?: Overdue | null;
  checklist: Checklist;
  timing: TimingPanel;
  nudges: NudgeRecord[];
  audit: AuditEntry[];
  /** GET URLs of every photo the history names, by id (absent in older copies). */
  photo_urls?: Record<string, PhotoUrls> | null;
  /** While scheduled: how early a departure now is and the safety tasks still open (issue 17, item 2). */
  departure_check?: DepartureCheck | null;
  /** The captain's sign-off of the checklist (issue 17, item 4); null when cancelled, absent in older copies. */
  sign_off?: SignOff | null;
  created_at: string;
  updated_at: string;
}

/** A safety-critical task due at or before departure and not done. */
export interface OpenSafetyTask {
  id: string;
  title: string;
  role: CrewRole;
}

/** `departure_check` of an event: present while it is scheduled. */
export interface DepartureCheck {
  /** Minutes before the scheduled departure (> 0 early, <= 0 on time or late). */
  minutes_early: number;
  open_safety_tasks: OpenSafetyTask[];
}

export interface SignOffOpenTask {
  id: string;
  title: string;
  safety_critical: boolean;
}

/** `sign_off` of an event: not yet (before return), ready (returned, not signed), signed. */
export interface SignOff {
  status: 'not_yet' | 'ready' | 'signed';
  by: string | null;
  at: string | null;
  /** Open now (until signed), or open when it was signed. */
  open_tasks: SignOffOpenTask[];
  /** Whether this reader may sign now: the event's captain, or an admin when the event has no
   * captain who is still a member. */
  can_sign: boolean;
}

export interface PhotoUrls {
  url: string;
  thumb_url: string;
}

export interface CrewFields {
  email: string;
  role: CrewRole;
}

export interface EventFields {
  kind: string;
  title: string;
  /** By name: free text in an org without vessel records; may be left out with `vessel_id`. */
  vessel?: string;
  /** One of the org's vessels; the server fills the name. `null` (in a PATCH) unlinks it. */
  vessel_id?: string | null;
  departs_at: string;
  returns_at: string;
  crew?: CrewFields[];
  /** Charters and sunset sails only; at most the vessel's COI limit. */
  passenger_count?: number;
  manifest?: string[];
  emergency_contact?: string;
  notes?: string;
  revenue_cents?: number | null;
}

export type EventPatch = Partial<EventFields>;

export type VesselKind = 'boat' | 'truck';

/** `GET /api/vessels`: one of the org's boats or trucks. */
export interface VesselView {
  id: string;
  name: string;
  kind: VesselKind;
  registration: string;
  length_ft?: number | null;
  /** Hull colour and description: what a searcher looks for. */
  description: string;
  coi_max_passengers?: number | null;
  min_crew?: number | null;
  call_sign: string;
  mmsi: string;
  safety_gear: string;
  created_at: string;
  updated_at: string;
}

/** What `POST /api/vessels` and `PUT /api/vessels/{id}` take. */
export interface VesselFields {
  name: string;
  kind: VesselKind;
  registration: string;
  length_ft: number | null;
  description: string;
  coi_max_passengers: number | null;
  min_crew: number | null;
  call_sign: string;
  mmsi: string;
  safety_gear: string;
}

export interface TickResult {
  applied: boolean;
  superseded: boolean;
  task_id: string;
  done: boolean;
  by: string;
  at: string;
  etag: string;
  /** Set when this tick sent the float plan to the shore contacts (the float-plan task). */
  float_plan?: FloatPlanSent | null;
}

// ---- the float plan (GET / POST /api/events/{id}/float-plan) ----

/** One line of the form; an empty value is "not recorded". */
export interface FloatPlanLine {
  label: string;
  value: string;
}

export interface FloatPlanSection {
  title: string;
  lines: FloatPlanLine[];
}

export interface FloatPlan {
  title: string;
  /** The version: the last change of when the boat is due back or who is aboard. */
  version_at: string;
  /** An earlier version went out: this one is an update. */
  update: boolean;
  /** After this instant the shore contact acts (the return plus the org's grace). */
  overdue_at: string;
  sections: FloatPlanSection[];
}

export interface FloatPlanRecipient {
  name: string;
  email: string;
  /** This version reached them. */
  sent: boolean;
}

export interface FloatPlanView {
  plan: FloatPlan;
  /** The same plan as plain text. */
  text: string;
  recipients: FloatPlanRecipient[];
}

/** What a send did: each version reaches each shore contact once. */
export interface FloatPlanSent {
  version_at: string;
  update: boolean;
  /** Mailed now. */
  sent: number;
  /** Had this version already (not mailed again). */
  already_sent: number;
  /** The mail service failed; a later send tries them again. */
  failed: number;
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
  /** Charters and sunset sails take passengers; absent from older servers. */
  carries_passengers?: boolean;
  /** Sunset sails, charters and deliveries sail only with a captain on the crew (issue 17, item 5). */
  requires_captain?: boolean;
  nudges: string[];
  phase: TemplatePhase[];
  task: unknown[];
}

export type Perspective = 'operations' | 'safety' | 'crew' | 'finance' | 'executive_summary';

export const PERSPECTIVES: Perspective[] = ['executive_summary', 'operations', 'safety', 'crew', 'finance'];

export const PERSPECTIVE_LABELS: Record<Perspective, string> = {
  executive_summary: 'Summary',
  operations: 'Operations',
  safety: 'Safety',
  crew: 'Crew',
  finance: 'Finance',
};

export interface HomePort {
  name: string;
  latitude: number;
  longitude: number;
}

export interface OrgView {
  id: string;
  name: string;
  zone: string;
  home_port: HomePort;
  enabled_kinds: EventKind[];
  /** Perspective -> addresses; a perspective nobody gets may be missing. */
  report_recipients: Partial<Record<Perspective, string[]>>;
  /** Absent from older servers: read it through `safetyOf` (src/views/OrgSettings.tsx). */
  safety?: Partial<SafetySettings> | null;
}

/** A person ashore who receives the float plans and the overdue alerts. */
export interface ShoreContact {
  name: string;
  email: string;
  /** As written: `+1 619 555 0100`. */
  phone: string;
}

/** Whom a shore contact calls when a boat is overdue: the home port's Coast Guard sector. */
export interface CoastGuard {
  name: string;
  phone: string;
}

export interface SafetySettings {
  shore_contacts: ShoreContact[];
  coast_guard: CoastGuard;
  /** Minutes past the return before an underway event is overdue (1 to 720). */
  overdue_grace_minutes: number;
}

/** `PATCH /api/org`: any subset. `report_recipients` replaces the whole map (send every perspective). */
export interface OrgPatch {
  name?: string;
  zone?: string;
  home_port?: HomePort;
  enabled_kinds?: EventKind[];
  report_recipients?: Partial<Record<Perspective, string[]>>;
  /** Replaces the safety settings whole. */
  safety?: SafetySettings;
}

// ---- weekly reports (GET /api/reports/weekly; the figures of crates/domain/src/report.rs) ----

export interface Kpis {
  events: number;
  cancellations: number;
  on_time_percent?: number | null;
  checklist_percent?: number | null;
  safety_misses: number;
  revenue_cents: number;
  hours_underway: number;
  short_of_crew: number;
}

export interface Operations {
  events: number;
  by_kind_and_status: { kind: EventKind; status: EventStatus; count: number }[];
  departed: number;
  on_time: number;
  on_time_percent?: number | null;
  average_delay_minutes?: number | null;
  checklist_by_kind: { kind: EventKind; done: number; total: number; percent?: number | null }[];
  checklist_percent?: number | null;
  cancellations: number;
}

export interface SafetyMiss {
  event_id: string;
  event_title: string;
  task_id: string;
  task_title: string;
  outcome: 'late' | 'never';
  due?: string | null;
  done_at?: string | null;
  link: string;
}

export interface OpenAtDeparture {
  event_id: string;
  event_title: string;
  departed_at: string;
  open_tasks: string[];
  link: string;
}

/** A trip not back by its return plus the org's grace: what set off an overdue alert. */
export interface OverdueReturn {
  event_id: string;
  event_title: string;
  /** The expected return. */
  due_back: string;
  /** When it was marked returned; absent if not by the end of the week. */
  returned_at?: string | null;
  link: string;
}

export interface Safety {
  misses: SafetyMiss[];
  late: number;
  never: number;
  departed_with_open_tasks: OpenAtDeparture[];
  /** Absent from reports of older servers. */
  overdue_returns?: OverdueReturn[];
}

export interface CrewLine {
  email: string;
  name?: string | null;
  events: number;
  hours_on_duty: number;
  tasks_done: number;
  nudges_received: number;
}

export interface ShortOfCrew {
  event_id: string;
  event_title: string;
  assigned: number;
  needed: number;
  link: string;
}

export interface CrewReport {
  members: CrewLine[];
  short_of_crew: ShortOfCrew[];
}

export interface Finance {
  revenue_cents: number;
  by_kind: Partial<Record<EventKind, number>>;
  by_vessel: Record<string, number>;
  hours_underway: number;
  revenue_per_hour_underway_cents?: number | null;
  utilisation: { vessel: string; hours_underway: number; percent: number }[];
  week_hours: number;
}

export interface ReportException {
  org_id: string;
  severity: number;
  summary: string;
  link?: string | null;
}

export interface OrgSummaryLine {
  org_id: string;
  org_name: string;
  this_week: Kpis;
  last_week: Kpis;
}

export interface ExecutiveSummary {
  orgs: OrgSummaryLine[];
  exceptions: ReportException[];
}

export interface PerspectiveData {
  operations: Operations;
  safety: Safety;
  crew: CrewReport;
  finance: Finance;
  executive_summary: ExecutiveSummary;
}

export interface WeeklyReport<P extends Perspective = Perspective> {
  week: string;
  perspective: P;
  org_id: string;
  org_name: string;
  /** Local start and end of the week (RFC 3339 with the org's offset). */
  starts: string;
  ends: string;
  kpis: Kpis;
  last_week_kpis: Kpis;
  data: PerspectiveData[P];
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
