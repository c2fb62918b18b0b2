import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { INGEST_LIMITS, type ChunkMeta } from '@duet/protocol';
import type { DB } from '../db/schema.js';
import { IngestError, type IngestSource } from './ingest.js';

/** One chunk as the ingest connection received it. */
export interface ChunkWrite {
  src: IngestSource;
  meta: ChunkMeta;
  payload: Uint8Array;
}

/** What became of one chunk of a batch: stored now, already held (same bytes), or refused. */
export type ChunkOutcome = { ok: true; duplicate: boolean } | { ok: false; error: IngestError };

/**
 * One statement stores a whole batch. The payloads travel as one bytea parameter ($10, cut by
 * the offsets in $12 and the lengths in $8): node-postgres sends a Buffer parameter as binary,
 * where an array of bytea would be hex text built by the driver and parsed again by the server. The join with `interactions` is the ownership and status
 * check (a chunk of an unknown, foreign or closed interaction matches no writable row and is not
 * inserted); ON CONFLICT DO NOTHING makes resends harmless; `last_data_at` is set only for the
 * interactions listed in $11 that got a new row. Each input row comes back with what happened to
 * it: the interaction's status (null: unknown to this agent), whether it was inserted, and
 * otherwise the stored copy's sha256 to tell a duplicate from a conflicting reuse of a seq.
 * Agent times arrive already converted to server epoch ms; the timeline is relative to
 * `started_at`, and a chunk whose timeline times do not fit an integer is refused alone instead
 * of failing the whole batch.
 *
 * The stored copy is looked up in the statement's snapshot, so a copy another transaction
 * committed while this one waited on the conflict is not seen: `existing` is then null and the
 * caller reads it afterwards.
 */
const STORE_BATCH_SQL = `
with v as (
  select v.*, substring($10::bytea from v.off + 1 for v.b) as p
  from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::float8[], $6::float8[], $7::int[], $8::int[], $9::text[], $12::int[])
    with ordinality as v(iid, agent, stream, seq, s, e, ec, b, sha, off, ord)
),
j as (
  select v.*, i.status,
         round(v.s - extract(epoch from i.started_at) * 1000) as sm,
         round(v.e - extract(epoch from i.started_at) * 1000) as em
  from v left join interactions i on i.id = v.iid and i.agent_id = v.agent
),
ok as (
  select * from j
  where status in ('recording', 'ended') and sm between -2147483648 and 2147483647 and em between -2147483648 and 2147483647
),
ins as (
  insert into interaction_chunks (interaction_id, stream, seq, start_ms, end_ms, event_count, bytes, sha256, payload)
  select iid, stream, seq, sm::int, em::int, ec, b, sha, p from ok
  on conflict (interaction_id, stream, seq) do nothing
  returning interaction_id, stream, seq
),
touch as (
  update interactions set last_data_at = now()
  where id = any($11::uuid[]) and id in (select interaction_id from ins)
)
select j.ord::int as ord, j.status,
       (j.sm between -2147483648 and 2147483647 and j.em between -2147483648 and 2147483647) as in_range,
       (ins.seq is not null) as inserted,
       case when ins.seq is null and j.status in ('recording', 'ended')
            then (select c.sha256 from interaction_chunks c where c.interaction_id = j.iid and c.stream = j.stream and c.seq = j.seq) end as existing
from j left join ins on ins.interaction_id = j.iid and ins.stream = j.stream and ins.seq = j.seq
order by j.ord`;

interface Row {
  ord: number;
  status: string | null;
  in_range: boolean | null;
  inserted: boolean;
  existing: string | null;
}

const unknown = () => new IngestError('unknown_interaction', 'No such interaction for this agent: open it first with interaction:open.');
const closed = () => new IngestError('interaction_closed', 'This interaction is being finalized or is finished; it takes no more data.');
const conflict = (m: ChunkMeta) =>
  new IngestError('chunk_conflict', `Chunk ${m.stream}#${m.seq} was already stored with different content; a seq must never be reused.`);

/** Where each payload starts in the batch's one concatenated bytea. */
function offsets(writes: readonly ChunkWrite[]): number[] {
  let at = 0;
  return writes.map((w) => {
    const off = at;
    at += w.payload.byteLength;
    return off;
  });
}

export function chunkSha256(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex');
}

/** Refusals that need no database: checked before a chunk joins a batch. */
export function precheckChunk(payload: Uint8Array): IngestError | null {
  if (payload.byteLength > INGEST_LIMITS.maxChunkBytes) {
    return new IngestError('limit_exceeded', `A chunk may carry at most ${INGEST_LIMITS.maxChunkBytes} bytes; send smaller chunks.`, 'maxChunkBytes');
  }
  return null;
}

/**
 * Stores chunks in one statement and one commit (autocommit), and says per chunk what happened.
 * `touch`: interactions whose `last_data_at` should be set to now if this batch stores a new row
 * for them. The writes must be distinct by (interaction, stream, seq) and agent: a batch that
 * carries the same key twice cannot tell which copy was inserted (ChunkBatcher dedupes first).
 */
export async function storeChunkBatch(db: Kysely<DB>, writes: readonly ChunkWrite[], touch: readonly string[] = [], shas?: readonly string[]): Promise<ChunkOutcome[]> {
  const sha = shas ?? writes.map((w) => chunkSha256(w.payload));
  const params = [
    writes.map((w) => w.meta.interactionId),
    writes.map((w) => w.src.agentId),
    writes.map((w) => w.meta.stream),
    writes.map((w) => w.meta.seq),
    writes.map((w) => w.meta.startMs - w.src.clockOffsetMs),
    writes.map((w) => w.meta.endMs - w.src.clockOffsetMs),
    writes.map((w) => w.meta.eventCount ?? null),
    writes.map((w) => w.payload.byteLength),
    sha,
    Buffer.concat(writes.map((w) => w.payload)),
    touch,
    offsets(writes),
  ];
  const { rows } = await db.executeQuery<Row>(CompiledQuery.raw(STORE_BATCH_SQL, params));
  const out: ChunkOutcome[] = new Array(writes.length);
  const unseen: number[] = [];
  for (const r of rows) {
    const i = r.ord - 1;
    const w = writes[i]!;
    if (r.status === null) out[i] = { ok: false, error: unknown() };
    else if (r.status !== 'recording' && r.status !== 'ended') out[i] = { ok: false, error: closed() };
    else if (!r.in_range) out[i] = { ok: false, error: new IngestError('invalid_payload', `Chunk ${w.meta.stream}#${w.meta.seq}: startMs/endMs are too far from the interaction's start.`) };
    else if (r.inserted) out[i] = { ok: true, duplicate: false };
    else if (r.existing === null) unseen.push(i);
    else out[i] = r.existing === sha[i] ? { ok: true, duplicate: true } : { ok: false, error: conflict(w.meta) };
  }
  // Rare: another transaction stored the same chunk concurrently; it has committed by now.
  for (const i of unseen) {
    const m = writes[i]!.meta;
    const existing = await db
      .selectFrom('interaction_chunks')
      .select('sha256')
      .where('interaction_id', '=', m.interactionId)
      .where('stream', '=', m.stream)
      .where('seq', '=', m.seq)
      .executeTakeFirst();
    // No copy at all: finalization has removed the raw chunks, so the interaction is closed.
    out[i] = !existing ? { ok: false, error: closed() } : existing.sha256 === sha[i] ? { ok: true, duplicate: true } : { ok: false, error: conflict(m) };
  }
  return out;
}
