import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { ReconcileSource } from '../jobs/reconciler.js';
import type { JobPayloads } from '../jobs/types.js';

/** The first run of an import: validate, transcode, then join or make a voice-only interaction. */
export const importJobId = (importId: string) => `import-audio:${importId}`;

/**
 * The run that joins an import which waited for its screen recording to be finalized. One per
 * (import, interaction): a finalization retried after a crash asks again and runs nothing twice.
 */
export const importJoinJobId = (importId: string, interactionId: string) => `import-audio:${importId}:join:${interactionId}`;

/**
 * Imports waiting for an interaction that is ready now: finalization asks for their join at its
 * end, and if the process died between its commit and that request, the reconciler asks at the
 * next start-up. (Queued and processing imports need nothing here: their job rows are unfinished,
 * so the ledger already hands them back.)
 */
export const waitingImportsReady: ReconcileSource<JobPayloads> = async (db: Kysely<DB>) => {
  const rows = await db
    .selectFrom('interaction_imports as m')
    .innerJoin('interactions as i', 'i.id', 'm.interaction_id')
    .select(['m.id', 'm.interaction_id'])
    .where('m.state', '=', 'waiting')
    .where('i.status', '=', 'ready')
    .execute();
  return rows.map((r) => ({ type: 'import-audio' as const, payload: { importId: r.id }, jobId: importJoinJobId(r.id, r.interaction_id!) }));
};
