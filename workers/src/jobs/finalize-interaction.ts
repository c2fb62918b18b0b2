import { JOB_POLICY, objectKey, UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import { Manifest, MANIFEST_VERSION } from '@duet/protocol';
import type { WorkerDeps } from '../deps.js';
import { finalizeAudio } from '../finalize/audio.js';
import { loadFinalizeInput } from '../finalize/load.js';
import { finalizeScreenStream, sha256Hex } from '../finalize/screen.js';

/**
 * Turns an ended interaction into replayable media: screen segments with their seek index and
 * facts, the timeline audio with peaks and talk metrics, and the manifest that lists them with
 * their checksums. Idempotent: every artifact goes to a key derived from the interaction id, and
 * the interaction becomes `ready` (and its raw chunks are removed) in one transaction at the end.
 */
export function finalizeInteractionJob(deps: Pick<WorkerDeps, 'db' | 'store' | 'log'>): JobHandler<JobPayloads['finalize-interaction']> {
  return async ({ interactionId }, ctx) => {
    const row = await deps.db.selectFrom('interactions').select(['status']).where('id', '=', interactionId).executeTakeFirst();
    if (!row) throw new UnrecoverableJobError(`interaction ${interactionId} does not exist`);
    if (row.status === 'ready') return;
    if (row.status === 'recording') throw new UnrecoverableJobError(`interaction ${interactionId} is still recording; it is finalized after it ends`);
    // From here on ingest refuses late chunks: what is finalized is what was received.
    await deps.db.updateTable('interactions').set({ status: 'finalizing', updated_at: new Date() }).where('id', '=', interactionId).where('status', 'in', ['ended', 'failed']).execute();
    try {
      const input = await loadFinalizeInput(deps.db, interactionId);
      await ctx.progress(0.05);
      const screens = [];
      for (const [stream, chunks] of input.streams) {
        ctx.signal.throwIfAborted();
        if (stream.startsWith('screen:')) screens.push(await finalizeScreenStream(deps.store, input, stream, chunks));
      }
      await ctx.progress(0.3);
      const audioChunks = input.streams.get('audio');
      const audio = audioChunks?.length ? await finalizeAudio(deps.store, input, audioChunks, ctx.signal) : { audio: null, peaks: null, metrics: null };
      await ctx.progress(0.9);
      const manifest = Manifest.parse({
        version: MANIFEST_VERSION,
        interactionId,
        startedAt: input.startedAt.toISOString(),
        timelineMs: input.timelineMs,
        ...audio,
        pauses: input.pauses,
        gaps: input.gaps,
        screens,
      });
      const body = Buffer.from(JSON.stringify(manifest));
      const manifestKey = objectKey('interactions', interactionId, 'manifest.json');
      await deps.store.put(manifestKey, body, { contentType: 'application/json', contentLength: body.byteLength });
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('interactions')
          .set({ status: 'ready', timeline_ms: input.timelineMs, manifest_store: deps.store.name, manifest_key: manifestKey, finalize_error: null, updated_at: new Date() })
          .where('id', '=', interactionId)
          .execute();
        await trx.deleteFrom('interaction_chunks').where('interaction_id', '=', interactionId).execute();
      });
      ctx.log(`finalized ${interactionId}: ${input.timelineMs} ms, ${screens.length} screen stream(s), audio ${audio.audio ? 'yes' : 'no'}, manifest ${sha256Hex(body).slice(0, 12)}`);
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
