import type { JobType } from './types.js';

/** How one job type is run, whatever the driver. */
export interface JobPolicy {
  /** Total attempts, the first included (1 = never retried). */
  attempts: number;
  /** Exponential backoff base: attempt n+1 waits backoffMs * 2^(n-1) after attempt n failed. */
  backoffMs: number;
  /** Jobs of this type running at once in one process (each worker process has its own budget). */
  concurrency: number;
  /** Per attempt: the handler's signal is aborted and the attempt counts as failed. */
  timeoutMs: number;
}

export type JobPolicies<M> = { [K in keyof M]: JobPolicy };

/** The one table of job policies (PeerTube keeps JOB_ATTEMPTS / JOB_CONCURRENCY / JOB_TTL the same way). */
export const JOB_POLICY: { [K in JobType]: JobPolicy } = {
  // Housekeeping: cheap, idempotent, and the next run catches up anyway, so few quick retries.
  'purge-expired-sessions': { attempts: 3, backoffMs: 30_000, concurrency: 1, timeoutMs: 5 * 60_000 },
  'close-idle-interactions': { attempts: 3, backoffMs: 5_000, concurrency: 1, timeoutMs: 60_000 },
  // Media work: CPU-bound ffmpeg remuxes, so two at a time on a 2-core worker; generous timeout
  // for multi-hour calls; retried because failures are mostly transient (store, DB, a killed worker).
  'finalize-interaction': { attempts: 5, backoffMs: 10_000, concurrency: 2, timeoutMs: 15 * 60_000 },
  // One full decode of the call (about 10 s of CPU per recorded hour here): one at a time, so it
  // never competes with finalizations for the second core.
  'analyze-audio': { attempts: 5, backoffMs: 10_000, concurrency: 1, timeoutMs: 30 * 60_000 },
  // A full decode plus one Opus encode of an uploaded call (about 1 min of CPU per recorded hour):
  // one at a time so it never takes both cores from finalizations; a bad file fails at once
  // (unrecoverable), so retries are only for transient store/DB trouble.
  'import-audio': { attempts: 4, backoffMs: 10_000, concurrency: 1, timeoutMs: 30 * 60_000 },
  // A few queries and inserts per plan in one transaction; one at a time so two plans never race
  // for the same interaction; retried because the next hourly run would only repeat the same id.
  'run-sampling-plans': { attempts: 3, backoffMs: 30_000, concurrency: 1, timeoutMs: 5 * 60_000 },
};

/** Delay before the attempt after `failedAttempt` (1-based), the same formula BullMQ uses. */
export function backoffDelay(policy: JobPolicy, failedAttempt: number): number {
  return Math.round(policy.backoffMs * 2 ** (failedAttempt - 1));
}
