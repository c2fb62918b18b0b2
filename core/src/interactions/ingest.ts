import { sql, type Kysely } from 'kysely';
import { INGEST_LIMITS, type ChunkMeta, type EndInteraction, type Marker, type OpenInteraction, type SeqRanges } from '@duet/protocol';
import type { DB } from '../db/schema.js';
import { DuetError } from '../errors.js';
import { precheckChunk, storeChunkBatch } from './ingest-batch.js';

/**
 * A refusal the recorder can act on: `code` is stable, the message says what to fix. Ingest
 * never reveals whether an interaction of another agent exists: that is "unknown_interaction".
 */
export class IngestError extends DuetError {
  constructor(
    code: 'unknown_interaction' | 'interaction_closed' | 'chunk_conflict' | 'limit_exceeded' | 'invalid_payload' | 'overloaded',
    message: string,
    readonly limit?: keyof typeof INGEST_LIMITS,
    /** for refusals that are only about timing (`overloaded`): when a retry is welcome */
    readonly retryAfterMs?: number,
  ) {
    super(
      code === 'limit_exceeded' ? 429 : code === 'overloaded' ? 503 : code === 'unknown_interaction' ? 404 : code === 'invalid_payload' ? 400 : 409,
      code,
      message,
    );
  }
}

/** Who is sending, as the ingest connection established it. */
export interface IngestSource {
  agentId: string;
  /** agent clock minus server clock, ms (measured by the connection's clock exchange) */
  clockOffsetMs: number;
}

/**
 * Opens (or re-opens after a reload or reconnect) an interaction made by the recorder. Idempotent
 * for the same agent; another agent's id is "unknown", never "taken".
 */
