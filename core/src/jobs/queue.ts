import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { JobLedger } from './ledger.js';
import { backoffDelay, type JobPolicies, type JobPolicy } from './policy.js';

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1-based; counts every start recorded in the ledger, including ones a crash interrupted. */
  attempt: number;
  /** Aborted when the attempt times out or the process shuts down: stop work and reject. */
  signal: AbortSignal;
  /**
   * Clamped to 0..1 and persisted to job_runs.progress, throttled. Do not await it inside a
   * database transaction: embedded PGlite has one connection, and the write would wait for it.
   */
  progress(fraction: number): Promise<void>;
  log: (msg: string) => void;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;
/** Exhaustive: a missing handler fails to compile. */
export type JobHandlers<M> = { [K in keyof M]: JobHandler<M[K]> };

export interface EnqueueOptions {
  /** Deterministic: the same work always gets the same id, so requesting it twice runs it once. */
  jobId: string;
  delayMs?: number;
}

export interface JobQueue<M> {
  readonly driver: 'in-process' | 'bullmq';
  /** The job types this queue knows (the keys of its policy table). */
  readonly types: ReadonlyArray<keyof M & string>;
  /**
   * Records the job in job_runs (unless it is already queued, running or done with that id) and
   * hands it to the queue. Same jobId twice = one execution; a failed job requested again runs
   * again. `enqueued` is false only when the job is already done.
   *
   * With `trx` (which must come from {@link JobQueue.transaction}) the row is written in that
   * transaction and the job is handed over only after it commits.
   */
  enqueue<K extends keyof M & string>(type: K, payload: M[K], opts: EnqueueOptions, trx?: Kysely<DB>): Promise<{ enqueued: boolean }>;
  /**
   * Runs `work` in one database transaction. Jobs enqueued with its `trx` commit with the domain
   * change and reach the queue only after the commit; a rollback leaves neither row nor job. If
   * the process dies between commit and handover, the row stays 'queued' for the reconciler.
   */
  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** Starts consuming with these handlers (embedded: in the server process; production: in the workers process). */
  start(handlers: JobHandlers<M>): Promise<void>;
  /** Stops taking new jobs, waits for running ones (up to a timeout), closes connections. */
  close(): Promise<void>;
}

/** Thrown by a handler for input that can never succeed: no retry, the job fails at once. */
export class UnrecoverableJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnrecoverableJobError';
  }
}

/** The reason an attempt's signal is aborted when it runs past its policy's timeoutMs. */
export class JobTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Job attempt timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

export interface DriverOptions<M> {
  db: Kysely<DB>;
  policy: JobPolicies<M>;
  log: (msg: string) => void;
  /** How long close() waits for running jobs before aborting their signals (default 10 s). */
  closeTimeoutMs?: number;
}

/** A job on its way from the ledger to a driver. */
export interface QueuedJob {
  type: string;
  jobId: string;
  payload: unknown;
  delayMs?: number | undefined;
}

/**
 * What both drivers share: enqueue = ledger first, then the driver's dispatch; transactions whose
 * jobs are dispatched after commit. A driver only decides how a dispatched job reaches runAttempt.
 */
export abstract class LedgeredJobQueue<M> implements JobQueue<M> {
  abstract readonly driver: 'in-process' | 'bullmq';
  readonly types: ReadonlyArray<keyof M & string>;
  protected readonly ledger: JobLedger;
  protected readonly log: (msg: string) => void;
  protected readonly closeTimeoutMs: number;
  /** Jobs enqueued inside a transaction opened by transaction(), waiting for its commit. */
  private readonly awaitingCommit = new WeakMap<Kysely<DB>, QueuedJob[]>();

  constructor(protected readonly opts: DriverOptions<M>) {
    this.types = Object.keys(opts.policy) as (keyof M & string)[];
    this.ledger = new JobLedger(opts.db);
    this.log = opts.log;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  }

  async enqueue<K extends keyof M & string>(type: K, payload: M[K], opts: EnqueueOptions, trx?: Kysely<DB>): Promise<{ enqueued: boolean }> {
    this.policyOf(type);
    const pending = trx ? this.awaitingCommit.get(trx) : undefined;
    if (trx && !pending) {
      // Fail loudly: with a foreign transaction we could not know when it commits, and handing the
      // job over before the commit would run it against data that may still roll back.
      throw new Error('enqueue(..., trx) needs a transaction opened by queue.transaction(), which hands the job over after commit.');
    }
    const outcome = await this.ledger.request({ jobId: opts.jobId, type, payload }, trx);
    if (outcome === 'done') return { enqueued: false };
    const job: QueuedJob = { type, jobId: opts.jobId, payload, delayMs: opts.delayMs };
    if (pending) pending.push(job);
    else await this.dispatch(job);
    return { enqueued: true };
  }

