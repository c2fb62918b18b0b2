import { closeIdleInteractions, finalizeJobId, UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import type { WorkerDeps } from '../deps.js';

/** Scheduled every minute: interactions silent for `idleMinutes` without an `end` are ended by timeout. */
export function closeIdleInteractionsJob(deps: Pick<WorkerDeps, 'db' | 'jobs'>): JobHandler<JobPayloads['close-idle-interactions']> {
  return async ({ idleMinutes }, ctx) => {
    if (!Number.isFinite(idleMinutes) || idleMinutes < 1) throw new UnrecoverableJobError(`idleMinutes must be >= 1, got ${String(idleMinutes)}`);
    const closed = await closeIdleInteractions(deps.db, idleMinutes * 60_000);
    // Were this process to die right here, the reconciler would still find them 'ended'.
    for (const interactionId of closed) await deps.jobs.enqueue('finalize-interaction', { interactionId }, { jobId: finalizeJobId(interactionId) });
    if (closed.length) ctx.log(`ended ${closed.length} interaction(s) idle for over ${idleMinutes} min`);
  };
}