export async function openInteraction(db: Kysely<DB>, src: IngestSource, msg: OpenInteraction): Promise<{ created: boolean }> {
  return db.transaction().execute(async (trx) => {
    // Serialise opens per agent so the open-interaction limit cannot be raced past.
    await sql`select pg_advisory_xact_lock(hashtext(${src.agentId}))`.execute(trx);
    const existing = await trx.selectFrom('interactions').select(['agent_id', 'status']).where('id', '=', msg.interactionId).executeTakeFirst();
    if (existing) {
      if (existing.agent_id !== src.agentId) throw unknown();
      if (existing.status !== 'recording') throw new IngestError('interaction_closed', 'This interaction has ended; start a new one with a new id.');
      return { created: false };
    }
    const open = await trx
      .selectFrom('interactions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('agent_id', '=', src.agentId)
      .where('status', '=', 'recording')
      .executeTakeFirstOrThrow();
    if (Number(open.n) >= INGEST_LIMITS.maxOpenInteractionsPerAgent) {
      throw new IngestError(
        'limit_exceeded',
        `An agent may have at most ${INGEST_LIMITS.maxOpenInteractionsPerAgent} interactions recording at once; end one first.`,
        'maxOpenInteractionsPerAgent',
      );
    }
    const team = await trx.selectFrom('team_members').select('team_id').where('user_id', '=', src.agentId).orderBy('team_id').executeTakeFirst();
    await trx
      .insertInto('interactions')
      .values({
        id: msg.interactionId,
        agent_id: src.agentId,
        team_id: team?.team_id ?? null,
        call_id: msg.callId ?? null,
        direction: msg.direction ?? null,
        status: 'recording',
        started_at: new Date(msg.startedAt - src.clockOffsetMs),
        clock_offset_ms: Math.round(src.clockOffsetMs),
        audio_channels: msg.audio?.channels ?? null,
      })
      .execute();
    return { created: true };
  });
}

const unknown = () => new IngestError('unknown_interaction', 'No such interaction for this agent: open it first with interaction:open.');

async function ownInteraction(db: Kysely<DB>, src: IngestSource, interactionId: string, allowEnded: boolean) {
  const row = await db
    .selectFrom('interactions')
    .select(['status', 'started_at'])
    .where('id', '=', interactionId)
    .where('agent_id', '=', src.agentId)
    .executeTakeFirst();
  if (!row) throw unknown();
  const writable = row.status === 'recording' || (allowEnded && row.status === 'ended');
  if (!writable) throw new IngestError('interaction_closed', 'This interaction is being finalized or is finished; it takes no more data.');
  return row;
}

/** Agent epoch ms → ms on the interaction timeline. */
function toTimeline(agentEpochMs: number, src: IngestSource, startedAt: Date): number {
  return Math.round(agentEpochMs - src.clockOffsetMs - startedAt.getTime());
}

/**
 * Stores one chunk idempotently: the row commits before the caller acks. The same
 * (interaction, stream, seq) with the same bytes is a harmless duplicate; with different bytes
 * it is refused, since silently keeping either copy could corrupt the recording.
 * Late chunks (after `end`, before finalization starts) are still accepted.
 * A batch of one: the ingest namespace batches chunks of all connections (ChunkBatcher).
 */
export async function storeChunk(db: Kysely<DB>, src: IngestSource, meta: ChunkMeta, payload: Uint8Array): Promise<{ duplicate: boolean }> {
  const pre = precheckChunk(payload);
  if (pre) throw pre;
  const [outcome] = await storeChunkBatch(db, [{ src, meta, payload }], [meta.interactionId]);
  if (!outcome!.ok) throw outcome!.error;
  return { duplicate: outcome!.duplicate };
}

/** The seqs the server holds for a stream, as inclusive ranges; only for the owning agent. */
export async function heldRanges(db: Kysely<DB>, src: IngestSource, interactionId: string, stream: string): Promise<SeqRanges> {
  const owned = await db.selectFrom('interactions').select('id').where('id', '=', interactionId).where('agent_id', '=', src.agentId).executeTakeFirst();
  if (!owned) throw unknown();
  return readHeldRanges(db, interactionId, stream);
}

/**
 * The seqs stored for a stream (gaps and islands in SQL), without an ownership check: for callers
 * that have just stored a chunk of it for this agent. Reads every seq of the stream, so its cost
 * grows with the call: the ingest namespace reads it once per connection and stream, then keeps
 * the ranges in memory.
 */
export async function readHeldRanges(db: Kysely<DB>, interactionId: string, stream: string): Promise<SeqRanges> {
  const rows = await sql<{ lo: number; hi: number }>`
    select min(seq)::int as lo, max(seq)::int as hi
    from (select seq, seq - row_number() over (order by seq) as grp
          from interaction_chunks where interaction_id = ${interactionId} and stream = ${stream}) t
    group by grp order by lo`.execute(db);
  return rows.rows.map((r) => [r.lo, r.hi]);
}

/** A PCI pause or resume on the timeline; idempotent. */
export async function addMarker(db: Kysely<DB>, src: IngestSource, marker: Marker): Promise<void> {
  const interaction = await ownInteraction(db, src, marker.interactionId, false);
  await db
    .insertInto('interaction_markers')
    .values({ interaction_id: marker.interactionId, kind: marker.kind, stream: marker.stream ?? '', at_ms: toTimeline(marker.at, src, interaction.started_at), reason: marker.reason ?? null })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Ends recording. Idempotent: ending an ended interaction is fine. Returns whether finalization
 * is (still) due, so the caller can request it in the same transaction.
 */
export async function endInteraction(db: Kysely<DB>, src: IngestSource, msg: EndInteraction): Promise<{ finalize: boolean }> {
  const row = await db.selectFrom('interactions').select(['status', 'started_at']).where('id', '=', msg.interactionId).where('agent_id', '=', src.agentId).executeTakeFirst();
  if (!row) throw unknown();
  if (row.status !== 'recording') return { finalize: row.status === 'ended' };
  await db
    .updateTable('interactions')
    .set({ status: 'ended', end_reason: 'ended', ended_at: new Date(msg.at - src.clockOffsetMs), updated_at: new Date() })
    .where('id', '=', msg.interactionId)
    .where('status', '=', 'recording')
    .execute();
  return { finalize: true };
}

/**
 * Ends interactions that have sent nothing for `idleMs` without an `end` (a closed laptop, a
 * crashed tab): what arrived is kept and finalized like any ended interaction, marked as ended by
 * timeout rather than by the recorder.
 */
export async function closeIdleInteractions(db: Kysely<DB>, idleMs: number, now = new Date()): Promise<string[]> {
  const rows = await db
    .updateTable('interactions')
    .set((eb) => ({ status: 'ended', end_reason: 'idle-timeout', ended_at: eb.ref('last_data_at'), updated_at: now }))
    .where('status', '=', 'recording')
    .where('last_data_at', '<', new Date(now.getTime() - idleMs))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
