import { closeIdleInteractions, UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import type { WorkerDeps } from '../deps.js';

/** Scheduled every minute: interactions silent for `idleMinutes` without an `end` are ended by timeout. */
export function closeIdleInteractionsJob(deps: Pick<WorkerDeps, 'db'>): JobHandler<JobPayloads['close-idle-interactions']> {
  return async ({ idleMinutes }, ctx) => {
    if (!Number.isFinite(idleMinutes) || idleMinutes < 1) throw new UnrecoverableJobError(`idleMinutes must be >= 1, got ${String(idleMinutes)}`);
    const closed = await closeIdleInteractions(deps.db, idleMinutes * 60_000);
    if (closed) ctx.log(`ended ${closed} interaction(s) idle for over ${idleMinutes} min`);
  };
}
