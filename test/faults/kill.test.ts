import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IngestEvent, Manifest, type IngestAck } from '@duet/protocol';
import { ApiClient } from '../harness/app.js';
import { freePort } from '../harness/ports.js';
import { createTestDatabase } from '../harness/postgres.js';
import { productionEnv, removeRedisKeys, ROOT, startProcess, waitFor, type Proc } from '../harness/processes.js';
import { connectRecorder, sendReliably } from '../harness/recorder-client.js';
import { startS3, type S3TestServer } from '../harness/s3.js';
import { loadRecordedSession, type RecordedSession } from '../fixtures/recorded.js';

interface Chunk {
  seq: number;
  startMs: number;
  endMs: number;
  data: Buffer;
  sha256: string;
}

const pgUrl = inject('postgresAdminUrl');
const redisUrl = inject('redisUrl');
const unavailable = !pgUrl || !redisUrl ? 'needs PostgreSQL and Redis (see the harness warning)' : null;

/**
 * Crashes on purpose, in the production topology (server and workers as separate processes on
 * PostgreSQL, Redis and S3): what a recorder retries is never lost or duplicated, and a worker
 * killed in the middle of finalization leaves a job that re-runs to the same result.
 */
describe.skipIf(unavailable)('faults: SIGKILL of the server during ingest and of a worker during finalization', () => {
  let s3: S3TestServer;
  let database: { url: string; drop(): Promise<void> };
  let env: ReturnType<typeof productionEnv> & { PORT: string; ADMIN_PASSWORD: string };
  let url: string;
  let server: Proc;
  let workers: Proc | undefined;
  let rec: RecordedSession;
  let token: string;
  let client: pg.Client;

  const startServer = async () => {
    server = startProcess('server/dist/main.js', env);
    await waitFor('the server', async () => ((await fetch(`${url}/api/health`)).ok ? true : undefined), [server]);
  };
  const startWorkers = async () => {
    const w = startProcess('workers/dist/main.js', env);
    await waitFor('the workers', async () => (w.output.join('').includes('workers ready') ? true : undefined), [w]);
    return w;
  };
  const chunkMeta = (id: string, c: Chunk) => ({ interactionId: id, stream: 'audio', seq: c.seq, startMs: c.startMs, endMs: c.endMs });
  /**
   * The recorded audio five times over, as five recorder streams back to back (a recorder that
   * restarted): 120 chunks, enough that the kill lands while acks are still outstanding.
   */
  let chunks: Chunk[];

  beforeAll(async () => {
    for (const built of ['server/dist/main.js', 'workers/dist/main.js']) {
      if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run "npm run build" (npm test does)`);
    }
    rec = await loadRecordedSession();
    const n = rec.audioChunks.length;
    chunks = Array.from({ length: 5 * n }, (_, i) => {
      const c = rec.audioChunks[i % n]!;
      const shift = Math.floor(i / n) * rec.session.durationMs;
      return { ...c, seq: i, startMs: c.startMs + shift, endMs: c.endMs + shift };
    });
    s3 = await startS3();
    database = await createTestDatabase(pgUrl!);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = { ...productionEnv({ databaseUrl: database.url, redisUrl: redisUrl!, s3 }), PORT: String(port), ADMIN_PASSWORD: 'faults-admin-password' };
    await startServer();
    const admin = new ApiClient(url);
    await admin.login('admin', 'faults-admin-password');
    const agent = await admin.post('/api/admin/users', { username: 'kim', displayName: 'Kim Agent', password: 'a-long-enough-password', roles: ['agent'] });
    token = (await admin.post('/api/admin/recorder-tokens', { agentId: agent.body.id, label: 'faults' })).body.token;
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  }, 90_000);

  afterAll(async () => {
    for (const p of [server, workers]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    await client?.end();
    if (env) await removeRedisKeys(redisUrl!, `bull:${env.JOB_QUEUE_PREFIX}-`);
    await database?.drop();
    await s3?.close();
  });

  let interactionId: string;

  it('loses nothing a recorder retries when the server is killed between receiving and acking', async () => {
    interactionId = randomUUID();
    let socket: Socket = await connectRecorder(url, token);
    expect(await sendReliably(socket, IngestEvent.open, { interactionId, startedAt: rec.session.startEpochMs, audio: { channels: 2, mimeType: 'audio/webm;codecs=opus' } })).toMatchObject({ ok: true });
    const acked = new Set<number>();
    // Fire every chunk at once and kill the server while acks are still coming back.
    for (const c of chunks) {
      socket.timeout(5000).emit(IngestEvent.chunk, chunkMeta(interactionId, c), c.data, (err: Error | null, ack: IngestAck) => {
        if (!err && ack.ok) acked.add(c.seq);
      });
    }
    await waitFor('the first acks', async () => (acked.size >= 10 ? true : undefined), [server], 10_000);
    server.child.kill('SIGKILL');
    expect(await server.exited).toBeNull();
    const ackedBeforeKill = acked.size;
    expect(ackedBeforeKill).toBeLessThan(chunks.length);
    socket.close();

    await startServer();
    socket = await connectRecorder(url, token);
    // The recorder's outbox still holds every chunk not acked; it resends them all.
    const held = await sendReliably(socket, IngestEvent.held, { interactionId, stream: 'audio' });
    expect(held.ok).toBe(true);
    for (const c of chunks.filter((x) => !acked.has(x.seq))) {
      const ack = await sendReliably(socket, IngestEvent.chunk, chunkMeta(interactionId, c), c.data);
      expect(ack).toMatchObject({ ok: true });
    }
    const rows = await client.query<{ seq: number; sha256: string }>('select seq, sha256 from interaction_chunks where interaction_id = $1 order by seq', [interactionId]);
    expect(rows.rows.map((r) => r.seq)).toEqual(chunks.map((c) => c.seq));
    expect(rows.rows.map((r) => r.sha256)).toEqual(chunks.map((c) => c.sha256));
    expect(await sendReliably(socket, IngestEvent.end, { interactionId, at: rec.session.startEpochMs + 5 * rec.session.durationMs })).toEqual({ ok: true });
    socket.close();
  }, 90_000);

  it('re-runs finalization to the same result after the worker is killed mid-job', async () => {
    // The reference: a twin with exactly the same stored rows (copied in SQL, so even the
    // timeline positions match), finalized without interruption. The reconciler at worker start
    // finds it 'ended' and requests its finalization.
    const twin = randomUUID();
    await client.query(
      `insert into interactions (id, agent_id, team_id, call_id, direction, status, end_reason, started_at, ended_at, clock_offset_ms, audio_channels)
       select $2, agent_id, team_id, call_id, direction, 'ended', end_reason, started_at, ended_at, clock_offset_ms, audio_channels from interactions where id = $1`,
      [interactionId, twin],
    );
    await client.query(
      `insert into interaction_chunks (interaction_id, stream, seq, start_ms, end_ms, event_count, bytes, sha256, payload)
       select $2, stream, seq, start_ms, end_ms, event_count, bytes, sha256, payload from interaction_chunks where interaction_id = $1`,
      [interactionId, twin],
    );
    await client.query(`insert into interaction_markers (interaction_id, kind, at_ms, reason) select $2, kind, at_ms, reason from interaction_markers where interaction_id = $1`, [
      interactionId,
      twin,
    ]);

    workers = await startWorkers();
    const jobId = `finalize-interaction:${interactionId}`;
    const stateAtKill = await waitFor(
      'the finalize job to start',
      async () => {
        const r = await client.query<{ state: string; attempts: number }>('select state, attempts from job_runs where job_id = $1', [jobId]);
        return r.rows[0]?.state === 'running' ? r.rows[0] : undefined;
      },
      [workers],
      30_000,
    );
    workers.child.kill('SIGKILL');
    await workers.exited;
    const status = (await client.query<{ status: string }>('select status from interactions where id = $1', [interactionId])).rows[0]!.status;
    expect({ state: stateAtKill.state, status }).toEqual({ state: 'running', status: 'finalizing' });

    // A new worker: the reconciler finds the unfinished job; BullMQ returns the stalled one too.
    workers = await startWorkers();
    for (const id of [interactionId, twin]) {
      await waitFor(
        `interaction ${id} to be ready`,
        async () => ((await client.query<{ status: string }>('select status from interactions where id = $1', [id])).rows[0]?.status === 'ready' ? true : undefined),
        [workers],
        90_000,
      );
    }
    const job = (await client.query<{ state: string; attempts: number }>('select state, attempts from job_runs where job_id = $1', [jobId])).rows[0]!;
    expect(job.state).toBe('done');
    expect(job.attempts).toBeGreaterThanOrEqual(2);

    const admin = new ApiClient(url);
    await admin.login('admin', 'faults-admin-password');
    // Peaks and metrics come from the follow-up analysis job, which this worker runs too.
    const worker = workers;
    const manifests = await Promise.all(
      [interactionId, twin].map((id) =>
        waitFor(
          `interaction ${id} to be analysed`,
          async () => {
            const m = Manifest.parse((await admin.get(`/api/interactions/${id}/media`)).body.manifest);
            return m.analysis === 'done' ? m : undefined;
          },
          [worker],
          90_000,
        ),
      ),
    );
    const sums = (m: Manifest) => ({ audio: m.audio!.sha256, peaks: m.peaks!.sha256, durationMs: m.audio!.durationMs, metrics: m.metrics });
    expect(sums(manifests[0]!)).toEqual(sums(manifests[1]!));
  }, 180_000);
});
