import type { Kysely } from 'kysely';
import { audit } from '../audit/audit.js';
import { mayAccessInteraction, type Principal } from '../auth/authorization.js';
import type { DB } from '../db/schema.js';
import { DuetError, NotFound } from '../errors.js';
import { finalizeJobId } from './finalize-requests.js';
import { readManifest } from './manifests.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Media links live long enough to start playing and seek around, not to be passed around. */
export const MEDIA_URL_SECONDS = 10 * 60;

export class MediaNotReady extends DuetError {
  constructor(
    readonly interactionStatus: string,
    readonly progress: number | null,
    reason: string | null,
  ) {
    super(
      409,
      interactionStatus === 'failed' ? 'media_failed' : 'media_processing',
      interactionStatus === 'failed'
        ? `Processing this interaction failed: ${reason ?? 'unknown error'}. An admin can retry it.`
        : interactionStatus === 'recording'
          ? 'This interaction is still being recorded; media is ready shortly after it ends.'
          : `This interaction's media is still being processed${progress !== null ? ` (${Math.round(progress * 100)}%)` : ''}; try again in a few seconds.`,
    );
  }

  /** The interaction's status and the finalization's progress (0..1, or null), for a progress bar. */
  override extra(): Record<string, unknown> {
    return { interactionStatus: this.interactionStatus, progress: this.progress };
  }
}

/**
 * The manifest of an interaction `p` may view, with a short-lived signed URL for every artifact.
 * Anything `p` may not view is "not found"; media not ready yet says why and how far along it is.
 */
export async function mediaFor(db: Kysely<DB>, store: ObjectStore, p: Principal, interactionId: string) {
  const row = await db
    .selectFrom('interactions')
    .select(['agent_id', 'team_id', 'status', 'manifest_key', 'finalize_error'])
    .where('id', '=', interactionId)
    .executeTakeFirst();
  if (!row || !mayAccessInteraction(p, { agentId: row.agent_id, teamId: row.team_id, curated: false }, 'view')) throw new NotFound('Interaction');
  if (row.status !== 'ready' || !row.manifest_key) {
    const job = await db.selectFrom('job_runs').select('progress').where('job_id', '=', finalizeJobId(interactionId)).executeTakeFirst();
    throw new MediaNotReady(row.status, job?.progress ?? null, row.finalize_error);
  }
  const manifest = await readManifest(store, row.manifest_key);
  const sign = (key: string, contentType: string) => store.signedReadUrl(key, { expiresInSeconds: MEDIA_URL_SECONDS, contentType });
  const urls: Record<string, string> = {};
  if (manifest.audio) urls[manifest.audio.key] = await sign(manifest.audio.key, 'audio/ogg');
  if (manifest.peaks) urls[manifest.peaks.key] = await sign(manifest.peaks.key, 'application/octet-stream');
  for (const s of manifest.screens) for (const seg of s.segments) urls[seg.key] = await sign(seg.key, 'application/octet-stream');
  return { manifest, urls, expiresInSeconds: MEDIA_URL_SECONDS };
}

/** A download link for the call audio, named for the person saving it. */
export async function audioDownloadFor(db: Kysely<DB>, store: ObjectStore, p: Principal, interactionId: string) {
  const { manifest } = await mediaFor(db, store, p, interactionId);
  if (!manifest.audio) throw new NotFound('Audio of this interaction');
  const url = await store.signedReadUrl(manifest.audio.key, { expiresInSeconds: MEDIA_URL_SECONDS, contentType: 'audio/ogg', downloadName: `interaction-${interactionId}.ogg` });
  return { url, expiresInSeconds: MEDIA_URL_SECONDS };
}

/** One viewing: re-asking for media within this long (renewed links, a re-check) is the same play. */
export const PLAY_AUDIT_WINDOW_MINUTES = 30;

/**
 * Audits a play of an interaction once per viewing: the first media answer for this person and
 * interaction writes `media.play`; the renewals and re-checks a long review makes within
 * `PLAY_AUDIT_WINDOW_MINUTES` of it do not (the segments, peaks and audio themselves are fetched
 * by signed URL and never reach the database). Returns whether it wrote a row. Two tabs opened in
 * the same instant may both write one, which over-counts a play rather than losing it.
 */
export async function auditPlay(db: Kysely<DB>, event: { actorId: string; interactionId: string; ip?: string | null }): Promise<boolean> {
  const since = new Date(Date.now() - PLAY_AUDIT_WINDOW_MINUTES * 60_000);
  const recent = await db
    .selectFrom('audit_log')
    .select('id')
    .where('target_type', '=', 'interaction')
    .where('target_id', '=', event.interactionId)
    .where('action', '=', 'media.play')
    .where('actor_id', '=', event.actorId)
    .where('at', '>', since)
    .limit(1)
    .executeTakeFirst();
  if (recent) return false;
  await audit(db, { actorId: event.actorId, ip: event.ip ?? null, action: 'media.play', targetType: 'interaction', targetId: event.interactionId });
  return true;
}
