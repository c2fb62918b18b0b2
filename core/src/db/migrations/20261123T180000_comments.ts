/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Coaching comments pinned to moments of an interaction, and what the library needs to sort
 * 100,000 interactions quickly:
 * - `duration_ms`, a stored generated column (NULL while recording), so duration filters and the
 *   duration sort read a column an index can hold instead of computing an interval per row;
 * - one index per sort order the library offers, each ending in `id` (the cursor's tie-break),
 *   so a page is an index range scan from the cursor, whichever page it is. Duration is indexed
 *   with its NULLs (still recording) mapped to the far end of each direction, so they come last
 *   both longest-first and shortest-first.
 */
const UP = [
  `CREATE TABLE interaction_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  interaction_id uuid NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
  author_id uuid REFERENCES users(id) ON DELETE SET NULL,
  at_ms integer NOT NULL CHECK (at_ms >= 0),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  visibility text NOT NULL CHECK (visibility IN ('private', 'agent')),
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz
)`,
  `CREATE INDEX interaction_comments_moment ON interaction_comments (interaction_id, at_ms)`,
  `ALTER TABLE interactions ADD COLUMN duration_ms bigint GENERATED ALWAYS AS ((extract(epoch FROM (ended_at - started_at)) * 1000)::bigint) STORED`,
  `CREATE INDEX interactions_started_id ON interactions (started_at, id)`,
  `CREATE INDEX interactions_longest ON interactions ((COALESCE(duration_ms, -1)), id)`,
  `CREATE INDEX interactions_shortest ON interactions ((COALESCE(duration_ms, 9007199254740991)), id)`,
  `CREATE INDEX interactions_agent_started_id ON interactions (agent_id, started_at, id)`,
  `CREATE INDEX users_display_name ON users (display_name, id)`,
];

const DOWN = [
  `DROP INDEX users_display_name`,
  `DROP INDEX interactions_agent_started_id`,
  `DROP INDEX interactions_shortest`,
  `DROP INDEX interactions_longest`,
  `DROP INDEX interactions_started_id`,
  `ALTER TABLE interactions DROP COLUMN duration_ms`,
  `DROP TABLE interaction_comments`,
];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
