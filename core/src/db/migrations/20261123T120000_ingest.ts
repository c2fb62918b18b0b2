/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Ingest: interactions as the recorder opens them, their chunks (the landing zone: a chunk is
 * durable when its row commits), and PCI pause/resume markers on the interaction timeline.
 */
const UP = [
  `CREATE TABLE interactions (
  id uuid PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES users(id),
  team_id uuid REFERENCES teams(id) ON DELETE SET NULL,
  call_id text,
  direction text CHECK (direction IN ('inbound', 'outbound')),
  status text NOT NULL CHECK (status IN ('recording', 'ended', 'finalizing', 'ready', 'failed')),
  end_reason text CHECK (end_reason IN ('ended', 'idle-timeout')),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  clock_offset_ms integer NOT NULL DEFAULT 0,
  audio_channels smallint,
  timeline_ms integer,
  manifest_store text,
  manifest_key text,
  finalize_error text,
  last_data_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE INDEX interactions_agent_started ON interactions (agent_id, started_at DESC)`,
  `CREATE INDEX interactions_team_started ON interactions (team_id, started_at DESC)`,
  `CREATE INDEX interactions_open ON interactions (agent_id) WHERE status = 'recording'`,
  `CREATE INDEX interactions_call ON interactions (call_id) WHERE call_id IS NOT NULL`,
  `CREATE TABLE interaction_chunks (
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  stream text NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  start_ms integer NOT NULL,
  end_ms integer NOT NULL,
  event_count integer,
  bytes integer NOT NULL,
  sha256 text NOT NULL,
  payload bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (interaction_id, stream, seq)
)`,
  `CREATE TABLE interaction_markers (
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('pause', 'resume')),
  at_ms integer NOT NULL,
  reason text,
  PRIMARY KEY (interaction_id, kind, at_ms)
)`,
];

const DOWN = [`DROP TABLE interaction_markers`, `DROP TABLE interaction_chunks`, `DROP TABLE interactions`];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
