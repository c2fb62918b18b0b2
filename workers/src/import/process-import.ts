import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { analyzeJobId, audit, objectKey, type InteractionImportRow, type JobContext, type ObjectStore } from '@duet/core';
import type { WorkerDeps } from '../deps.js';
import { encodeTimelineAudio } from './encode.js';
import { joinedManifest, placeAudio, readManifest, voiceOnlyManifest, type Placement } from './placement.js';
import { ImportRefused, validateImport, type ValidatedAudio } from './validate.js';

export type ImportDeps = Pick<WorkerDeps, 'db' | 'store' | 'jobs' | 'log'>;

/** The interaction changed between planning a join and committing it: the next attempt plans again. */
export class JoinRaced extends Error {}

async function readJson(store: ObjectStore, key: string): Promise<{ raw: unknown; bytes: Buffer }> {
  const got = await store.get(key);
  const parts: Buffer[] = [];
  for await (const c of got.body) parts.push(c as Buffer);
  const bytes = Buffer.concat(parts);
  return { raw: JSON.parse(bytes.toString('utf8')), bytes };
}

/** The stored original, to a local file, checked against the SHA-256 taken at upload. */
async function download(store: ObjectStore, row: InteractionImportRow, file: string, signal: AbortSignal): Promise<void> {
  const hash = createHash('sha256');
  const got = await store.get(row.original_key);
  await pipeline(
    got.body,
    async function* (source) {
      for await (const c of source) {
        hash.update(c as Buffer);
        yield c;
      }
    },
    createWriteStream(file),
    { signal },
  );
  const sha = hash.digest('hex');
  if (sha !== row.sha256) throw new ImportRefused(`the stored upload no longer matches its checksum (${sha.slice(0, 12)}… ≠ ${row.sha256.slice(0, 12)}…); upload the file again`);
}

const auditOutcome = (db: ImportDeps['db'], row: InteractionImportRow, outcome: string, detail: Record<string, unknown>) =>
  audit(db, {
    actorId: null,
    action: `import.${outcome}`,
    targetType: 'import',
    targetId: row.id,
    detail: { callId: row.call_id, agentId: row.agent_id, bytes: row.bytes, sha256: row.sha256, ...detail },
  });

/** Marks an import refused or failed for good, with the reason people see; the refused upload is deleted. */
export async function failImport(deps: ImportDeps, row: InteractionImportRow, reason: string, refused: boolean): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('interaction_imports')
      .set({ state: 'failed', error: reason.slice(0, 2000), updated_at: new Date(), finished_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    await auditOutcome(trx, row, refused ? 'refused' : 'failed', { reason: reason.slice(0, 500) });
  });
  // Not audio we accept: keeping it would only keep whatever it really is. The row keeps its
  // size, checksum and the reason. (A failure of ours keeps the upload for a retry.)
  if (refused) await deps.store.delete(row.original_key);
}

type Decision = { kind: 'wait'; interactionId: string } | { kind: 'join'; interactionId: string; manifestKey: string; startedAt: Date; timelineMs: number } | { kind: 'voice-only' };

/**
 * Where the import goes, decided with the screen recording's row locked: finalization marks it
 * ready under the same lock, so an import either sees it ready or is recorded as waiting before
 * finalization commits (and finalization then asks for the join): never neither.
 */
