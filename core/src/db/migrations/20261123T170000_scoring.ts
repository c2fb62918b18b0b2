/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Quality scoring: scorecards and their immutable published versions, evaluations with their
 * history and disputes, calibration sessions, and sampling plans with their assignments.
 *
 * Published scorecard versions are evidence (every evaluation keeps the version it was made
 * with), so a trigger refuses to change or delete them, as the audit log does for its rows.
 */
const UP = [
  `CREATE TABLE scorecards (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  built_in text UNIQUE,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE scorecard_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scorecard_id uuid NOT NULL REFERENCES scorecards(id),
  version integer NOT NULL CHECK (version >= 1),
  definition jsonb NOT NULL,
  published_at timestamptz,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scorecard_id, version)
)`,
  // At most one unpublished draft per scorecard: editing replaces it until it is published.
  `CREATE UNIQUE INDEX scorecard_versions_one_draft ON scorecard_versions (scorecard_id) WHERE published_at IS NULL`,
  `CREATE FUNCTION scorecard_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.published_at IS NOT NULL THEN
    RAISE EXCEPTION 'scorecard version % of scorecard % is published and cannot change: save a new version', OLD.version, OLD.scorecard_id;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$`,
  `CREATE TRIGGER scorecard_versions_no_change BEFORE UPDATE OR DELETE ON scorecard_versions
  FOR EACH ROW EXECUTE FUNCTION scorecard_versions_frozen()`,
  `CREATE TABLE sampling_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  scorecard_id uuid NOT NULL REFERENCES scorecards(id),
  period text NOT NULL CHECK (period IN ('week', 'month')),
  per_agent integer NOT NULL CHECK (per_agent BETWEEN 1 AND 100),
  filters jsonb NOT NULL DEFAULT '{}'::jsonb,
  evaluator_ids jsonb NOT NULL,
  due_days integer NOT NULL CHECK (due_days BETWEEN 1 AND 60),
  active boolean NOT NULL DEFAULT true,
  seed text NOT NULL,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE sampling_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES sampling_plans(id) ON DELETE CASCADE,
  period text NOT NULL,
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  agent_id uuid NOT NULL REFERENCES users(id),
  evaluator_id uuid NOT NULL REFERENCES users(id),
  due_at timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
  evaluation_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plan_id, period, interaction_id)
)`,
  `CREATE INDEX sampling_assignments_evaluator ON sampling_assignments (evaluator_id, state, due_at)`,
  `CREATE INDEX sampling_assignments_interaction ON sampling_assignments (interaction_id)`,
  `CREATE TABLE calibration_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL,
  interaction_id uuid NOT NULL REFERENCES interactions(id),
  scorecard_version_id uuid NOT NULL REFERENCES scorecard_versions(id),
  owner_id uuid NOT NULL REFERENCES users(id),
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'revealed')),
  reference_answers jsonb,
  reference_comment text,
  due_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  revealed_at timestamptz
)`,
  `CREATE TABLE calibration_participants (
  session_id uuid NOT NULL REFERENCES calibration_sessions(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id),
  PRIMARY KEY (session_id, user_id)
)`,
  `CREATE INDEX calibration_participants_user ON calibration_participants (user_id)`,
  `CREATE TABLE evaluations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  interaction_id uuid NOT NULL REFERENCES interactions(id),
  agent_id uuid NOT NULL REFERENCES users(id),
  team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  evaluator_id uuid NOT NULL REFERENCES users(id),
  scorecard_version_id uuid NOT NULL REFERENCES scorecard_versions(id),
  kind text NOT NULL CHECK (kind IN ('supervisor', 'self', 'calibration')),
  state text NOT NULL CHECK (state IN ('draft', 'submitted', 'acknowledged', 'disputed', 'resolved')),
  answers jsonb NOT NULL DEFAULT '{}'::jsonb,
  comment text,
  score jsonb NOT NULL,
  percent double precision,
  critical_failed boolean NOT NULL DEFAULT false,
  revision integer NOT NULL DEFAULT 0,
  assignment_id uuid REFERENCES sampling_assignments(id) ON DELETE SET NULL,
  calibration_session_id uuid REFERENCES calibration_sessions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  submitted_at timestamptz,
  agent_seen_at timestamptz,
  CHECK ((kind = 'calibration') = (calibration_session_id IS NOT NULL)),
  CHECK (kind <> 'self' OR evaluator_id = agent_id)
)`,
  // One evaluation per evaluator, interaction and kind (a second "start" returns the first);
  // calibration: one per participant and session.
  `CREATE UNIQUE INDEX evaluations_one_per_evaluator ON evaluations (interaction_id, evaluator_id, kind) WHERE kind <> 'calibration'`,
  `CREATE UNIQUE INDEX evaluations_one_per_participant ON evaluations (calibration_session_id, evaluator_id) WHERE kind = 'calibration'`,
  `CREATE INDEX evaluations_agent ON evaluations (agent_id, submitted_at)`,
  `CREATE INDEX evaluations_evaluator ON evaluations (evaluator_id, state)`,
  `ALTER TABLE sampling_assignments ADD CONSTRAINT sampling_assignments_evaluation_fk FOREIGN KEY (evaluation_id) REFERENCES evaluations(id) ON DELETE SET NULL`,
  `CREATE TABLE evaluation_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  evaluation_id uuid NOT NULL REFERENCES evaluations(id),
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  kind text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
)`,
  `CREATE INDEX evaluation_events_evaluation ON evaluation_events (evaluation_id, id)`,
  `CREATE TABLE disputes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  evaluation_id uuid NOT NULL UNIQUE REFERENCES evaluations(id),
  raised_by uuid NOT NULL REFERENCES users(id),
  reason text,
  questions jsonb NOT NULL DEFAULT '[]'::jsonb,
  reviewer_id uuid REFERENCES users(id) ON DELETE SET NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'changed')),
  resolved_by uuid REFERENCES users(id) ON DELETE SET NULL,
  resolution text,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
)`,
  `CREATE INDEX disputes_open_reviewer ON disputes (reviewer_id) WHERE state = 'open'`,
];

const DOWN = [
  `DROP TABLE disputes`,
  `DROP TABLE evaluation_events`,
  `ALTER TABLE sampling_assignments DROP CONSTRAINT sampling_assignments_evaluation_fk`,
  `DROP TABLE evaluations`,
  `DROP TABLE calibration_participants`,
  `DROP TABLE calibration_sessions`,
  `DROP TABLE sampling_assignments`,
  `DROP TABLE sampling_plans`,
  `DROP TRIGGER scorecard_versions_no_change ON scorecard_versions`,
  `DROP TABLE scorecard_versions`,
  `DROP FUNCTION scorecard_versions_frozen()`,
  `DROP TABLE scorecards`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
