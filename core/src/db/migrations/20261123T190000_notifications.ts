/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * In-app notifications, one row per recipient. The partial index serves the top bar's unread
 * count and the newest-first list, the two reads made on every page.
 */
const UP = [
  `CREATE TABLE notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('evaluation_submitted', 'dispute_raised', 'dispute_resolved')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  body text CHECK (length(body) <= 2000),
  link text CHECK (link LIKE '/%'),
  evaluation_id uuid REFERENCES evaluations(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
)`,
  `CREATE INDEX notifications_user_created ON notifications (user_id, created_at DESC, id)`,
  `CREATE INDEX notifications_user_unread ON notifications (user_id) WHERE read_at IS NULL`,
];

const DOWN = [`DROP TABLE notifications`];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
