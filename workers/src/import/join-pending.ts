import type { Kysely } from 'kysely';
import { importJoinJobId, type DB, type JobDeps } from '@duet/core';

/**
 * Asks for the join of every import that waited for this interaction to be finalized. Called by
 * finalization once the interaction is ready: best inside its closing transaction (pass `trx`,
 * from `jobs.transaction`, after the row is marked ready), so the requests commit with `ready` and
 * no crash can fall between them; the reconciler's `waitingImportsReady` covers callers that ask
 * after their commit. Only requests jobs: the join itself (an Opus encode) runs as an
 * `import-audio` job, so finalization neither waits for it nor fails with it.
 *
 * Why no import is missed: an import decides to wait with the interaction's row locked, and
 * finalization's update to `ready` takes the same lock, so an import either sees `ready` (and
 * joins by itself) or has committed `waiting` before this reads.
 */
export async function joinPendingImports(deps: Pick<JobDeps, 'db' | 'jobs'>, interactionId: string, trx?: Kysely<DB>): Promise<number> {
  const db = trx ?? deps.db;
  const waiting = await db.selectFrom('interaction_imports').select('id').where('interaction_id', '=', interactionId).where('state', '=', 'waiting').orderBy('created_at').execute();
  for (const w of waiting) await deps.jobs.enqueue('import-audio', { importId: w.id }, { jobId: importJoinJobId(w.id, interactionId) }, trx);
  return waiting.length;
}