  async transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    const jobs: QueuedJob[] = [];
    const result = await this.opts.db.transaction().execute((trx) => {
      this.awaitingCommit.set(trx, jobs);
      return work(trx);
    });
    for (const job of jobs) {
      try {
        await this.dispatch(job);
      } catch (err) {
        // The domain change is committed and must not be reported as failed; the 'queued' row
        // is durable and the reconciler hands it over at the next start-up.
        this.log(`job ${job.jobId} committed but not handed to the queue (the reconciler will): ${String(err)}`);
      }
    }
    return result;
  }

  protected policyOf(type: string): JobPolicy {
    const policy = (this.opts.policy as Record<string, JobPolicy | undefined>)[type];
    if (!policy) throw new Error(`Unknown job type "${type}": add it to the payload map and the policy table.`);
    return policy;
  }

  /** Hands a recorded job to the queue; idempotent per jobId while the job is waiting or running. */
  protected abstract dispatch(job: QueuedJob): Promise<void>;
  abstract start(handlers: JobHandlers<M>): Promise<void>;
  abstract close(): Promise<void>;
}

export type AttemptOutcome =
  | { kind: 'skipped' }
  | { kind: 'done'; attempt: number }
  | { kind: 'retry'; attempt: number; error: unknown; delayMs: number }
  | { kind: 'failed'; attempt: number; error: unknown }
  /** Shutdown aborted it: the row is back to 'queued' for the reconciler, whatever the budget. */
  | { kind: 'interrupted'; attempt: number; error: unknown };

/**
 * One attempt with the ledger around it, the same for both drivers: start (or skip a job the
 * ledger says is finished), run the handler against the timeout, then record done, retry or
 * failed. The retry budget is the ledger's attempt count, so attempts interrupted by crashes count.
 * `lingering` receives the handler's own promise: after a timeout it may still be running.
 */
export async function runAttempt<P>(args: {
  ledger: JobLedger;
  job: { type: string; jobId: string; payload: P };
  handler: JobHandler<P>;
  policy: JobPolicy;
  log: (msg: string) => void;
  shutdown: AbortSignal;
  lingering: (settled: Promise<void>) => void;
}): Promise<AttemptOutcome> {
  const { ledger, job, policy } = args;
  const attempt = await ledger.start(job.jobId);
  if (attempt === null) return { kind: 'skipped' };

  const controller = new AbortController();
  const onShutdown = () => controller.abort(args.shutdown.reason);
  args.shutdown.addEventListener('abort', onShutdown, { once: true });
  const progress = throttledProgress((f) => ledger.progress(job.jobId, f), args.log);
  const ctx: JobContext = {
    jobId: job.jobId,
    attempt,
    signal: controller.signal,
    progress: progress.update,
    log: (msg) => args.log(`[${job.type} ${job.jobId} #${attempt}] ${msg}`),
  };

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(policy.timeoutMs);
      controller.abort(error);
      reject(error);
    }, policy.timeoutMs);
  });
  const running = Promise.resolve().then(() => args.handler(job.payload, ctx));
  args.lingering(running.then(noop, noop));

  let failure: { error: unknown } | undefined;
  try {
    await Promise.race([running, timedOut]);
  } catch (error) {
    failure = { error };
  } finally {
    clearTimeout(timer);
    args.shutdown.removeEventListener('abort', onShutdown);
    await progress.end();
  }

  if (!failure) {
    await ledger.done(job.jobId);
    return { kind: 'done', attempt };
  }
  const { error } = failure;
  if (args.shutdown.aborted) {
    await ledger.retry(job.jobId, error);
    return { kind: 'interrupted', attempt, error };
  }
  if (error instanceof UnrecoverableJobError || attempt >= policy.attempts) {
    await ledger.fail(job.jobId, error);
    return { kind: 'failed', attempt, error };
  }
  await ledger.retry(job.jobId, error);
  return { kind: 'retry', attempt, error, delayMs: backoffDelay(policy, attempt) };
}

const PROGRESS_INTERVAL_MS = 500;

/**
 * Leading-edge write, then at most one write per interval carrying the latest value, so a
 * handler reporting per frame does not turn into a database write per frame.
 */
function throttledProgress(write: (fraction: number) => Promise<void>, log: (msg: string) => void) {
  let lastWrite = 0;
  let latest: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  let ended = false;
  const flushNow = () => {
    if (latest === undefined) return chain;
    const value = latest;
    latest = undefined;
    lastWrite = Date.now();
    // Progress is advisory: a failed write is logged, never fails the job.
    chain = chain.then(() => write(value)).catch((err: unknown) => log(`progress not saved: ${String(err)}`));
    return chain;
  };
  return {
    update: (fraction: number): Promise<void> => {
      // A handler abandoned at its timeout may still report: that belongs to no attempt now.
      if (ended) return Promise.resolve();
      latest = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      const wait = lastWrite + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0 && !timer) return flushNow();
      timer ??= setTimeout(() => {
        timer = undefined;
        void flushNow();
      }, wait);
      return Promise.resolve();
    },
    /** Writes the last value and ignores later updates. */
    end: (): Promise<void> => {
      ended = true;
      clearTimeout(timer);
      timer = undefined;
      return flushNow();
    },
  };
}

function noop() {}
