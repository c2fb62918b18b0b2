/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Foundation: people, teams, sessions, recorder tokens, the audit log and the job ledger.
 * Plain SQL so it reads in review; gen_random_uuid() is core PostgreSQL since 13 and in PGlite.
 */
const UP = [
  `CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  employment_type text CHECK (employment_type IN ('full_time', 'part_time')),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE user_roles (
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'supervisor', 'qa', 'trainer', 'executive', 'agent')),
  PRIMARY KEY (user_id, role)
)`,
  `CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  supervisor_id uuid REFERENCES users(id) ON DELETE SET NULL,
  trainer_id uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE team_members (
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (team_id, user_id)
)`,
  `CREATE INDEX team_members_user ON team_members (user_id)`,
  `CREATE TABLE access_grants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, team_id)
)`,
  `CREATE TABLE sessions (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
)`,
  `CREATE INDEX sessions_user ON sessions (user_id)`,
  `CREATE INDEX sessions_expires ON sessions (expires_at)`,
  `CREATE TABLE login_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL,
  ip text NOT NULL,
  success boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE INDEX login_attempts_username_at ON login_attempts (username, at)`,
  `CREATE INDEX login_attempts_ip_at ON login_attempts (ip, at)`,
  `CREATE TABLE recorder_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label text NOT NULL,
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
)`,
  `CREATE INDEX recorder_tokens_agent ON recorder_tokens (agent_id)`,
  `CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  action text NOT NULL,
  target_type text,
  target_id text,
  ip text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
)`,
  `CREATE INDEX audit_log_at ON audit_log (at)`,
  `CREATE INDEX audit_log_target ON audit_log (target_type, target_id)`,
  // Append-only: the log is evidence, so its rows cannot be changed or removed through SQL.
  // actor_id has no foreign key for the same reason: removing a user must not touch the log.
  `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END $$`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
  `CREATE TABLE job_runs (
  job_id text PRIMARY KEY,
  type text NOT NULL,
  payload jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  progress real NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
)`,
  `CREATE INDEX job_runs_unfinished ON job_runs (state) WHERE state IN ('queued', 'running')`,
];

const DOWN = [
  `DROP TABLE job_runs`,
  `DROP TRIGGER audit_log_no_truncate ON audit_log`,
  `DROP TRIGGER audit_log_no_update ON audit_log`,
  `DROP TABLE audit_log`,
  `DROP FUNCTION audit_log_append_only()`,
  `DROP TABLE recorder_tokens`,
  `DROP TABLE login_attempts`,
  `DROP TABLE sessions`,
  `DROP TABLE access_grants`,
  `DROP TABLE team_members`,
  `DROP TABLE teams`,
  `DROP TABLE user_roles`,
  `DROP TABLE users`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
