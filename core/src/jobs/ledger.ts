import { sql, type Kysely } from 'kysely';
import type { DB, JobRunRow } from '../db/schema.js';

/** What a request for a job found in the ledger. */
export type LedgerRequestOutcome =
  /** a new row, or a failed one requested again: it must be handed to the queue */
  | 'recorded'
  /** already queued or running: handing it over again is harmless (drivers dedupe by id) */
  | 'pending'
  /** already done: nothing to do */
  | 'done';

export const MAX_ERROR_BYTES = 4096;

/**
 * The `job_runs` bookkeeping shared by both drivers. The database is the system of record for
 * jobs as for everything else: a queue (BullMQ or in memory) only carries work, and anything it
 * loses is found again here by the reconciler.
 *
 * State machine: queued → running → done | failed, and running → queued while a retry waits.
 * Every update names the states it may leave, so a late or duplicated worker cannot undo a
 * finished job.
 */
export class JobLedger {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Records a request for a job: inserts it if absent; a failed job requested again starts over
   * (a deliberate re-request retries failed work); anything else is left alone. `conn` may be a
   * transaction so the request commits with the domain change that caused it.
   */
  async request(
    job: { jobId: string; type: string; payload: unknown },
    conn: Kysely<DB> = this.db,
  ): Promise<LedgerRequestOutcome> {
    const written = await conn
      .insertInto('job_runs')
      .values({ job_id: job.jobId, type: job.type, payload: JSON.stringify(job.payload ?? {}), state: 'queued' })
      .onConflict((oc) =>
        oc
          .column('job_id')
          .doUpdateSet({
            state: 'queued',
            payload: (eb) => eb.ref('excluded.payload'),
            attempts: 0,
            progress: 0,
            last_error: null,
            finished_at: null,
            updated_at: sql`now()`,
          })
          .where('job_runs.state', '=', 'failed')
          .where('job_runs.type', '=', job.type),
      )
      .returning('job_id')
      .executeTakeFirst();
    if (written) return 'recorded';

    // The conflicting row is locked by the insert above, so this read sees its settled state.
    const existing = await conn
      .selectFrom('job_runs')
      .select(['state', 'type'])
      .where('job_id', '=', job.jobId)
      .executeTakeFirstOrThrow();
    if (existing.type !== job.type) {
      throw new Error(`Job id "${job.jobId}" is already used by a "${existing.type}" job; ids must be unique across types.`);
    }
    return existing.state === 'done' ? 'done' : 'pending';
  }

  /** Starts an attempt; returns its 1-based number, or null when the job must not run (finished or unknown). */
  async start(jobId: string): Promise<number | null> {
    const row = await this.db
      .updateTable('job_runs')
      .set({ state: 'running', attempts: sql`attempts + 1`, progress: 0, updated_at: sql`now()` })
      .where('job_id', '=', jobId)
      .where('state', 'in', ['queued', 'running'])
      .returning('attempts')
      .executeTakeFirst();
    return row ? row.attempts : null;
  }

  async progress(jobId: string, fraction: number): Promise<void> {
    await this.db
      .updateTable('job_runs')
      .set({ progress: fraction, updated_at: sql`now()` })
      .where('job_id', '=', jobId)
      .where('state', '=', 'running')
      .execute();
  }

  async done(jobId: string): Promise<void> {
    await this.db
      .updateTable('job_runs')
      .set({ state: 'done', progress: 1, finished_at: sql`now()`, updated_at: sql`now()` })
      .where('job_id', '=', jobId)
      .where('state', '=', 'running')
      .execute();
  }

  /** The attempt failed and another one will follow: the job waits as 'queued', keeping its error. */
  async retry(jobId: string, error: unknown): Promise<void> {
    await this.db
      .updateTable('job_runs')
      .set({ state: 'queued', last_error: formatJobError(error), updated_at: sql`now()` })
      .where('job_id', '=', jobId)
      .where('state', '=', 'running')
      .execute();
  }

  async fail(jobId: string, error: unknown): Promise<void> {
    await this.db
      .updateTable('job_runs')
      .set({ state: 'failed', last_error: formatJobError(error), finished_at: sql`now()`, updated_at: sql`now()` })
      .where('job_id', '=', jobId)
      .where('state', 'in', ['queued', 'running'])
      .execute();
  }

  get(jobId: string): Promise<JobRunRow | undefined> {
    return this.db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
  }

  /** Jobs requested but not finished, oldest first (served by the partial index job_runs_unfinished). */
  listUnfinished(): Promise<JobRunRow[]> {
    return this.db
      .selectFrom('job_runs')
      .selectAll()
      .where('state', 'in', ['queued', 'running'])
      .orderBy('created_at')
      .orderBy('job_id')
      .execute();
  }
}

/** The stack when there is one (it says where), cut to MAX_ERROR_BYTES of UTF-8 so one bad job cannot bloat the table. */
export function formatJobError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_ERROR_BYTES) return text;
  // Cutting bytes may split a character; drop the replacement character that leaves.
  return bytes.subarray(0, MAX_ERROR_BYTES - 3).toString('utf8').replace(/\uFFFD$/, '') + '...';
}
