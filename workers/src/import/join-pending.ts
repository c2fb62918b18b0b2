import { importJoinJobId, type JobDeps } from '@duet/core';

/**
 * Asks for the join of every import that waited for this interaction to be finalized. Called by
 * finalization once the interaction is ready (after its commit); the reconciler's
 * `waitingImportsReady` covers a crash in between. Only requests jobs: the join itself (an Opus
 * encode) runs as an `import-audio` job, so finalization neither waits for it nor fails with it.
 */
export async function joinPendingImports(deps: Pick<JobDeps, 'db' | 'jobs'>, interactionId: string): Promise<number> {
  const waiting = await deps.db.selectFrom('interaction_imports').select('id').where('interaction_id', '=', interactionId).where('state', '=', 'waiting').orderBy('created_at').execute();
  for (const w of waiting) await deps.jobs.enqueue('import-audio', { importId: w.id }, { jobId: importJoinJobId(w.id, interactionId) });
  return waiting.length;
}
