import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { JOB_POLICY, objectKey, readManifest, updateManifest, type JobHandler, type JobPayloads } from '@duet/core';
import type { Manifest } from '@duet/protocol';
import type { WorkerDeps } from '../deps.js';
import { analyzeAudioFile } from '../analysis/analyze-audio-file.js';
import { PEAKS_PER_SECOND } from '../analysis/pcm-analyzer.js';
import { talkMetrics } from '../analysis/talk-metrics.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Adds waveform peaks and talk metrics to a ready interaction's manifest. Runs after the
 * interaction is already playable, so the call-end → playable time does not include a full decode.
 * Idempotent, and harmless when stale: it only writes if the manifest still holds the audio it
 * was asked to analyse, under the row lock `updateManifest` takes.
 */
export function analyzeAudioJob(deps: Pick<WorkerDeps, 'db' | 'store' | 'log'>): JobHandler<JobPayloads['analyze-audio']> {
  const stillCurrent = (m: Manifest, audioSha256: string) => m.audio?.sha256 === audioSha256;
  return async ({ interactionId, audioSha256 }, ctx) => {
    const row = await deps.db.selectFrom('interactions').select(['manifest_key', 'status']).where('id', '=', interactionId).executeTakeFirst();
    if (!row?.manifest_key || row.status !== 'ready') return ctx.log(`interaction ${interactionId} is not ready (or gone): nothing to analyse`);
    const manifest = await readManifest(deps.store, row.manifest_key);
    if (!stillCurrent(manifest, audioSha256)) return ctx.log(`interaction ${interactionId} has other audio now: this analysis is stale`);
    if (manifest.analysis === 'done') return;
    const audio = manifest.audio!;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-analyze-'));
    try {
      const file = path.join(dir, `audio.${audio.container}`);
      const hash = createHash('sha256');
      const got = await deps.store.get(audio.key);
      await pipeline(got.body, async function* (source) {
        for await (const c of source) {
          hash.update(c as Buffer);
          yield c;
        }
      }, createWriteStream(file), { signal: ctx.signal });
      // The artifact must be the one the manifest vouches for, or the analysis describes other audio.
      if (hash.digest('hex') !== audio.sha256) throw new Error(`audio of ${interactionId} does not match its manifest checksum`);
      await ctx.progress(0.1);
      const result = await analyzeAudioFile(file, audio.channels, ctx.signal);
      await ctx.progress(0.9);
      const peaksBytes = Buffer.concat(result.peaks.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
      // Keyed by the audio: a stale run can never overwrite the peaks of a newer audio.
      const peaksKey = objectKey('interactions', interactionId, `peaks-${audioSha256.slice(0, 16)}.bin`);
      await deps.store.put(peaksKey, peaksBytes, { contentType: 'application/octet-stream', contentLength: peaksBytes.byteLength });
      const channels = audio.channels;
      await updateManifest(deps.db, deps.store, interactionId, (current) =>
        stillCurrent(current, audioSha256)
          ? {
              ...current,
              peaks: { key: peaksKey, bytes: peaksBytes.byteLength, sha256: sha(peaksBytes), peaksPerSecond: PEAKS_PER_SECOND, channels, buckets: result.peaks[0]?.length ?? 0 },
              metrics: talkMetrics(result.speech[0] ?? [], channels === 2 ? (result.speech[1] ?? []) : null, current.timelineMs, { pauses: current.pauses }),
              analysis: 'done',
            }
          : null,
      );
      ctx.log(`analysed ${interactionId}: ${result.durationMs} ms, ${result.peaks[0]?.length ?? 0} peak buckets per channel`);
    } catch (err) {
      if (ctx.attempt >= JOB_POLICY['analyze-audio'].attempts) {
        await updateManifest(deps.db, deps.store, interactionId, (current) => (stillCurrent(current, audioSha256) ? { ...current, analysis: 'failed' } : null));
      }
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
