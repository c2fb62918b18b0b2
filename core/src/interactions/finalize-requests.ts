import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { JobPayloads } from '../jobs/types.js';
import type { ReconcileSource } from '../jobs/reconciler.js';

/** One finalization per interaction, ever: the job id is derived from the interaction id. */
export const finalizeJobId = (interactionId: string) => `finalize-interaction:${interactionId}`;

/** One analysis per audio an interaction ever had: a replaced audio (a PBX import) is analysed again. */
export const analyzeJobId = (interactionId: string, audioSha256: string) => `analyze-audio:${interactionId}:${audioSha256.slice(0, 16)}`;

/**
 * The database says which interactions still need finalizing (ended, or finalizing when a worker
 * died); at start-up the reconciler re-enqueues them, so a lost queue loses no recording.
 */
export const unfinishedFinalizations: ReconcileSource<JobPayloads> = async (db: Kysely<DB>) => {
  const rows = await db.selectFrom('interactions').select('id').where('status', 'in', ['ended', 'finalizing']).execute();
  return rows.map((r) => ({ type: 'finalize-interaction' as const, payload: { interactionId: r.id }, jobId: finalizeJobId(r.id) }));
};
