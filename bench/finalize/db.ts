import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../core/src/index.js';
import { SCREEN_STREAM, STARTED_AT_MS, type BenchInput, type Chunk } from './input.js';

/** The agent the bench's interactions belong to; returns its id. */
export async function seedAgent(db: Kysely<DB>): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({ username: `bench-agent-${randomUUID().slice(0, 8)}`, display_name: 'Bench Agent', password_hash: 'x', employment_type: 'full_time' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const BATCH = 250;

/**
 * One copy of the input as an `ended` interaction, as ingest leaves it: the interaction row, every
 * chunk (batched inserts in one transaction) and the pause markers. Returns the interaction id.
 */
export async function insertInteraction(db: Kysely<DB>, agentId: string, input: BenchInput): Promise<string> {
  const id = randomUUID();
  const rows = (stream: string, chunks: readonly Chunk[]) =>
    chunks.map((c) => ({
      interaction_id: id,
      stream,
      seq: c.seq,
      start_ms: c.startMs,
      end_ms: c.endMs,
      event_count: c.eventCount,
      bytes: c.payload.byteLength,
      sha256: createHash('sha256').update(c.payload).digest('hex'),
      payload: c.payload,
    }));
  const all = [...rows('audio', input.audioChunks), ...rows(SCREEN_STREAM, input.screenChunks)];
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('interactions')
      .values({
        id,
        agent_id: agentId,
        team_id: null,
        status: 'ended',
        end_reason: 'ended',
        started_at: new Date(STARTED_AT_MS),
        ended_at: new Date(STARTED_AT_MS + input.endMs),
        clock_offset_ms: 0,
        audio_channels: 2,
      })
      .execute();
    for (let i = 0; i < all.length; i += BATCH) await trx.insertInto('interaction_chunks').values(all.slice(i, i + BATCH)).execute();
    await trx
      .insertInto('interaction_markers')
      .values(input.markers.map((m) => ({ interaction_id: id, kind: m.kind, at_ms: m.atMs, reason: m.reason })))
      .execute();
  });
  return id;
}
