import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_LIMITS, IngestEvent } from '@duet/protocol';
import { createRecorderToken, revokeRecorderToken } from '../../core/src/index.js';
import { startTestServer, type TestServer } from '../harness/app.js';
import { connectRecorder, send } from '../harness/recorder-client.js';

async function tokenFor(server: TestServer, username: string): Promise<string> {
  const user = await server.core.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return (await createRecorderToken(server.core.db, user.id, `${username} test browser`, { id: null })).token;
}

/** Everything ingest stores, to prove a refused message changed nothing. */
async function stored(server: TestServer) {
  const db = server.core.db;
  return {
    interactions: await db.selectFrom('interactions').select(['id', 'status', 'agent_id']).orderBy('id').execute(),
    chunks: await db.selectFrom('interaction_chunks').select(['interaction_id', 'stream', 'seq', 'sha256']).orderBy(['interaction_id', 'stream', 'seq']).execute(),
    markers: await db.selectFrom('interaction_markers').selectAll().orderBy(['interaction_id', 'at_ms']).execute(),
  };
}

const meta = (interactionId: string, stream: string, seq: number, t = Date.now()) => ({ interactionId, stream, seq, startMs: t + seq * 1000, endMs: t + seq * 1000 + 1000 });

describe('ingest: recorder handshake, chunks, acks, limits', () => {
  let server: TestServer;
  let alexToken: string;
  let caseyToken: string;
  const sockets: Socket[] = [];
  const recorder = async (token: string, opts?: Parameters<typeof connectRecorder>[2]) => {
    const s = await connectRecorder(server.url, token, opts);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer();
    alexToken = await tokenFor(server, 'alex');
    caseyToken = await tokenFor(server, 'casey');
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    // Each test starts with no interaction recording, so the per-agent open limit is not inherited.
    await server.core.db.updateTable('interactions').set({ status: 'ended', end_reason: 'ended' }).where('status', '=', 'recording').execute();
  });
  afterAll(async () => server?.stop());

  it('refuses a missing, unknown or revoked token and a wrong protocol version, with the reason', async () => {
    await expect(connectRecorder(server.url, '')).rejects.toThrow(/handshake refused: token/);
    await expect(connectRecorder(server.url, 'duet_rt_unknown')).rejects.toThrow('handshake refused: unknown recorder token');
    await expect(connectRecorder(server.url, alexToken, { protocolVersion: 99 })).rejects.toThrow(/this server speaks ingest protocol 1/);
    const devon = await server.core.db.selectFrom('users').select('id').where('username', '=', 'devon').executeTakeFirstOrThrow();
    const created = await createRecorderToken(server.core.db, devon.id, 'to revoke', { id: null });
    await revokeRecorderToken(server.core.db, created.id, { id: null });
    await expect(connectRecorder(server.url, created.token)).rejects.toThrow('handshake refused: recorder token revoked');
  });

  it('stores chunks durably, acks with the held seqs, and treats resends as harmless duplicates', async () => {
    const s = await recorder(alexToken);
    const id = randomUUID();
    const t0 = Date.now();
    expect(await send(s, IngestEvent.open, { interactionId: id, startedAt: t0, callId: 'PBX-1001', direction: 'inbound', audio: { channels: 2, mimeType: 'audio/webm;codecs=opus' } })).toEqual({ ok: true, duplicate: false });
    const payloads = [0, 1, 2, 4].map(() => randomBytes(3000));
    const acks = [];
    for (const [i, seq] of [0, 1, 2, 4].entries()) acks.push(await send(s, IngestEvent.chunk, meta(id, 'audio', seq, t0), payloads[i]));
    expect(acks.at(-1)).toEqual({ ok: true, stream: 'audio', seq: 4, duplicate: false, held: [[0, 2], [4, 4]] });
    // Resending seq 1 (say after a lost ack) is acked as a duplicate and stores nothing new.
    expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 1, t0), payloads[1])).toMatchObject({ ok: true, duplicate: true, held: [[0, 2], [4, 4]] });
    // The same seq with other bytes is refused: a seq must never be reused.
    const before = await stored(server);
    expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 1, t0), randomBytes(3000))).toMatchObject({ ok: false, error: 'chunk_conflict' });
    expect(await stored(server)).toEqual(before);
    // Reopening (after a reload) is idempotent; the held request tells what to resend.
    expect(await send(s, IngestEvent.open, { interactionId: id, startedAt: t0 })).toEqual({ ok: true, duplicate: true });
    expect(await send(s, IngestEvent.held, { interactionId: id, stream: 'audio' })).toEqual({ ok: true, stream: 'audio', held: [[0, 2], [4, 4]] });
    const rows = await server.core.db.selectFrom('interaction_chunks').select(['seq', 'bytes', 'payload']).where('interaction_id', '=', id).orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 4]);
    expect(Buffer.compare(rows[1]!.payload, payloads[1]!)).toBe(0);
  });

  it('stores gzip screen chunks decompressed, and refuses corrupt, oversized or audio gzip without storing anything', async () => {
    const s = await recorder(alexToken);
    const id = randomUUID();
    const t0 = Date.now();
    await send(s, IngestEvent.open, { interactionId: id, startedAt: t0 });
    const json = Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ type: 3, timestamp: t0 + i, data: { source: 0, adds: [], texts: [{ id: i, value: 'row '.repeat(20) }] } }))));
    const gz = gzipSync(json);
    expect(gz.length).toBeLessThan(json.length / 5);
    const gzMeta = { ...meta(id, 'screen:crm', 0, t0), eventCount: 200, contentEncoding: 'gzip' };
    expect(await send(s, IngestEvent.chunk, gzMeta, gz)).toMatchObject({ ok: true, duplicate: false, held: [[0, 0]] });
    // a resend (compressed again) is the same chunk
    expect(await send(s, IngestEvent.chunk, gzMeta, gzipSync(json, { level: 1 }))).toMatchObject({ ok: true, duplicate: true });
    const row = await server.core.db.selectFrom('interaction_chunks').select(['payload', 'bytes']).where('interaction_id', '=', id).executeTakeFirstOrThrow();
    expect(Buffer.compare(row.payload, json)).toBe(0);
    expect(Number(row.bytes)).toBe(json.length);

    const before = await stored(server);
    const bomb = gzipSync(Buffer.alloc(INGEST_LIMITS.maxChunkBytes + 1, 0x20));
    expect(bomb.length).toBeLessThan(10_000);
    const refusals: [object, Buffer, object, RegExp][] = [
      [{ ...gzMeta, seq: 1 }, Buffer.from('not gzip at all'), { error: 'invalid_payload' }, /not valid gzip/],
      [{ ...gzMeta, seq: 1 }, gz.subarray(0, gz.length - 20), { error: 'invalid_payload' }, /not valid gzip/],
      [{ ...gzMeta, seq: 1 }, bomb, { error: 'limit_exceeded', limit: 'maxChunkBytes' }, /once decompressed/],
      [{ ...meta(id, 'audio', 0, t0), contentEncoding: 'gzip' }, gz, { error: 'invalid_message' }, /only screen chunks may be gzip/],
      [{ ...gzMeta, seq: 1, contentEncoding: 'br' }, gz, { error: 'invalid_message' }, /contentEncoding/],
    ];
    for (const [m, payload, error, message] of refusals) {
      const ack = await send(s, IngestEvent.chunk, m, payload);
      expect(ack).toMatchObject({ ok: false, ...error });
      expect(ack.ok === false && ack.message).toMatch(message);
    }
    expect(await stored(server)).toEqual(before);
  });

  it('puts chunks on the interaction timeline using the measured clock offset', async () => {
    const skew = 7_000; // the agent's clock runs 7 s ahead
    const s = await recorder(alexToken, { clockSkewMs: skew });
    const id = randomUUID();
    const agentNow = Date.now() + skew;
    expect((await send(s, IngestEvent.open, { interactionId: id, startedAt: agentNow })).ok).toBe(true);
    await send(s, IngestEvent.chunk, { ...meta(id, 'screen:crm', 0, agentNow + 2_000), eventCount: 3 }, Buffer.from('[]'));
    const row = await server.core.db.selectFrom('interactions').select(['started_at', 'clock_offset_ms']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(Math.abs(row.clock_offset_ms - skew)).toBeLessThan(50);
    expect(Math.abs(row.started_at.getTime() - (agentNow - skew))).toBeLessThan(50);
    const chunk = await server.core.db.selectFrom('interaction_chunks').select(['start_ms', 'end_ms', 'event_count']).where('interaction_id', '=', id).executeTakeFirstOrThrow();
    expect(Math.abs(chunk.start_ms - 2_000)).toBeLessThan(50);
    expect(chunk.end_ms - chunk.start_ms).toBe(1000);
    expect(chunk.event_count).toBe(3);
  });

  it('refuses bad messages with clear errors and changes nothing', async () => {
    const s = await recorder(alexToken);
    const id = randomUUID();
    await send(s, IngestEvent.open, { interactionId: id, startedAt: Date.now() });
    const before = await stored(server);
    const cases: [unknown[], RegExp][] = [
      [[{ ...meta(id, 'audio', 0), seq: 'zero' }, Buffer.from('x')], /Invalid chunk: seq: .*number/],
      [[{ ...meta(id, 'audio', 0), stream: '../../etc' }, Buffer.from('x')], /Invalid chunk: stream: must be "audio" or "screen:<tab id>"/],
      [[{ ...meta(id, 'audio', 0), interactionId: '../x' }, Buffer.from('x')], /Invalid chunk: interactionId: must be a UUID v4/],
      [[{ ...meta(id, 'audio', 0), endMs: 1 }, Buffer.from('x')], /endMs/],
      [[meta(id, 'audio', 0), 'not binary'], /send the payload as binary/],
      [['a string'], /Invalid chunk/],
    ];
    for (const [args, message] of cases) {
      const ack = await send(s, IngestEvent.chunk, ...args);
      expect(ack.ok).toBe(false);
      expect(ack.ok === false && ack.message).toMatch(message);
    }
    const huge = await send(s, IngestEvent.chunk, meta(id, 'audio', 0), Buffer.alloc(INGEST_LIMITS.maxChunkBytes + 1));
    expect(huge).toMatchObject({ ok: false, error: 'limit_exceeded', limit: 'maxChunkBytes' });
    expect(await send(s, IngestEvent.chunk, meta(randomUUID(), 'audio', 0), Buffer.from('x'))).toMatchObject({ ok: false, error: 'unknown_interaction' });
    expect(await send(s, IngestEvent.open, { interactionId: 'not-a-uuid', startedAt: Date.now() })).toMatchObject({ ok: false, error: 'invalid_message' });
    expect(await stored(server)).toEqual(before);
    // The connection is still usable after all of that.
    expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 0), Buffer.from('ok'))).toMatchObject({ ok: true, held: [[0, 0]] });
  });

  it('never lets one agent write into, or learn about, another agent’s interaction', async () => {
    const alex = await recorder(alexToken);
    const casey = await recorder(caseyToken);
    const id = randomUUID();
    await send(alex, IngestEvent.open, { interactionId: id, startedAt: Date.now() });
    const before = await stored(server);
    expect(await send(casey, IngestEvent.chunk, meta(id, 'audio', 0), Buffer.from('x'))).toMatchObject({ ok: false, error: 'unknown_interaction' });
    expect(await send(casey, IngestEvent.open, { interactionId: id, startedAt: Date.now() })).toMatchObject({ ok: false, error: 'unknown_interaction' });
    expect(await send(casey, IngestEvent.held, { interactionId: id, stream: 'audio' })).toMatchObject({ ok: false, error: 'unknown_interaction' });
    expect(await send(casey, IngestEvent.end, { interactionId: id, at: Date.now() })).toMatchObject({ ok: false, error: 'unknown_interaction' });
    expect(await stored(server)).toEqual(before);
  });

  it('limits messages per second and open interactions per agent, naming the limit', async () => {
    const s = await recorder(caseyToken);
    const ids = Array.from({ length: INGEST_LIMITS.maxOpenInteractionsPerAgent + 1 }, () => randomUUID());
    const opens = [];
    for (const id of ids) opens.push(await send(s, IngestEvent.open, { interactionId: id, startedAt: Date.now() }));
    expect(opens.slice(0, -1).every((a) => a.ok)).toBe(true);
    expect(opens.at(-1)).toMatchObject({ ok: false, error: 'limit_exceeded', limit: 'maxOpenInteractionsPerAgent' });
    await new Promise((r) => setTimeout(r, 1000));
    const burst = await Promise.all(Array.from({ length: INGEST_LIMITS.chunksPerSecond * 3 }, (_, i) => send(s, IngestEvent.chunk, meta(ids[0]!, 'screen:a', i), Buffer.from(`e${i}`))));
    const limited = burst.filter((a) => !a.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({ error: 'limit_exceeded', limit: 'chunksPerSecond' });
    expect(limited[0]!.ok === false && limited[0]!.retryAfterMs).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await send(s, IngestEvent.chunk, meta(ids[0]!, 'screen:a', 999), Buffer.from('after'))).ok).toBe(true);
  });

  it('records pause markers, ends idempotently, accepts late chunks until finalization starts, then refuses them', async () => {
    const s = await recorder(alexToken);
    const id = randomUUID();
    const t0 = Date.now();
    await send(s, IngestEvent.open, { interactionId: id, startedAt: t0 });
    expect(await send(s, IngestEvent.marker, { interactionId: id, kind: 'pause', at: t0 + 3000, reason: 'sensitive-field' })).toEqual({ ok: true });
    expect(await send(s, IngestEvent.marker, { interactionId: id, kind: 'resume', at: t0 + 5000 })).toEqual({ ok: true });
    const markers = await server.core.db.selectFrom('interaction_markers').select(['kind', 'at_ms', 'reason']).where('interaction_id', '=', id).orderBy('at_ms').execute();
    expect(markers.map((m) => m.kind)).toEqual(['pause', 'resume']);
    expect(Math.abs(markers[0]!.at_ms - 3000)).toBeLessThan(50);

    // Ended but not yet picked up by finalization (as between `end` and a busy worker): late chunks still land.
    await server.core.db.updateTable('interactions').set({ status: 'ended', end_reason: 'ended' }).where('id', '=', id).execute();
    expect((await send(s, IngestEvent.chunk, meta(id, 'audio', 7, t0), Buffer.from('late'))).ok).toBe(true);

    // `end` (again) requests finalization; once it has started, data is refused with a reason.
    expect(await send(s, IngestEvent.end, { interactionId: id, at: t0 + 9000 })).toEqual({ ok: true });
    expect(await send(s, IngestEvent.end, { interactionId: id, at: t0 + 9000 })).toEqual({ ok: true });
    const deadline = Date.now() + 20_000;
    let status = '';
    while (status !== 'ready' && Date.now() < deadline) {
      status = (await server.core.db.selectFrom('interactions').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('ready');
    expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 8, t0), Buffer.from('too late'))).toMatchObject({ ok: false, error: 'interaction_closed' });
  });
});

