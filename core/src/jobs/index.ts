import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { BullJobQueue } from './bullmq.js';
import { InProcessJobQueue } from './in-process.js';
import { JOB_POLICY, type JobPolicies } from './policy.js';
import type { JobQueue } from './queue.js';
import type { JobPayloads } from './types.js';

export interface JobQueueOptions<M> {
  db: Kysely<DB>;
  policy: JobPolicies<M>;
  /** Set: BullMQ on this Redis (production). Unset: the in-process driver (embedded). */
  redisUrl?: string | undefined;
  /** Namespaces the BullMQ queues (`${prefix}-${type}`); one per deployment, or per test. */
  prefix: string;
  log?: (msg: string) => void;
  /** How long close() waits for running jobs before aborting them (default 10 s). */
  closeTimeoutMs?: number;
}

/** One code path, two drivers: the choice is made here and nowhere else. Creating connects lazily. */
export function createJobQueue<M>(opts: JobQueueOptions<M>): JobQueue<M> {
  const common = { db: opts.db, policy: opts.policy, log: opts.log ?? (() => {}), closeTimeoutMs: opts.closeTimeoutMs };
  return opts.redisUrl
    ? new BullJobQueue<M>({ ...common, redisUrl: opts.redisUrl, prefix: opts.prefix })
    : new InProcessJobQueue<M>(common);
}

export type AppJobQueue = JobQueue<JobPayloads>;

/** The application's queue: Duet's job types with their policy table. */
export function createAppJobQueue(opts: Omit<JobQueueOptions<JobPayloads>, 'policy'>): AppJobQueue {
  return createJobQueue<JobPayloads>({ ...opts, policy: JOB_POLICY });
}

export type { JobPayloads, JobType } from './types.js';
export { JOB_POLICY, type JobPolicy, type JobPolicies } from './policy.js';
export {
  JobTimeoutError,
  UnrecoverableJobError,
  type EnqueueOptions,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type JobQueue,
} from './queue.js';
export { reconcileJobs, type ReconcileRequest, type ReconcileSource } from './reconciler.js';
export { appSchedule, startSchedule, type ScheduledJob } from './schedule.js';
