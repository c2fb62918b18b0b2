import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { JobLedger } from './ledger.js';
import type { JobQueue } from './queue.js';

/** A job some feature knows should exist, whatever the ledger says (e.g. an interaction not yet finalized). */
export type ReconcileRequest<M> = { [K in keyof M & string]: { type: K; payload: M[K]; jobId: string } }[keyof M & string];
export type ReconcileSource<M> = (db: Kysely<DB>) => Promise<ReconcileRequest<M>[]>;

/**
 * Hands every unfinished job back to the queue: the database is the truth, queues only carry
 * work, and a crash (or a Redis flush) may have lost what was in flight. Safe at every start-up
 * of every process: job ids are deterministic, so a job still waiting or running elsewhere is
 * not duplicated. With the in-process driver (nothing survives a restart) a delayed or
 * backing-off job runs now rather than at its planned time; BullMQ keeps its own schedule.
 *
 * `extra` lets features add domain-level reconciliation; their requests go through enqueue(),
 * so a job already done is not run again. Returns how many distinct jobs were handed over.
 */
export async function reconcileJobs<M>(
  db: Kysely<DB>,
  queue: JobQueue<M>,
  extra: ReconcileSource<M>[] = [],
): Promise<number> {
  const known = new Set<string>(queue.types);
  const handedOver = new Set<string>();
  for (const row of await new JobLedger(db).listUnfinished()) {
    // A type this version does not know may belong to a newer version during a rolling deploy:
    // leave it for a process that does.
    if (!known.has(row.type)) continue;
    const type = row.type as keyof M & string;
    const { enqueued } = await queue.enqueue(type, row.payload as M[typeof type], { jobId: row.job_id });
    if (enqueued) handedOver.add(row.job_id);
  }
  for (const source of extra) {
    for (const request of await source(db)) {
      const { enqueued } = await queue.enqueue(request.type, request.payload, { jobId: request.jobId });
      if (enqueued) handedOver.add(request.jobId);
    }
  }
  return handedOver.size;
}
