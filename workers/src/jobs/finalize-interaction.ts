import { analyzeJobId, JOB_POLICY, putManifest, UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import { MANIFEST_VERSION } from '@duet/protocol';
import type { WorkerDeps } from '../deps.js';
import { finalizeAudio } from '../finalize/audio.js';
import { loadFinalizeInput } from '../finalize/load.js';
import { finalizeScreenStream } from '../finalize/screen.js';
import { joinPendingImports } from '../import/join-pending.js';

/**
 * Turns an ended interaction into replayable media: screen segments with their seek index and
 * facts, the timeline audio, and the manifest that lists them with their checksums. Peaks and talk
 * metrics need a full decode of the call, so a follow-up job (analyze-audio) adds them. Idempotent: every artifact goes to a key derived from the interaction id, and
 * the interaction becomes `ready` (and its raw chunks are removed) in one transaction at the end.
 */
export function finalizeInteractionJob(deps: Pick<WorkerDeps, 'db' | 'store' | 'jobs' | 'log'>): JobHandler<JobPayloads['finalize-interaction']> {
  return async ({ interactionId }, ctx) => {
    const row = await deps.db.selectFrom('interactions').select(['status']).where('id', '=', interactionId).executeTakeFirst();
    if (!row) throw new UnrecoverableJobError(`interaction ${interactionId} does not exist`);
    if (row.status === 'ready') return;
    if (row.status === 'recording') throw new UnrecoverableJobError(`interaction ${interactionId} is still recording; it is finalized after it ends`);
    // From here on ingest refuses late chunks: what is finalized is what was received.
    await deps.db.updateTable('interactions').set({ status: 'finalizing', updated_at: new Date() }).where('id', '=', interactionId).where('status', 'in', ['ended', 'failed']).execute();
    try {
      const input = await loadFinalizeInput(deps.db, interactionId);
      await ctx.progress(0.1);
      // The screen work is JavaScript (parse, brotli), the audio work runs in ffmpeg processes:
      // done side by side they take the time of the longer one.
      const screenStreams = [...input.streams].filter(([stream]) => stream.startsWith('screen:'));
      const audioChunks = input.streams.get('audio');
      const [screens, audio] = await Promise.all([
        Promise.all(screenStreams.map(([stream, chunks]) => finalizeScreenStream(deps.store, input, stream, chunks))),
        audioChunks?.length ? finalizeAudio(deps.store, input, audioChunks, ctx.signal) : null,
      ]);
      ctx.signal.throwIfAborted();
      await ctx.progress(0.9);
      const { key: manifestKey, sha256 } = await putManifest(deps.store, {
        version: MANIFEST_VERSION,
        interactionId,
        startedAt: input.startedAt.toISOString(),
        timelineMs: input.timelineMs,
        audio,
        peaks: null,
        metrics: null,
        analysis: audio ? 'pending' : 'none',
        pauses: input.pauses,
        gaps: input.gaps,
        screens,
        focus: input.focus,
      });
      // Ready, raw chunks gone and the analysis requested: one commit, so none happens without the others.
      await deps.jobs.transaction(async (trx) => {
        await trx
          .updateTable('interactions')
          .set({ status: 'ready', timeline_ms: input.timelineMs, manifest_store: deps.store.name, manifest_key: manifestKey, finalize_error: null, updated_at: new Date() })
          .where('id', '=', interactionId)
          .execute();
        // A PBX recording of this call that arrived first joins now, in the same commit as 'ready'.
        await joinPendingImports(deps, interactionId, trx);
        await trx.deleteFrom('interaction_chunks').where('interaction_id', '=', interactionId).execute();
        if (audio) await deps.jobs.enqueue('analyze-audio', { interactionId, audioSha256: audio.sha256 }, { jobId: analyzeJobId(interactionId, audio.sha256) }, trx);
      });
      ctx.log(`finalized ${interactionId}: ${input.timelineMs} ms, ${screens.length} screen stream(s), audio ${audio ? 'yes' : 'no'}, manifest ${sha256.slice(0, 12)}`);
    } catch (err) {
      const last = err instanceof UnrecoverableJobError || ctx.attempt >= JOB_POLICY['finalize-interaction'].attempts;
      if (last) {
        await deps.db
          .updateTable('interactions')
          .set({ status: 'failed', finalize_error: String((err as Error).message ?? err).slice(0, 2000), updated_at: new Date() })
          .where('id', '=', interactionId)
          .execute();
      }
      throw err;
    }
  };
}
