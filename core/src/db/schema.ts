import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Answers, SamplingFilters, ScorecardDefinition, ScoreResult } from '@duet/protocol';

/**
 * Table types for Kysely. One SQL dialect (PostgreSQL) serves PGlite and PostgreSQL alike, so
 * these types are the only description of the schema besides the migrations themselves.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default (now()). */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T = Record<string, unknown>> = ColumnType<T, string | T, string | T>;

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  password_hash: string;
  employment_type: 'full_time' | 'part_time' | null;
  disabled: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface UserRolesTable {
  user_id: string;
  role: 'admin' | 'supervisor' | 'qa' | 'trainer' | 'executive' | 'agent';
}

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  supervisor_id: string | null;
  trainer_id: string | null;
  created_at: DefaultTimestamp;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

export interface AccessGrantsTable {
  id: Generated<string>;
  user_id: string;
  team_id: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value: a leaked table does not yield usable sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface LoginAttemptsTable {
  id: Generated<string>;
  username: string;
  ip: string;
  success: boolean;
  at: DefaultTimestamp;
}

export interface RecorderTokensTable {
  id: Generated<string>;
  agent_id: string;
  label: string;
  /** First characters of the token, shown in lists so admins can tell tokens apart. */
  prefix: string;
  token_hash: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: DefaultTimestamp;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  detail: Json;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobRunsTable {
  /** Deterministic id: the same work always gets the same id, so requesting it twice is harmless. */
  job_id: string;
  type: string;
  payload: Json;
  state: JobState;
  attempts: Generated<number>;
  progress: Generated<number>;
  last_error: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

export type InteractionStatus = 'recording' | 'ended' | 'finalizing' | 'ready' | 'failed';

export interface InteractionsTable {
  /** made by the recorder (UUID v4) */
  id: string;
  agent_id: string;
  /** the agent's team when recording started: authorization scopes by it */
  team_id: string | null;
  call_id: string | null;
  direction: 'inbound' | 'outbound' | null;
  status: InteractionStatus;
  end_reason: 'ended' | 'idle-timeout' | null;
  /** server time of the timeline's zero */
  started_at: Timestamp;
  ended_at: NullableTimestamp;
  /** agent clock minus server clock, measured at connect */
  clock_offset_ms: Generated<number>;
  audio_channels: number | null;
  /** set by finalization: the timeline's length */
  timeline_ms: number | null;
  /** where the manifest is: a store name and a key, never a path or URL */
  manifest_store: string | null;
  manifest_key: string | null;
  /** why finalization failed for good, shown to people */
  finalize_error: string | null;
  last_data_at: DefaultTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  /** generated from ended_at - started_at (NULL while recording); bigint, so a string from pg */
  duration_ms: ColumnType<string | number | null, never, never>;
}

export interface InteractionChunksTable {
  interaction_id: string;
  stream: string;
  seq: number;
  /** capture start/end on the interaction timeline (ms since its start) */
  start_ms: number;
  end_ms: number;
  event_count: number | null;
  bytes: number;
  sha256: string;
  /** a Buffer from pg, a plain Uint8Array from PGlite */
  payload: Uint8Array;
  received_at: DefaultTimestamp;
}

export interface InteractionMarkersTable {
  interaction_id: string;
  kind: 'pause' | 'resume' | 'focus';
  /** `audio`, `screen:<tab>`, or '' for the whole recorder (single-tab recorders) */
  stream: Generated<string>;
  at_ms: number;
  reason: string | null;
}

/** Coaching comments pinned to a moment; `private` for reviewers, `agent` also for the agent. */
export interface InteractionCommentsTable {
  id: Generated<string>;
  interaction_id: string;
  author_id: string | null;
  at_ms: number;
  body: string;
  visibility: 'private' | 'agent';
  created_at: DefaultTimestamp;
  edited_at: NullableTimestamp;
}

export type IntegrationScope = 'import' | 'cti';

/** Tokens for systems (a PBX, a CTI connector), not people: scoped, shown once, stored as SHA-256. */
export interface IntegrationTokensTable {
  id: Generated<string>;
  label: string;
  scopes: IntegrationScope[];
  prefix: string;
  token_hash: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export type ImportState = 'queued' | 'processing' | 'waiting' | 'done' | 'failed';

/** One call recording uploaded by a phone system, from upload to the interaction it joined or made. */
export interface InteractionImportsTable {
  id: string;
  agent_id: string;
  call_id: string;
  direction: 'inbound' | 'outbound' | null;
  /** when the PBX says the recording starts */
  started_at: Timestamp;
  /** what the first bytes say it is (never the client's claim) */
  container: 'wav' | 'mp3' | 'ogg' | 'webm';
  content_type: string;
  filename: string | null;
  bytes: number;
  sha256: string;
  original_store: string;
  original_key: string;
  created_by_user: string | null;
  created_by_token: string | null;
  state: ImportState;
  /** why it was refused or failed, shown to the caller */
  error: string | null;
  interaction_id: string | null;
  placement: 'joined' | 'voice-only' | null;
  /** where the audio starts on the interaction timeline before any left extension (may be negative) */
  offset_ms: number | null;
  duration_ms: number | null;
  /** the timeline audio made from this import */
  audio_key: string | null;
  /** what a join replaced: the manifest before it and its audio track (the objects are kept) */
  previous_manifest_key: string | null;
  previous_audio: Json<Record<string, unknown>> | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

// ─── quality scoring ──────────────────────────────────────────────────────────────────────────

export interface ScorecardsTable {
  id: Generated<string>;
  name: string;
  status: ColumnType<'active' | 'archived', 'active' | 'archived' | undefined, 'active' | 'archived'>;
  /** set for built-in examples (`be-sure`), so seeding twice finds the first */
  built_in: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** Immutable once published (a trigger refuses changes): evaluations point at the version they used. */
export interface ScorecardVersionsTable {
  id: Generated<string>;
  scorecard_id: string;
  version: number;
  definition: Json<ScorecardDefinition>;
  published_at: NullableTimestamp;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export type EvaluationKindColumn = 'supervisor' | 'self' | 'calibration';
export type EvaluationStateColumn = 'draft' | 'submitted' | 'acknowledged' | 'disputed' | 'resolved';

export interface EvaluationsTable {
  id: Generated<string>;
  interaction_id: string;
  agent_id: string;
  /** the interaction's team, copied so listing and fairness need no join */
  team_id: string | null;
  evaluator_id: string;
  scorecard_version_id: string;
  kind: EvaluationKindColumn;
  state: EvaluationStateColumn;
  answers: Json<Answers>;
  comment: string | null;
  score: Json<ScoreResult>;
  /** score.percent, as a column for sorting and averages */
  percent: number | null;
  critical_failed: Generated<boolean>;
  /** bumped by every save: stale autosaves are refused */
  revision: Generated<number>;
  assignment_id: string | null;
  calibration_session_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  submitted_at: NullableTimestamp;
  agent_seen_at: NullableTimestamp;
}

export interface EvaluationEventsTable {
  id: Generated<string>;
  evaluation_id: string;
  at: DefaultTimestamp;
  actor_id: string | null;
  /** created, submitted, acknowledged, disputed, dispute_upheld, answers_changed, seen */
  kind: string;
  detail: Json;
}

export interface DisputesTable {
  id: Generated<string>;
  evaluation_id: string;
  raised_by: string;
  reason: string | null;
  questions: Json<{ questionId: string; reason: string }[]>;
  reviewer_id: string | null;
  state: ColumnType<'open' | 'upheld' | 'changed', 'open' | 'upheld' | 'changed' | undefined, 'open' | 'upheld' | 'changed'>;
  resolved_by: string | null;
  resolution: string | null;
  created_at: DefaultTimestamp;
  resolved_at: NullableTimestamp;
}

export interface CalibrationSessionsTable {
  id: Generated<string>;
  title: string;
  interaction_id: string;
  scorecard_version_id: string;
  owner_id: string;
  state: ColumnType<'open' | 'revealed', 'open' | 'revealed' | undefined, 'open' | 'revealed'>;
  reference_answers: Json<Answers> | null;
  reference_comment: string | null;
  due_at: NullableTimestamp;
  created_at: DefaultTimestamp;
  revealed_at: NullableTimestamp;
}

export interface CalibrationParticipantsTable {
  session_id: string;
  user_id: string;
}

export interface SamplingPlansTable {
  id: Generated<string>;
  name: string;
  scorecard_id: string;
  period: 'week' | 'month';
  per_agent: number;
  filters: Json<SamplingFilters>;
  evaluator_ids: Json<string[]>;
  due_days: number;
  active: Generated<boolean>;
  /** secret per plan: the sample is reproducible for a plan and period, unpredictable to agents */
  seed: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SamplingAssignmentsTable {
  id: Generated<string>;
  plan_id: string;
  /** `2026-W47` or `2026-11` */
  period: string;
  interaction_id: string;
  agent_id: string;
  evaluator_id: string;
  due_at: Timestamp;
  state: ColumnType<'open' | 'done', 'open' | 'done' | undefined, 'open' | 'done'>;
  evaluation_id: string | null;
  created_at: DefaultTimestamp;
}

/** In-app notifications, one row per recipient (an evaluation submitted, a dispute to review or decided). */
export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: 'evaluation_submitted' | 'dispute_raised' | 'dispute_resolved';
  title: string;
  body: string | null;
  link: string | null;
  evaluation_id: string | null;
  created_at: DefaultTimestamp;
  read_at: NullableTimestamp;
}

export interface DB {
  users: UsersTable;
  user_roles: UserRolesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  access_grants: AccessGrantsTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  recorder_tokens: RecorderTokensTable;
  audit_log: AuditLogTable;
  job_runs: JobRunsTable;
  interactions: InteractionsTable;
  interaction_chunks: InteractionChunksTable;
  interaction_markers: InteractionMarkersTable;
  interaction_comments: InteractionCommentsTable;
  integration_tokens: IntegrationTokensTable;
  interaction_imports: InteractionImportsTable;
  scorecards: ScorecardsTable;
  scorecard_versions: ScorecardVersionsTable;
  evaluations: EvaluationsTable;
  evaluation_events: EvaluationEventsTable;
  disputes: DisputesTable;
  calibration_sessions: CalibrationSessionsTable;
  calibration_participants: CalibrationParticipantsTable;
  sampling_plans: SamplingPlansTable;
  sampling_assignments: SamplingAssignmentsTable;
  notifications: NotificationsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type TeamRow = Selectable<TeamsTable>;
export type RecorderTokenRow = Selectable<RecorderTokensTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type JobRunRow = Selectable<JobRunsTable>;
export type IntegrationTokenRow = Selectable<IntegrationTokensTable>;
export type InteractionImportRow = Selectable<InteractionImportsTable>;