describe('ingest: interactions left open', () => {
  it('are ended by the idle-timeout job, keeping what arrived; active ones stay open', async () => {
    const server = await startTestServer();
    try {
      const s = await connectRecorder(server.url, await tokenFor(server, 'alex'));
      const [idle, active] = [randomUUID(), randomUUID()];
      for (const id of [idle, active]) {
        await send(s, IngestEvent.open, { interactionId: id, startedAt: Date.now() });
        await send(s, IngestEvent.chunk, meta(id, 'audio', 0), Buffer.from('data'));
      }
      s.close();
      const lastData = new Date(Date.now() - 11 * 60_000);
      await server.core.db.updateTable('interactions').set({ last_data_at: lastData }).where('id', '=', idle).execute();
      await server.core.jobs.enqueue('close-idle-interactions', { idleMinutes: 10 }, { jobId: `test-idle-${idle}` });
      const deadline = Date.now() + 10_000;
      let state = '';
      while (state !== 'done' && Date.now() < deadline) {
        state = (await server.core.db.selectFrom('job_runs').select('state').where('job_id', '=', `test-idle-${idle}`).executeTakeFirst())?.state ?? '';
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('done');
      const rows = await server.core.db.selectFrom('interactions').select(['id', 'status', 'end_reason', 'ended_at']).where('id', 'in', [idle, active]).execute();
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(byId[idle]).toMatchObject({ end_reason: 'idle-timeout', ended_at: lastData });
      expect(['ended', 'finalizing', 'ready']).toContain(byId[idle]!.status);
      expect(byId[active]).toMatchObject({ status: 'recording', end_reason: null });
      // What arrived is kept: the idle close requested its finalization like an `end` does.
      const finalize = await server.core.db.selectFrom('job_runs').select('state').where('job_id', '=', `finalize-interaction:${idle}`).executeTakeFirst();
      expect(finalize).toBeDefined();
      const activeJob = await server.core.db.selectFrom('job_runs').select('state').where('job_id', '=', `finalize-interaction:${active}`).executeTakeFirst();
      expect(activeJob).toBeUndefined();
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('ingest durability across a server restart', () => {
  it('acks a chunk resent after the restart without duplicating it', async () => {
    const first = await startTestServer({ keepData: true });
    const token = await tokenFor(first, 'blair');
    const id = randomUUID();
    const t0 = Date.now();
    const payload = randomBytes(5000);
    let s = await connectRecorder(first.url, token);
    await send(s, IngestEvent.open, { interactionId: id, startedAt: t0 });
    expect((await send(s, IngestEvent.chunk, meta(id, 'audio', 0, t0), payload)).ok).toBe(true);
    s.close();
    await first.stop();

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      s = await connectRecorder(second.url, token);
      expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 0, t0), payload)).toMatchObject({ ok: true, duplicate: true, held: [[0, 0]] });
      expect(await send(s, IngestEvent.chunk, meta(id, 'audio', 1, t0), payload)).toMatchObject({ ok: true, duplicate: false, held: [[0, 1]] });
      s.close();
      const count = await second.core.db.selectFrom('interaction_chunks').select((eb) => eb.fn.countAll<string>().as('n')).where('interaction_id', '=', id).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(2);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
