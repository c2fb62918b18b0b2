import { LedgeredJobQueue, runAttempt, type JobHandler, type JobHandlers, type QueuedJob } from './queue.js';

interface Entry extends QueuedJob {
  /** set while the job waits for its delay or its retry backoff */
  timer?: NodeJS.Timeout | undefined;
  running?: boolean;
  /** Requested again while running (e.g. a failed job re-requested as it failed): dispatched after. */
  again?: QueuedJob | undefined;
}

/**
 * The embedded driver: jobs run in this process with the same handlers, policy and ledger as
 * BullMQ. Nothing here is durable on purpose: waiting jobs live in memory and in job_runs, and
 * after a restart the reconciler hands the ledger's unfinished rows back to a fresh queue.
 */
export class InProcessJobQueue<M> extends LedgeredJobQueue<M> {
  readonly driver = 'in-process' as const;
  /** Every job waiting, delayed or running, by id: the dedupe set. */
  private readonly entries = new Map<string, Entry>();
  private readonly ready = new Map<string, Entry[]>();
  private readonly runningCount = new Map<string, number>();
  /** Attempts in flight and handlers still running after their timeout; close() waits for both. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private handlers: JobHandlers<M> | undefined;
  private closing = false;

  protected async dispatch(job: QueuedJob): Promise<void> {
    if (this.closing) return;
    const existing = this.entries.get(job.jobId);
    if (existing) {
      if (existing.running) existing.again = job;
      return;
    }
    const entry: Entry = { ...job };
    this.entries.set(job.jobId, entry);
    if (job.delayMs && job.delayMs > 0) this.later(entry, job.delayMs);
    else this.makeReady(entry);
  }

  async start(handlers: JobHandlers<M>): Promise<void> {
    if (this.closing) throw new Error('This job queue is closed; create a new one.');
    this.handlers = handlers;
    for (const type of this.types) this.pump(type);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Waiting jobs stay 'queued' in the ledger; the reconciler hands them over at the next start.
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.ready.clear();
    if (!(await drain(this.inFlight, this.closeTimeoutMs))) {
      this.log(`job queue closing: jobs still running after ${this.closeTimeoutMs} ms, aborting them`);
      this.shutdown.abort(new Error('job queue closed while the job was running'));
      await drain(this.inFlight, 1_000);
    }
    this.entries.clear();
  }

  private later(entry: Entry, ms: number): void {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.makeReady(entry);
    }, ms);
  }

  private makeReady(entry: Entry): void {
    if (this.closing) return;
    const list = this.ready.get(entry.type) ?? [];
    list.push(entry);
    this.ready.set(entry.type, list);
    this.pump(entry.type);
  }

  /** Starts ready jobs of one type while its concurrency allows. */
  private pump(type: string): void {
    if (!this.handlers || this.closing) return;
    const limit = this.policyOf(type).concurrency;
    const list = this.ready.get(type) ?? [];
    while (list.length && (this.runningCount.get(type) ?? 0) < limit) {
      const entry = list.shift()!;
      entry.running = true;
      this.runningCount.set(type, (this.runningCount.get(type) ?? 0) + 1);
      const attempt = this.attempt(entry).finally(() => {
        entry.running = false;
        this.runningCount.set(type, (this.runningCount.get(type) ?? 1) - 1);
        this.inFlight.delete(attempt);
        this.pump(type);
      });
      this.inFlight.add(attempt);
    }
  }

  private async attempt(entry: Entry): Promise<void> {
    const handler = this.handlers![entry.type as keyof M] as JobHandler<unknown>;
    try {
      const outcome = await runAttempt({
        ledger: this.ledger,
        job: entry,
        handler,
        policy: this.policyOf(entry.type),
        log: this.log,
        shutdown: this.shutdown.signal,
        lingering: (settled) => {
          // A handler that ignores its aborted signal keeps running; track it so close() waits.
          this.inFlight.add(settled);
          void settled.then(() => this.inFlight.delete(settled));
        },
      });
      if (outcome.kind === 'retry' && !this.closing) {
        this.log(`job ${entry.jobId} attempt ${outcome.attempt} failed, retrying in ${outcome.delayMs} ms: ${String(outcome.error)}`);
        entry.again = undefined; // it runs again anyway
        this.later(entry, outcome.delayMs);
        return;
      }
      if (outcome.kind === 'failed') this.log(`job ${entry.jobId} failed after ${outcome.attempt} attempt(s): ${String(outcome.error)}`);
    } catch (err) {
      // The ledger could not be written (database down): the row keeps its last state and the
      // reconciler finds it again; the queue itself must not crash the process.
      this.log(`job ${entry.jobId}: ledger update failed: ${String(err)}`);
    }
    this.entries.delete(entry.jobId);
    // The ledger decides whether it runs again (start() skips a job that is done).
    if (entry.again) void this.dispatch({ ...entry.again, delayMs: undefined });
  }
}

/** True when the set emptied within `ms`; it can grow while we wait (attempts leave handlers behind). */
async function drain(pending: Set<Promise<void>>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pending.size) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
    await Promise.race([Promise.allSettled([...pending]), timeout]);
    clearTimeout(timer);
  }
  return true;
}
