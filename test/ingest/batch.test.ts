import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'socket.io-client';
import { Server as SocketServer } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IngestEvent, type IngestAck } from '@duet/protocol';
import { ChunkBatcher, createRecorderToken, IngestError, openInteraction, type IngestSource } from '../../core/src/index.js';
import { registerIngest, type IngestNamespace } from '../../server/src/ingest/namespace.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { connectRecorder, send } from '../harness/recorder-client.js';

const meta = (interactionId: string, stream: string, seq: number, t = Date.now()) => ({ interactionId, stream, seq, startMs: t + seq * 1000, endMs: t + seq * 1000 + 1000 });

async function userId(server: TestServer, username: string): Promise<string> {
  return (await server.core.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
}

/** Settles every promise and says what each became, so one refusal does not hide the others. */
async function outcomes(ps: Promise<{ duplicate: boolean }>[]) {
  return (await Promise.allSettled(ps)).map((r) => (r.status === 'fulfilled' ? r.value : { error: (r.reason as IngestError).code }));
}

/**
 * A database whose batch statements hang until `release()`: a commit stalled by the database
 * (starved of CPU or I/O), without having to starve a real one.
 */
function stallingDb() {
  let gate!: () => void;
  const stalled = new Promise<void>((r) => (gate = r));
  const statements: number[] = [];
  const db = {
    executeQuery: async (q: { parameters: readonly unknown[] }) => {
      const n = (q.parameters[0] as unknown[]).length;
      statements.push(n);
      await stalled;
      return { rows: Array.from({ length: n }, (_, i) => ({ ord: i + 1, status: 'recording', in_range: true, inserted: true, existing: null })) };
    },
  };
  return {
    db: db as unknown as ConstructorParameters<typeof ChunkBatcher>[0],
    statements,
    release: () => gate(),
  };
}

describe('ingest admission: the time bound', () => {
  const src: IngestSource = { agentId: randomUUID(), clockOffsetMs: 0 };
  const id = randomUUID();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('refuses at once while a full batch has waited maxQueueWaitMs behind a stalled commit, and accepts again after', async () => {
    const fake = stallingDb();
    const batcher = new ChunkBatcher(fake.db, { maxBatch: 2, maxWaitMs: 1, maxConcurrent: 1, maxQueueWaitMs: 60, maxInFlight: 1000 });
    let seq = 0;
    const chunk = () => batcher.store(src, meta(id, 'audio', seq++), Buffer.from(`c${seq}`));
    const first = [chunk(), chunk()]; // the first batch: its commit stalls
    await sleep(10);
    expect(fake.statements).toEqual([2]);
    const queued = [chunk(), chunk()]; // a full batch waiting for the only slot
    // Not yet waited long enough: still admitted (the in-flight bound is far away).
    const admitted = chunk();
    await sleep(80);
    const t0 = performance.now();
    const refused = await outcomes([chunk(), chunk()]);
    expect(performance.now() - t0).toBeLessThan(50); // answered at once, not after the stall
    expect(refused).toEqual([{ error: 'overloaded' }, { error: 'overloaded' }]);
    await expect(chunk()).rejects.toThrow(/oldest waiting chunk has waited \d+ ms.*retry this chunk in \d+ ms/);
    // The stall ends: everything admitted is stored, nothing refused was.
    fake.release();
    expect(await outcomes([...first, ...queued, admitted])).toEqual(Array(5).fill({ duplicate: false }));
    expect(fake.statements.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await outcomes([chunk()])).toEqual([{ duplicate: false }]);
  });

  it('never refuses a short queue, however long it waits', async () => {
    const fake = stallingDb();
    const batcher = new ChunkBatcher(fake.db, { maxBatch: 10, maxWaitMs: 1, maxConcurrent: 1, maxQueueWaitMs: 20 });
    const running = batcher.store(src, meta(id, 'screen:a', 0), Buffer.from('a'));
    await sleep(10);
    const waiting = batcher.store(src, meta(id, 'screen:a', 1), Buffer.from('b'));
    await sleep(60); // the one waiting chunk is far past maxQueueWaitMs, but the queue is short
    const more = batcher.store(src, meta(id, 'screen:a', 2), Buffer.from('c'));
    fake.release();
    expect(await outcomes([running, waiting, more])).toEqual(Array(3).fill({ duplicate: false }));
  });
});

describe.each(['pglite', 'postgres'] as const)('ingest group commit on %s', (database) => {
  let server: TestServer;
  let alex: IngestSource;
  let casey: IngestSource;
  const sockets: Socket[] = [];
  const extra: { io: SocketServer; http: HttpServer; ingest: IngestNamespace }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ database });
    alex = { agentId: await userId(server, 'alex'), clockOffsetMs: 0 };
    casey = { agentId: await userId(server, 'casey'), clockOffsetMs: 0 };
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const x of extra.splice(0)) {
      await x.ingest.close();
      x.io.disconnectSockets(true);
      await new Promise((r) => x.http.close(r));
    }
    await server.core.db.updateTable('interactions').set({ status: 'ended', end_reason: 'ended' }).where('status', '=', 'recording').execute();
  });
  afterAll(async () => server?.stop());

  const recorder = async (username: string, url = server.url) => {
    const token = (await createRecorderToken(server.core.db, await userId(server, username), 'batch test', { id: null })).token;
    const s = await connectRecorder(url, token);
    sockets.push(s);
    return s;
  };

  /** A second `/ingest` on the same database, with batch options of the test's choosing. */
  const ingestWith = async (batch: ConstructorParameters<typeof ChunkBatcher>[1]) => {
    const http = createServer();
    const io = new SocketServer(http, { serveClient: false });
    const ingest = registerIngest(io, server.core.db, server.core.jobs, () => {}, { batch });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    extra.push({ io, http, ingest });
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, ingest };
  };

  it('answers each chunk of one batch by its own fate: owned, foreign, unknown, closed, duplicate, conflicting', async () => {
    const db = server.core.db;
    const [own, caseys, closed] = [randomUUID(), randomUUID(), randomUUID()];
    await openInteraction(db, alex, { interactionId: own, startedAt: Date.now() });
    await openInteraction(db, casey, { interactionId: caseys, startedAt: Date.now() });
    await openInteraction(db, alex, { interactionId: closed, startedAt: Date.now() });
    await db.updateTable('interactions').set({ status: 'finalizing' }).where('id', '=', closed).execute();
    const before = new ChunkBatcher(db);
    const old = randomBytes(100);
    await before.store(alex, meta(own, 'audio', 9), old);

    // maxBatch = the number of chunks and a long wait: all of them go in exactly one batch.
    const p = [randomBytes(200), randomBytes(200), randomBytes(200)];
    const writes: [IngestSource, ReturnType<typeof meta>, Buffer][] = [
      [alex, meta(own, 'audio', 0), p[0]!], // stored
      [alex, meta(caseys, 'audio', 0), p[1]!], // another agent's interaction
      [alex, meta(randomUUID(), 'audio', 0), p[1]!], // no such interaction
      [alex, meta(closed, 'audio', 0), p[1]!], // finalizing
      [alex, meta(own, 'audio', 0), p[0]!], // the same chunk again in the same batch
      [alex, meta(own, 'audio', 1), p[1]!], // stored
      [alex, meta(own, 'audio', 1), p[2]!], // same seq, other bytes, same batch
      [alex, meta(own, 'audio', 9), old], // stored before: duplicate
      [alex, meta(own, 'audio', 9), p[2]!], // stored before with other bytes: conflict
      [casey, meta(caseys, 'screen:crm', 0), p[2]!], // casey's own, in alex's batch
      [casey, meta(own, 'screen:crm', 0), p[2]!], // casey into alex's
      [alex, { ...meta(own, 'audio', 2), startMs: 3_900_000_000_000, endMs: 3_900_000_000_000 }, p[2]!], // off the timeline
    ];
    const batcher = new ChunkBatcher(db, { maxBatch: writes.length, maxWaitMs: 10_000 });
    const got = await outcomes(writes.map(([src, m, b]) => batcher.store(src, m, b)));
    expect(got).toEqual([
      { duplicate: false },
      { error: 'unknown_interaction' },
      { error: 'unknown_interaction' },
      { error: 'interaction_closed' },
      { duplicate: true },
      { duplicate: false },
      { error: 'chunk_conflict' },
      { duplicate: true },
      { error: 'chunk_conflict' },
      { duplicate: false },
      { error: 'unknown_interaction' },
      { error: 'invalid_payload' },
    ]);
    const rows = await db.selectFrom('interaction_chunks').select(['interaction_id', 'stream', 'seq', 'payload']).where('interaction_id', 'in', [own, caseys, closed]).orderBy('interaction_id').orderBy('stream').orderBy('seq').execute();
    const name = (iid: string) => (iid === own ? 'own' : iid === caseys ? 'caseys' : 'closed');
    expect(rows.map((r) => `${name(r.interaction_id)} ${r.stream} ${r.seq}`).sort()).toEqual(['caseys screen:crm 0', 'own audio 0', 'own audio 1', 'own audio 9']);
    const byKey = new Map(rows.map((r) => [`${r.interaction_id}|${r.stream}|${r.seq}`, r.payload]));
    expect(Buffer.compare(byKey.get(`${own}|audio|0`)!, p[0]!)).toBe(0);
    expect(Buffer.compare(byKey.get(`${own}|audio|1`)!, p[1]!)).toBe(0);
    expect(Buffer.compare(byKey.get(`${own}|audio|9`)!, old)).toBe(0);
  });

  it('keeps held ranges right after a reconnect, for duplicates, and across two connections of one agent', async () => {
    const id = randomUUID();
    const t0 = Date.now();
    const a = await recorder('alex');
    await send(a, IngestEvent.open, { interactionId: id, startedAt: t0 });
    for (const seq of [0, 1, 3]) await send(a, IngestEvent.chunk, meta(id, 'audio', seq, t0), Buffer.from(`c${seq}`));
    // A second connection of the same agent (a reload whose old socket is still open) writes the
    // same stream; its first ack reads the database, then both connections share what they store.
    const b = await recorder('alex');
    expect(await send(b, IngestEvent.chunk, meta(id, 'audio', 5, t0), Buffer.from('c5'))).toMatchObject({ ok: true, held: [[0, 1], [3, 3], [5, 5]] });
    expect(await send(a, IngestEvent.chunk, meta(id, 'audio', 2, t0), Buffer.from('c2'))).toMatchObject({ ok: true, held: [[0, 3], [5, 5]] });
    expect(await send(b, IngestEvent.chunk, meta(id, 'audio', 4, t0), Buffer.from('c4'))).toMatchObject({ ok: true, duplicate: false, held: [[0, 5]] });
    // A duplicate is held too.
    expect(await send(a, IngestEvent.chunk, meta(id, 'audio', 4, t0), Buffer.from('c4'))).toMatchObject({ ok: true, duplicate: true, held: [[0, 5]] });
    // Another stream of the same interaction has its own ranges.
    expect(await send(b, IngestEvent.chunk, meta(id, 'screen:crm', 7, t0), Buffer.from('[]'))).toMatchObject({ ok: true, held: [[7, 7]] });
    // A refused chunk changes nothing.
    expect(await send(a, IngestEvent.chunk, meta(id, 'audio', 6, t0), Buffer.from('c6'))).toMatchObject({ ok: true, held: [[0, 6]] });
    expect(await send(a, IngestEvent.chunk, meta(id, 'audio', 6, t0), Buffer.from('other'))).toMatchObject({ ok: false, error: 'chunk_conflict' });
    // After a reconnect (both old sockets gone) the new connection starts from the database.
    a.close();
    b.close();
    const c = await recorder('alex');
    expect(await send(c, IngestEvent.held, { interactionId: id, stream: 'audio' })).toEqual({ ok: true, stream: 'audio', held: [[0, 6]] });
    expect(await send(c, IngestEvent.chunk, meta(id, 'audio', 9, t0), Buffer.from('c9'))).toMatchObject({ ok: true, held: [[0, 6], [9, 9]] });
    const d = await recorder('alex');
    expect(await send(d, IngestEvent.chunk, meta(id, 'audio', 8, t0), Buffer.from('c8'))).toMatchObject({ ok: true, held: [[0, 6], [8, 9]] });
  });

  it('refuses chunks over the in-flight bound at once with retryAfterMs, and the connection stays usable', async () => {
    // A bound of 2 and a batch that waits 300 ms: the third chunk sent at once is over the bound.
    const { url } = await ingestWith({ maxInFlight: 2, maxWaitMs: 300 });
    const s = await recorder('casey', url);
    const id = randomUUID();
    expect(await send(s, IngestEvent.open, { interactionId: id, startedAt: Date.now() })).toMatchObject({ ok: true });
    const t0 = Date.now();
    const answeredAfter: number[] = [];
    const acks = await Promise.all(
      [0, 1, 2, 3].map(async (seq) => {
        const ack = await send(s, IngestEvent.chunk, meta(id, 'screen:a', seq), Buffer.from(`e${seq}`));
        answeredAfter[seq] = Date.now() - t0;
        return ack;
      }),
    );
    expect(acks.slice(0, 2)).toMatchObject([{ ok: true }, { ok: true }]);
    for (const a of acks.slice(2)) {
      expect(a).toMatchObject({ ok: false, error: 'overloaded' });
      expect(a.ok === false && a.retryAfterMs).toBeGreaterThanOrEqual(100);
      expect(a.ok === false && a.message).toMatch(/retry this chunk in \d+ ms/);
    }
    // The refusals came at once, not after the batch: shedding load keeps latency bounded.
    expect(Math.max(answeredAfter[2]!, answeredAfter[3]!)).toBeLessThan(Math.min(answeredAfter[0]!, answeredAfter[1]!));
    const refused = acks[2] as Extract<IngestAck, { ok: false }>;
    const stored = await server.core.db.selectFrom('interaction_chunks').select('seq').where('interaction_id', '=', id).orderBy('seq').execute();
    expect(stored.map((r) => r.seq)).toEqual([0, 1]);
    await new Promise((r) => setTimeout(r, refused.retryAfterMs));
    expect(await send(s, IngestEvent.chunk, meta(id, 'screen:a', 2), Buffer.from('e2'))).toMatchObject({ ok: true, held: [[0, 2]] });
  });

  it('writes last_data_at with the batch, at most every touchEveryMs per interaction, and only for new rows', async () => {
    const db = server.core.db;
    const id = randomUUID();
    await openInteraction(db, alex, { interactionId: id, startedAt: Date.now() });
    const longAgo = new Date(Date.now() - 5 * 60_000);
    const lastData = async () => (await db.selectFrom('interactions').select('last_data_at').where('id', '=', id).executeTakeFirstOrThrow()).last_data_at.getTime();
    await db.updateTable('interactions').set({ last_data_at: longAgo }).where('id', '=', id).execute();
    let clock = Date.now();
    const batcher = new ChunkBatcher(db, { touchEveryMs: 10_000, now: () => clock });
    // A refused chunk does not count as data.
    await expect(batcher.store(alex, meta(id, 'audio', 0), Buffer.alloc(3_000_000))).rejects.toBeInstanceOf(IngestError);
    expect(await lastData()).toBe(longAgo.getTime());
    const before = Date.now();
    await batcher.store(alex, meta(id, 'audio', 0), Buffer.from('a0'));
    const first = await lastData();
    expect(first).toBeGreaterThanOrEqual(before - 1000);
    // Within touchEveryMs: no write (the row is not rewritten per chunk).
    await db.updateTable('interactions').set({ last_data_at: longAgo }).where('id', '=', id).execute();
    clock += 5_000;
    await batcher.store(alex, meta(id, 'audio', 1), Buffer.from('a1'));
    expect(await lastData()).toBe(longAgo.getTime());
    // A duplicate after the interval is no new data either; the next new chunk writes.
    clock += 6_000;
    await batcher.store(alex, meta(id, 'audio', 1), Buffer.from('a1'));
    expect(await lastData()).toBe(longAgo.getTime());
    await batcher.store(alex, meta(id, 'audio', 2), Buffer.from('a2'));
    expect(await lastData()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('last_data_at advances through the socket path, so an active recording is not closed as idle', async () => {
    const s = await recorder('blair');
    const id = randomUUID();
    await send(s, IngestEvent.open, { interactionId: id, startedAt: Date.now() });
    const longAgo = new Date(Date.now() - 11 * 60_000);
    await server.core.db.updateTable('interactions').set({ last_data_at: longAgo }).where('id', '=', id).execute();
    expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 0), Buffer.from('x'))).toMatchObject({ ok: true });
    const row = await server.core.db.selectFrom('interactions').select('last_data_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(Date.now() - row.last_data_at.getTime()).toBeLessThan(60_000);
  });
});
