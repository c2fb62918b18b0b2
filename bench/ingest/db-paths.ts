/**
 * What the database part of storing one chunk costs, for the current ingest path and for the
 * alternatives the ingest benchmark's analysis proposes (BENCHMARKS.md, "ingest"). Not part of
 * `npm run bench`; run it by hand:
 *
 *   node --import tsx --import ./bench/lib/duet-from-source.mjs bench/ingest/db-paths.ts
 *
 * Each variant stores real fixture chunks (audio ~4.2 KB, screen ~2.7 KB, alternating) for 400
 * open interactions with 40 requests in flight over core's own pool (10 connections), for 8 s,
 * on a fresh database migrated by core. It reports chunks/s, CPU per chunk of this process (the
 * driver side: Kysely, pg, hashing) and of all PostgreSQL processes, and latency per chunk.
 *
 * - batcher: core's ChunkBatcher, what the `/ingest` chunk handler runs since the group-commit
 *   change (one `storeChunkBatch` statement per ≤ 5 ms / 100 chunks, last_data_at every 15 s).
 * - store-chunk: core's `storeChunk`, the same statement for a batch of one chunk.
 * - store-chunk+held: that plus the held-ranges query per chunk, as acks were built before.
 * - one-statement: one CTE per chunk (ownership check + insert + last_data_at at most every 10 s).
 * - batched: chunks from all connections collected for ≤ 5 ms (or 100 chunks) and stored by one
 *   multi-row insert joined to interactions for the ownership check: one commit per batch.
 *
 * (The path before the group commit, `storeChunk` with 3 statements + `heldRanges` with 2, measured
 * 2.0–2.3 ms of CPU per chunk here; BENCHMARKS.md keeps those figures.)
 * The last two are the prototypes the group commit was built from.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { ChunkBatcher, heldRanges, migrateToLatest, openDatabase, openInteraction, storeChunk, type IngestSource } from '@duet/core';
import { createTestDatabase } from '../../test/harness/postgres.js';
import { pidsByName, ProcessMonitor } from '../lib/proc.js';
import { round, summarize } from '../lib/stats.js';
import { audioPayload, loadWorkload, screenPayload, SCREEN_STREAM } from './workload.js';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const AGENTS = 400;
const IN_FLIGHT = 40;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

interface Chunk {
  src: IngestSource;
  interactionId: string;
  stream: string;
  seq: number;
  payload: Buffer;
}

const created = await createTestDatabase(ADMIN_URL);
const database = await openDatabase({ url: created.url, poolSize: 10 });
try {
  const db = database.db;
  await migrateToLatest(db);
  // BENCH_PAYLOAD_STORAGE: compare how the payload column is stored (see the migration
  // 20261123T150000_chunk_payload_inline): `default` undoes it, `external` skips compression only.
  const storage = process.env.BENCH_PAYLOAD_STORAGE;
  if (storage === 'default') await sql`alter table interaction_chunks reset (toast_tuple_target)`.execute(db);
  if (storage === 'external') await sql`alter table interaction_chunks reset (toast_tuple_target), alter column payload set storage external`.execute(db);
  if (storage) console.log(`payload storage: ${storage}`);
  const workload = await loadWorkload();
  const agents: { src: IngestSource; interactionId: string; seq: Record<string, number> }[] = [];
  const users = await db
    .insertInto('users')
    .values(Array.from({ length: AGENTS }, (_, i) => ({ username: `micro-${i}`, display_name: `Micro ${i}`, password_hash: 'x' })))
    .returning('id')
    .execute();
  for (const u of users) {
    const src = { agentId: u.id, clockOffsetMs: 0 };
    const interactionId = randomUUID();
    await openInteraction(db, src, { interactionId, startedAt: Date.now() });
    agents.push({ src, interactionId, seq: { audio: 0, [SCREEN_STREAM]: 0 } });
  }
  let k = 0;
  const next = (): Chunk => {
    const a = agents[k % AGENTS]!;
    const stream = Math.floor(k / AGENTS) % 2 ? SCREEN_STREAM : 'audio';
    k++;
    const seq = a.seq[stream]!++;
    return { src: a.src, interactionId: a.interactionId, stream, seq, payload: stream === 'audio' ? audioPayload(workload, seq) : screenPayload(workload, seq) };
  };
  const metaOf = (c: Chunk) => {
    const startMs = Date.now() - 1000;
    return { interactionId: c.interactionId, stream: c.stream, seq: c.seq, startMs, endMs: startMs + 1000 };
  };

  let queue: { c: Chunk; done: () => void; fail: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (!batch.length) return;
    const cs = batch.map((b) => b.c);
    try {
      await sql`
        insert into interaction_chunks (interaction_id, stream, seq, start_ms, end_ms, event_count, bytes, sha256, payload)
        select v.iid, v.stream, v.seq, v.s, v.e, v.ec, v.b, v.sha, v.p
        from unnest(${cs.map((c) => c.interactionId)}::uuid[], ${cs.map((c) => c.src.agentId)}::uuid[], ${cs.map((c) => c.stream)}::text[],
                    ${cs.map((c) => c.seq)}::int[], ${cs.map((c) => c.seq * 1000)}::int[], ${cs.map((c) => c.seq * 1000 + 1000)}::int[],
                    ${cs.map(() => null)}::int[], ${cs.map((c) => c.payload.byteLength)}::int[],
                    ${cs.map((c) => createHash('sha256').update(c.payload).digest('hex'))}::text[], ${cs.map((c) => c.payload)}::bytea[])
             as v(iid, agent, stream, seq, s, e, ec, b, sha, p)
        join interactions i on i.id = v.iid and i.agent_id = v.agent and i.status in ('recording', 'ended')
        on conflict (interaction_id, stream, seq) do nothing`.execute(db);
      for (const b of batch) b.done();
    } catch (err) {
      for (const b of batch) b.fail(err);
    }
  };

  const batcher = new ChunkBatcher(db);
  const variants: Record<string, (c: Chunk) => Promise<unknown>> = {
    batcher: (c) => batcher.store(c.src, metaOf(c), c.payload),
    'store-chunk': (c) => storeChunk(db, c.src, metaOf(c), c.payload),
    'store-chunk+held': async (c) => {
      await storeChunk(db, c.src, metaOf(c), c.payload);
      return heldRanges(db, c.src, c.interactionId, c.stream);
    },
    'one-statement': (c) =>
      sql`
        with own as (select id, started_at from interactions where id = ${c.interactionId} and agent_id = ${c.src.agentId} and status in ('recording', 'ended')),
        ins as (
          insert into interaction_chunks (interaction_id, stream, seq, start_ms, end_ms, event_count, bytes, sha256, payload)
          select id, ${c.stream}, ${c.seq}, ${c.seq * 1000}, ${c.seq * 1000 + 1000}, null, ${c.payload.byteLength},
                 ${createHash('sha256').update(c.payload).digest('hex')}, ${c.payload} from own
          on conflict (interaction_id, stream, seq) do nothing returning seq),
        touch as (update interactions set last_data_at = now()
                  where id = ${c.interactionId} and last_data_at < now() - interval '10 seconds' and exists (select 1 from ins))
        select (select count(*) from own)::int as owned, (select count(*) from ins)::int as inserted`.execute(db),
    batched: (c) =>
      new Promise<void>((done, fail) => {
        queue.push({ c, done, fail });
        if (queue.length >= 100) void flush();
        else timer ??= setTimeout(() => void flush(), 5);
      }),
  };

  // Open every pooled connection first, so the PostgreSQL processes exist when measuring starts.
  await Promise.all(Array.from({ length: 10 }, () => sql`select pg_sleep(0.05)`.execute(db)));
  const wanted = process.argv.slice(2);
  console.log(`DB cost per chunk: ${AGENTS} interactions, ${IN_FLIGHT} chunks in flight, pool of 10, ${SECONDS} s per variant`);
  for (const [name, run] of Object.entries(variants)) {
    if (wanted.length && !wanted.includes(name)) continue;
    const self = new ProcessMonitor(() => [process.pid]);
    const pgMon = new ProcessMonitor(() => pidsByName('postgres'));
    self.start();
    pgMon.start();
    const lat: number[] = [];
    const end = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          await run(next());
          lat.push(performance.now() - t0);
        }
      }),
    );
    const me = self.stop();
    const pgw = pgMon.stop();
    const s = summarize(lat);
    const perChunk = (w: { cpuPercent: number; wallSeconds: number }) => ((w.cpuPercent / 100) * w.wallSeconds * 1000) / lat.length;
    console.log(
      `${name.padEnd(14)} ${String(Math.round(lat.length / me.wallSeconds)).padStart(5)} chunks/s   CPU per chunk: node ${perChunk(me).toFixed(3)} ms, postgres ${perChunk(pgw).toFixed(3)} ms   latency p50 ${round(s.p50)} ms, p99 ${round(s.p99)} ms`,
    );
  }

  // The held-ranges query reads every seq of the stream: its cost grows with the call's length.
  const a = agents[0]!;
  for (const len of [10, 100, 600, 1800]) {
    await sql`delete from interaction_chunks where interaction_id = ${a.interactionId}`.execute(db);
    await sql`insert into interaction_chunks (interaction_id, stream, seq, start_ms, end_ms, bytes, sha256, payload)
              select ${a.interactionId}, 'audio', s, s * 1000, s * 1000 + 1000, 4000, 'x', ${workload.audioCycle[0]!}
              from generate_series(0, ${len - 1}) s`.execute(db);
    await sql`analyze interaction_chunks`.execute(db);
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) await heldRanges(db, a.src, a.interactionId, 'audio');
    console.log(`heldRanges with ${String(len).padStart(4)} chunks in the stream (a ${round(len / 60)}-min call): ${((performance.now() - t0) / 300).toFixed(2)} ms per call`);
  }
} finally {
  await database.close();
  await created.drop();
}
