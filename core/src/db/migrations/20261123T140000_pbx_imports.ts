/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * PBX imports: integration tokens (how a phone system or CTI connector authenticates) and one
 * row per imported call recording, from upload to the interaction it joined or created.
 */
const UP = [
  `CREATE TABLE integration_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  label text NOT NULL,
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['import', 'cti']::text[]),
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
)`,
  `CREATE TABLE interaction_imports (
  id uuid PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES users(id),
  call_id text NOT NULL,
  direction text CHECK (direction IN ('inbound', 'outbound')),
  started_at timestamptz NOT NULL,
  container text NOT NULL CHECK (container IN ('wav', 'mp3', 'ogg', 'webm')),
  content_type text NOT NULL,
  filename text,
  bytes integer NOT NULL CHECK (bytes > 0),
  sha256 text NOT NULL,
  original_store text NOT NULL,
  original_key text NOT NULL,
  created_by_user uuid REFERENCES users(id) ON DELETE SET NULL,
  created_by_token uuid REFERENCES integration_tokens(id) ON DELETE SET NULL,
  state text NOT NULL CHECK (state IN ('queued', 'processing', 'waiting', 'done', 'failed')),
  error text,
  interaction_id uuid REFERENCES interactions(id) ON DELETE SET NULL,
  placement text CHECK (placement IN ('joined', 'voice-only')),
  offset_ms integer,
  duration_ms integer,
  audio_key text,
  previous_manifest_key text,
  previous_audio jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (agent_id, call_id, sha256)
)`,
  `CREATE INDEX interaction_imports_waiting ON interaction_imports (interaction_id) WHERE state = 'waiting'`,
  `CREATE INDEX interaction_imports_token ON interaction_imports (created_by_token, created_at DESC)`,
];

const DOWN = [`DROP TABLE interaction_imports`, `DROP TABLE integration_tokens`];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
