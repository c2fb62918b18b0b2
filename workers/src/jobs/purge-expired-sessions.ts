import { UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import type { WorkerDeps } from '../deps.js';

/** Failed logins older than this no longer count towards rate limiting, so they are only clutter. */
const LOGIN_ATTEMPT_RETENTION_MS = 24 * 3600_000;

/**
 * Deletes sessions expired more than `olderThanMinutes` ago (default: any expired session) and
 * login attempts older than 24 h. Idempotent by nature: running it twice deletes nothing more.
 */
export function purgeExpiredSessions(deps: Pick<WorkerDeps, 'db'>): JobHandler<JobPayloads['purge-expired-sessions']> {
  return async ({ olderThanMinutes = 0 }, ctx) => {
    if (!Number.isFinite(olderThanMinutes) || olderThanMinutes < 0) {
      throw new UnrecoverableJobError(`olderThanMinutes must be a number >= 0, got ${String(olderThanMinutes)}`);
    }
    const now = Date.now();
    const sessionsBefore = new Date(now - olderThanMinutes * 60_000);
    const attemptsBefore = new Date(now - LOGIN_ATTEMPT_RETENTION_MS);
    ctx.signal.throwIfAborted();
    // One transaction, at the end, as every job changes state (ARCHITECTURE: contracts).
    const [sessions, attempts] = await deps.db.transaction().execute(async (trx) => [
      await trx.deleteFrom('sessions').where('expires_at', '<', sessionsBefore).executeTakeFirst(),
      await trx.deleteFrom('login_attempts').where('at', '<', attemptsBefore).executeTakeFirst(),
    ]);
    ctx.log(`purged ${sessions.numDeletedRows} expired sessions and ${attempts.numDeletedRows} old login attempts`);
  };
}