async function decide(deps: ImportDeps, row: InteractionImportRow, audio: ValidatedAudio): Promise<Decision> {
  return deps.db.transaction().execute(async (trx) => {
    const candidate = await trx
      .selectFrom('interactions')
      .select(['id', 'status', 'manifest_key', 'started_at', 'timeline_ms'])
      .where('agent_id', '=', row.agent_id)
      .where('call_id', '=', row.call_id)
      // The voice-only interaction this import made itself (its id is the import's) is no candidate.
      .where('id', '!=', row.id)
      .orderBy(sql`abs(extract(epoch from (started_at - ${row.started_at})))`)
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    if (!candidate) return { kind: 'voice-only' as const };
    if (candidate.status === 'ready' && candidate.manifest_key && candidate.timeline_ms !== null) {
      return { kind: 'join' as const, interactionId: candidate.id, manifestKey: candidate.manifest_key, startedAt: candidate.started_at, timelineMs: candidate.timeline_ms };
    }
    await trx
      .updateTable('interaction_imports')
      .set({ state: 'waiting', interaction_id: candidate.id, duration_ms: audio.durationMs, updated_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    return { kind: 'wait' as const, interactionId: candidate.id };
  });
}

async function makeVoiceOnly(deps: ImportDeps, row: InteractionImportRow, audio: ValidatedAudio, file: string, dir: string, signal: AbortSignal) {
  const interactionId = row.id;
  const track = await encodeTimelineAudio(
    deps.store,
    { file, container: row.container },
    { channels: audio.channels, delayMs: 0, totalMs: audio.durationMs, mute: [] },
    path.join(dir, 'timeline.ogg'),
    objectKey('interactions', interactionId, 'audio.ogg'),
    signal,
  );
  const manifest = voiceOnlyManifest(interactionId, row.started_at, track);
  const body = Buffer.from(JSON.stringify(manifest));
  const manifestKey = objectKey('interactions', interactionId, 'manifest.json');
  await deps.store.put(manifestKey, body, { contentType: 'application/json', contentLength: body.byteLength });
  const team = await deps.db.selectFrom('team_members').select('team_id').where('user_id', '=', row.agent_id).orderBy('team_id').executeTakeFirst();
  await deps.jobs.transaction(async (trx) => {
    await trx
      .insertInto('interactions')
      .values({
        id: interactionId,
        agent_id: row.agent_id,
        team_id: team?.team_id ?? null,
        call_id: row.call_id,
        direction: row.direction,
        status: 'ready',
        end_reason: 'ended',
        started_at: row.started_at,
        ended_at: new Date(row.started_at.getTime() + manifest.timelineMs),
        audio_channels: track.channels,
        timeline_ms: manifest.timelineMs,
        manifest_store: deps.store.name,
        manifest_key: manifestKey,
        last_data_at: new Date(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    await trx
      .updateTable('interaction_imports')
      .set({ state: 'done', error: null, interaction_id: interactionId, placement: 'voice-only', offset_ms: 0, duration_ms: audio.durationMs, audio_key: track.key, updated_at: new Date(), finished_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    await deps.jobs.enqueue('analyze-audio', { interactionId, audioSha256: track.sha256 }, { jobId: analyzeJobId(interactionId, track.sha256) }, trx);
    await auditOutcome(trx, row, 'completed', { placement: 'voice-only', interactionId, durationMs: audio.durationMs });
  });
}

async function joinScreenRecording(deps: ImportDeps, row: InteractionImportRow, audio: ValidatedAudio, target: Extract<Decision, { kind: 'join' }>, file: string, dir: string, signal: AbortSignal) {
  const current = readManifest((await readJson(deps.store, target.manifestKey)).raw);
  const placement = placeAudio({ startedAt: target.startedAt, timelineMs: target.timelineMs }, { startedAt: row.started_at, durationMs: audio.durationMs });
  // PCI pauses stay silent in the imported audio too: the PBX heard what the recorder paused for.
  const mute = current.pauses.map((p) => ({ startMs: p.startMs + placement.leadMs, endMs: p.endMs + placement.leadMs }));
  const track = await encodeTimelineAudio(
    deps.store,
    { file, container: row.container },
    { channels: audio.channels, delayMs: placement.audioAtMs, totalMs: placement.timelineMs, mute },
    path.join(dir, 'timeline.ogg'),
    objectKey('interactions', target.interactionId, `audio-import-${row.id}.ogg`),
    signal,
  );
  await deps.jobs.transaction(async (trx) => {
    const now = await trx
      .selectFrom('interactions')
      .select(['status', 'manifest_key', 'started_at', 'timeline_ms', 'ended_at'])
      .where('id', '=', target.interactionId)
      .forUpdate()
      .executeTakeFirst();
    if (!now || now.status !== 'ready' || !now.manifest_key || now.started_at.getTime() !== target.startedAt.getTime() || now.timeline_ms !== target.timelineMs) {
      throw new JoinRaced(`interaction ${target.interactionId} changed while the import was being joined; the next attempt plans again`);
    }
    // Read again under the lock: analysis may have added peaks since; the timeline is unchanged.
    const fresh = await readJson(deps.store, now.manifest_key);
    const next = joinedManifest(readManifest(fresh.raw), placement, track);
    // Nothing is lost: the manifest before the join is kept beside it (with it, the recorder's own
    // audio object, which stays in the store), and the import row points at both.
    const previousKey = objectKey('interactions', target.interactionId, `manifest-before-import-${row.id}.json`);
    await deps.store.put(previousKey, fresh.bytes, { contentType: 'application/json', contentLength: fresh.bytes.byteLength });
    // A new key, so a rollback leaves the interaction on its old manifest, untouched.
    const manifestKey = objectKey('interactions', target.interactionId, `manifest-import-${row.id}.json`);
    const body = Buffer.from(JSON.stringify(next));
    await deps.store.put(manifestKey, body, { contentType: 'application/json', contentLength: body.byteLength });
    const newEnd = new Date(placement.startedAt.getTime() + placement.timelineMs);
    await trx
      .updateTable('interactions')
      .set((eb) => ({
        started_at: placement.startedAt,
        ended_at: now.ended_at && now.ended_at > newEnd ? now.ended_at : newEnd,
        timeline_ms: placement.timelineMs,
        audio_channels: track.channels,
        manifest_store: deps.store.name,
        manifest_key: manifestKey,
        direction: eb.fn.coalesce('direction', eb.val(row.direction)),
        updated_at: new Date(),
      }))
      .where('id', '=', target.interactionId)
      .execute();
    // Markers are timeline ms: they move with the timeline's zero.
    if (placement.leadMs > 0) {
      await trx
        .updateTable('interaction_markers')
        .set((eb) => ({ at_ms: eb('at_ms', '+', placement.leadMs) }))
        .where('interaction_id', '=', target.interactionId)
        .execute();
    }
    await trx
      .updateTable('interaction_imports')
      .set({
        state: 'done',
        error: null,
        interaction_id: target.interactionId,
        placement: 'joined',
        offset_ms: placement.offsetMs,
        duration_ms: audio.durationMs,
        audio_key: track.key,
        previous_manifest_key: previousKey,
        previous_audio: current.audio ? JSON.stringify(current.audio) : null,
        updated_at: new Date(),
        finished_at: new Date(),
      })
      .where('id', '=', row.id)
      .execute();
    await deps.jobs.enqueue('analyze-audio', { interactionId: target.interactionId, audioSha256: track.sha256 }, { jobId: analyzeJobId(target.interactionId, track.sha256) }, trx);
    await auditOutcome(trx, row, 'completed', { placement: 'joined', interactionId: target.interactionId, offsetMs: placement.offsetMs, leadMs: placement.leadMs, durationMs: audio.durationMs });
  });
  return placement satisfies Placement;
}

/**
 * One run of an import: validate the stored upload (refused with a reason if it is not sound
 * audio), then join it to the screen recording of the same call, wait for that recording to be
 * finalized, or make a voice-only interaction. Safe to run again at any point: every artifact goes
 * to a key derived from ids, and each outcome commits in one transaction.
 */
export async function processImport(deps: ImportDeps, importId: string, ctx: Pick<JobContext, 'signal' | 'progress' | 'log'>): Promise<void> {
  const row = await deps.db.selectFrom('interaction_imports').selectAll().where('id', '=', importId).executeTakeFirst();
  if (!row) throw new ImportRefused(`import ${importId} does not exist`);
  if (row.state === 'done' || row.state === 'failed') return;
  if (row.state === 'queued') await deps.db.updateTable('interaction_imports').set({ state: 'processing', updated_at: new Date() }).where('id', '=', importId).where('state', '=', 'queued').execute();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-import-'));
  try {
    const file = path.join(dir, `original.${row.container}`);
    let audio: ValidatedAudio;
    try {
      await download(deps.store, row, file, ctx.signal);
      await ctx.progress(0.1);
      audio = await validateImport(file, row.container, ctx.signal);
    } catch (err) {
      if (!(err instanceof ImportRefused)) throw err;
      await failImport(deps, row, err.reason, true);
      ctx.log(`import ${importId} refused: ${err.reason}`);
      return;
    }
    await ctx.progress(0.5);
    const decision = await decide(deps, row, audio);
    if (decision.kind === 'wait') {
      ctx.log(`import ${importId} waits for interaction ${decision.interactionId} to be finalized`);
      return;
    }
    if (decision.kind === 'voice-only') {
      await makeVoiceOnly(deps, row, audio, file, dir, ctx.signal);
      ctx.log(`import ${importId}: voice-only interaction, ${audio.durationMs} ms`);
    } else {
      const placement = await joinScreenRecording(deps, row, audio, decision, file, dir, ctx.signal);
      ctx.log(`import ${importId} joined interaction ${decision.interactionId} at ${placement.offsetMs} ms (timeline grew left by ${placement.leadMs} ms)`);
    }
    await ctx.progress(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
