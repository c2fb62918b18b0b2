import { JOB_POLICY, UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import type { WorkerDeps } from '../deps.js';
import { failImport, processImport, type ImportDeps } from '../import/process-import.js';
import { ImportRefused } from '../import/validate.js';

/**
 * A PBX call recording: validated, then joined to the screen recording of the same call or made
 * into a voice-only interaction (workers/src/import/). A file that is not sound audio is refused
 * with a reason on the import row, and the job succeeds: it did its work. Our own failures
 * (store, database, ffmpeg) are retried, and mark the import failed only on the last attempt.
 */
export function importAudioJob(deps: ImportDeps | WorkerDeps): JobHandler<JobPayloads['import-audio']> {
  return async ({ importId }, ctx) => {
    try {
      await processImport(deps, importId, ctx);
    } catch (err) {
      if (err instanceof ImportRefused) throw new UnrecoverableJobError(err.reason);
      const last = err instanceof UnrecoverableJobError || ctx.attempt >= JOB_POLICY['import-audio'].attempts;
      if (last) {
        const row = await deps.db.selectFrom('interaction_imports').selectAll().where('id', '=', importId).executeTakeFirst();
        if (row && row.state !== 'done') await failImport(deps, row, `processing failed: ${String((err as Error).message ?? err)}`, false);
      }
      throw err;
    }
  };
}
