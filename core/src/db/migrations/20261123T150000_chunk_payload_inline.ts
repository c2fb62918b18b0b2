/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import type { Kysely } from 'kysely';
import { runStatements } from './run-statements.js';

/**
 * Chunk rows (~3–5 KB: a second of Opus or of rrweb JSON) stay whole in the heap page. By default
 * PostgreSQL toasts any row over ~2 KB: it tries pglz on the payload (Opus does not compress) and
 * then moves it out of line into the TOAST table, an extra heap and index insert per chunk. With
 * a toast target of 8160 bytes rows below that are left alone; larger ones (full snapshots) are
 * still compressed and moved as before. Measured with bench/ingest/db-paths.ts (BENCHMARKS.md,
 * "ingest").
 */
const UP = [`ALTER TABLE interaction_chunks SET (toast_tuple_target = 8160)`];
const DOWN = [`ALTER TABLE interaction_chunks RESET (toast_tuple_target)`];

export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, UP);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, DOWN);
}
