import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { LedgeredJobQueue, runAttempt, type DriverOptions, type JobHandler, type JobHandlers, type QueuedJob } from './queue.js';

/** What travels through Redis: our id (BullMQ's may be escaped) and the payload. */
interface BullJobData {
  jobId: string;
  payload: unknown;
}

export interface BullJobQueueOptions<M> extends DriverOptions<M> {
  redisUrl: string;
  /** Queue names are `${prefix}-${type}`: one deployment (or one test) per prefix. */
  prefix: string;
}

/**
 * The production driver: one BullMQ Queue per job type in every process (the server only
 * produces), one Worker per type in processes that call start(). Redis carries work; the
 * ledger in the database stays the truth, and BullMQ's retries are made to agree with it (see
 * process()).
 */
export class BullJobQueue<M> extends LedgeredJobQueue<M> {
  readonly driver = 'bullmq' as const;
  /** Shared by our Queues and Workers; BullMQ gives each Worker its own blocking duplicate. */
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly shutdown = new AbortController();
  /** Handlers still running after their attempt timed out; close() gives them a chance to end. */
  private readonly lingering = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(opts: BullJobQueueOptions<M>) {
    super(opts);
    // maxRetriesPerRequest: null is what BullMQ requires: commands wait out a Redis restart.
    this.connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', (err) => this.log(`redis: ${err.message}`));
    for (const type of this.types) {
      const queue = new Queue(bullQueueName(opts.prefix, type), { connection: this.connection });
      queue.on('error', (err) => this.log(`queue ${queue.name}: ${err.message}`));
      this.queues.set(type, queue);
    }
  }

  protected async dispatch(job: QueuedJob): Promise<void> {
    const queue = this.queues.get(job.type)!;
    const policy = this.policyOf(job.type);
    const id = toBullJobId(job.jobId);
    // BullMQ ignores an add whose id it still holds, finished ones included (kept for an hour or
    // a week). The ledger asks for this job again, so the finished copy is stale: drop it first.
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') await queue.remove(id);
    const data: BullJobData = { jobId: job.jobId, payload: job.payload };
    await queue.add(job.type, data, {
      jobId: id,
      delay: job.delayMs,
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async start(handlers: JobHandlers<M>): Promise<void> {
    if (this.closing) throw new Error('This job queue is closed; create a new one.');
    if (this.workers.length) throw new Error('This job queue is already started.');
    for (const type of this.types) {
      const handler = handlers[type] as JobHandler<unknown>;
      const worker = new Worker<BullJobData>(this.queues.get(type)!.name, (job) => this.process(type, job, handler), {
        connection: this.connection,
        concurrency: this.policyOf(type).concurrency,
      });
      worker.on('error', (err) => this.log(`worker ${worker.name}: ${err.message}`));
      worker.on('failed', (job) => void (job && this.redispatchIfRequested(type, job)));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    // Worker.close() waits for the active jobs; past the timeout their signals are aborted (the
    // rows go back to 'queued') and the workers are closed by force.
    const graceful = Promise.all(this.workers.map((w) => w.close()));
    if (!(await within(graceful, this.closeTimeoutMs))) {
      this.log(`job queue closing: jobs still running after ${this.closeTimeoutMs} ms, aborting them`);
      this.shutdown.abort(new Error('job queue closed while the job was running'));
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    await within(Promise.allSettled([...this.lingering]), 1_000);
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  /**
   * A failed job requested again while BullMQ was still finishing it: that add was ignored (the
   * id was still active), so the ledger's 'queued' row would wait for the next reconciliation.
   */
  private async redispatchIfRequested(type: string, job: Job<BullJobData>): Promise<void> {
    try {
      if (this.closing || (await job.getState()) !== 'failed') return; // retries wait as 'delayed'
      const row = await this.ledger.get(job.data.jobId);
      if (row?.state === 'queued') await this.dispatch({ type, jobId: row.job_id, payload: row.payload });
    } catch (err) {
      this.log(`job ${job.data.jobId}: could not check for a new request: ${String(err)}`);
    }
  }

  /**
   * One BullMQ attempt. The ledger decides: a job it calls finished is skipped; a retry is a
   * plain throw so BullMQ backs off and tries again; a final failure is thrown as BullMQ's
   * UnrecoverableError, so BullMQ stops even when its own attempt counter (reset when the
   * reconciler re-adds a job) would allow more.
   */
  private async process(type: string, job: Job<BullJobData>, handler: JobHandler<unknown>): Promise<void> {
    const outcome = await runAttempt({
      ledger: this.ledger,
      job: { type, jobId: job.data.jobId, payload: job.data.payload },
      handler,
      policy: this.policyOf(type),
      log: this.log,
      shutdown: this.shutdown.signal,
      lingering: (settled) => {
        this.lingering.add(settled);
        void settled.then(() => this.lingering.delete(settled));
      },
    });
    switch (outcome.kind) {
      case 'skipped':
      case 'done':
        return;
      case 'retry':
      case 'interrupted':
        throw asError(outcome.error);
      case 'failed':
        throw new UnrecoverableError(asError(outcome.error).message);
    }
  }
}

export function bullQueueName(prefix: string, type: string): string {
  return `${prefix}-${type}`;
}

/**
 * BullMQ refuses custom ids that contain ':' (its key separator, kept only for legacy repeat
 * ids) or that look like integers (they would collide with its own counter ids). Our ids are
 * deterministic strings such as `finalize:<uuid>`, so they are escaped injectively, the way
 * percent-encoding does: '%' → '%25', ':' → '%3A', and a leading digit or '-' of an integer-like
 * id → %XX. Distinct ids stay distinct; ordinary ids stay readable. job.data keeps the original.
 */
export function toBullJobId(jobId: string): string {
  const escaped = jobId.replace(/%/g, '%25').replace(/:/g, '%3A');
  if (`${parseInt(escaped, 10)}` !== escaped) return escaped;
  return `%${escaped.charCodeAt(0).toString(16).toUpperCase()}${escaped.slice(1)}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** True when `promise` settled (either way) within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([promise.then(() => true, () => true), timeout]);
  clearTimeout(timer);
  return done;
}
