import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestEvent, Manifest } from '@duet/protocol';
import { analyzeJobId, createRecorderToken, JOB_POLICY, putManifest, readManifest, readObject } from '../../core/src/index.js';
import { analyzeAudioJob } from '../../workers/src/jobs/analyze-audio.js';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';
import { connectRecorder, sendReliably } from '../harness/recorder-client.js';
import { speechOf } from '../harness/speech.js';
import { loadRecordedSession, type RecordedSession } from '../fixtures/recorded.js';

const run = promisify(execFile);

/** Splits the recorded rrweb events into 1-second screen chunks, as a recorder would send them. */
function screenChunks(events: { timestamp: number }[], start: number) {
  const chunks: { seq: number; startMs: number; endMs: number; events: unknown[] }[] = [];
  for (const e of events) {
    const seq = Math.max(0, Math.floor((e.timestamp - start) / 1000));
    let c = chunks.find((x) => x.seq === seq);
    if (!c) chunks.push((c = { seq, startMs: start + seq * 1000, endMs: start + seq * 1000 + 1000, events: [] }));
    c.events.push(e);
  }
  // Renumber densely: seqs are consecutive per stream.
  return chunks.sort((a, b) => a.seq - b.seq).map((c, i) => ({ ...c, seq: i }));
}

interface SendPlan {
  order: 'in-order' | 'shuffled-with-duplicates';
}

/** Sends the whole recorded session as one interaction; returns its id once it is ready. */
async function sendSession(server: TestServer, socket: Socket, rec: RecordedSession, plan: SendPlan): Promise<string> {
  const id = randomUUID();
  const s = rec.session;
  const start = s.startEpochMs;
  expect(await sendReliably(socket, IngestEvent.open, { interactionId: id, startedAt: start, audio: { channels: 2, mimeType: s.audio.mimeType } })).toMatchObject({ ok: true });
  const messages: (() => Promise<unknown>)[] = [];
  for (const c of rec.audioChunks) messages.push(() => sendReliably(socket, IngestEvent.chunk, { interactionId: id, stream: 'audio', seq: c.seq, startMs: c.startMs, endMs: c.endMs }, c.data));
  for (const c of screenChunks(rec.events as { timestamp: number }[], start)) {
    messages.push(() => sendReliably(socket, IngestEvent.chunk, { interactionId: id, stream: 'screen:crm', seq: c.seq, startMs: c.startMs, endMs: c.endMs, eventCount: c.events.length }, Buffer.from(JSON.stringify(c.events))));
  }
  messages.push(() => sendReliably(socket, IngestEvent.marker, { interactionId: id, kind: 'pause', at: start + s.pause.startMs, reason: 'sensitive-field' }));
  messages.push(() => sendReliably(socket, IngestEvent.marker, { interactionId: id, kind: 'resume', at: start + s.pause.endMs }));
  let ordered = messages;
  if (plan.order === 'shuffled-with-duplicates') {
    // A deterministic shuffle, and every third message sent twice: retries after lost acks.
    ordered = messages.map((m, i) => ({ m, k: (i * 7919) % 101 })).sort((a, b) => a.k - b.k).map((x) => x.m);
    ordered = ordered.flatMap((m, i) => (i % 3 === 0 ? [m, m] : [m]));
  }
  for (const m of ordered) expect(await m()).toMatchObject({ ok: true });
  expect(await sendReliably(socket, IngestEvent.end, { interactionId: id, at: start + s.durationMs })).toEqual({ ok: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await server.core.db.selectFrom('interactions').select(['status', 'finalize_error']).where('id', '=', id).executeTakeFirstOrThrow();
    if (row.status === 'ready') return id;
    if (row.status === 'failed') throw new Error(`finalization failed: ${row.finalize_error}`);
    if (Date.now() > deadline) {
      const job = await server.core.db.selectFrom('job_runs').selectAll().where('job_id', 'like', `finalize-interaction:${id}`).executeTakeFirst();
      throw new Error(`not finalized in time (status ${row.status}; job ${JSON.stringify(job)})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function manifestOf(server: TestServer, id: string): Promise<Manifest> {
  const row = await server.core.db.selectFrom('interactions').select(['manifest_key']).where('id', '=', id).executeTakeFirstOrThrow();
  return readManifest(server.core.store, row.manifest_key!);
}

/** The manifest once analyze-audio has added peaks and talk metrics (it runs after the interaction is ready). */
async function analysedManifestOf(server: TestServer, id: string): Promise<Manifest> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = await manifestOf(server, id);
    if (m.analysis === 'done') return m;
    if (m.analysis === 'failed' || Date.now() > deadline) throw new Error(`analysis of ${id} is ${m.analysis}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const objectBytes = (server: TestServer, key: string) => readObject(server.core.store, key);

describe('pipeline: recorded session → ingest → finalize → manifest and media', () => {
  let server: TestServer;
  let rec: RecordedSession;
  let socket: Socket;
  let first: string;
  let second: string;
  let work: string;

  beforeAll(async () => {
    rec = await loadRecordedSession();
    server = await startTestServer();
    const alex = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    socket = await connectRecorder(server.url, (await createRecorderToken(server.core.db, alex.id, 'pipeline', { id: null })).token);
    first = await sendSession(server, socket, rec, { order: 'in-order' });
    second = await sendSession(server, socket, rec, { order: 'shuffled-with-duplicates' });
    work = await mkdtemp(path.join(os.tmpdir(), 'duet-pipeline-'));
  }, 120_000);
  afterAll(async () => {
    socket?.close();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is playable before its analysis: audio and screen in the manifest, peaks and metrics to follow', async () => {
    const id = await sendSession(server, socket, rec, { order: 'in-order' });
    const ready = await manifestOf(server, id);
    expect(ready.audio).not.toBeNull();
    expect(ready.screens[0]!.segments.length).toBeGreaterThan(0);
    if (ready.analysis === 'pending') expect({ peaks: ready.peaks, metrics: ready.metrics }).toEqual({ peaks: null, metrics: null });
    else expect(ready.analysis).toBe('done');
    const analysed = await analysedManifestOf(server, id);
    // The analysis changes nothing the player already had, and draws 10 peaks a second per channel.
    expect({ ...analysed, peaks: null, metrics: null, analysis: 'pending' }).toEqual({ ...ready, peaks: null, metrics: null, analysis: 'pending' });
    expect(analysed.peaks).toMatchObject({ channels: 2, peaksPerSecond: 10 });
    expect(Math.abs(analysed.peaks!.buckets - Math.ceil(analysed.audio!.durationMs / 100))).toBeLessThanOrEqual(1);
    expect(analysed.peaks!.key).toContain(analysed.audio!.sha256.slice(0, 16));
    // The ledger marks the job done right after the handler wrote the manifest.
    const jobState = async () => (await server.core.db.selectFrom('job_runs').select(['state']).where('job_id', '=', analyzeJobId(id, analysed.audio!.sha256)).executeTakeFirstOrThrow()).state;
    for (let i = 0; i < 50 && (await jobState()) === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await jobState()).toBe('done');
  });

  it('leaves the manifest alone when asked to analyse audio it no longer has, and marks a failed analysis without losing playability', async () => {
    const before = await analysedManifestOf(server, first);
    const deps = { db: server.core.db, store: server.core.store, log: () => {} };
    const ctx = (attempt: number) => ({ jobId: 'test', attempt, signal: new AbortController().signal, progress: async () => {}, log: () => {} });
    await analyzeAudioJob(deps)({ interactionId: first, audioSha256: 'f'.repeat(64) }, ctx(1));
    expect(await manifestOf(server, first)).toEqual(before);

    // Audio that no longer matches its checksum: retried, and on the last attempt marked failed.
    const id = await sendSession(server, socket, rec, { order: 'in-order' });
    const analysed = await analysedManifestOf(server, id);
    const reset = { ...analysed, peaks: null, metrics: null, analysis: 'pending' as const };
    await putManifest(server.core.store, reset);
    await server.core.store.put(analysed.audio!.key, Buffer.from('not the audio'));
    await expect(analyzeAudioJob(deps)({ interactionId: id, audioSha256: analysed.audio!.sha256 }, ctx(1))).rejects.toThrow(/checksum/);
    expect((await manifestOf(server, id)).analysis).toBe('pending');
    await expect(analyzeAudioJob(deps)({ interactionId: id, audioSha256: analysed.audio!.sha256 }, ctx(JOB_POLICY['analyze-audio'].attempts))).rejects.toThrow(/checksum/);
    expect(await manifestOf(server, id)).toEqual({ ...reset, analysis: 'failed' });
    const alex = new ApiClient(server.url);
    await alex.login('alex');
    expect((await alex.get(`/api/interactions/${id}/media`)).status).toBe(200);
  });

  it('produces a manifest whose checksums match every artifact, and removes the raw chunks', async () => {
    const manifest = await analysedManifestOf(server, first);
    expect(manifest.timelineMs).toBeGreaterThanOrEqual(rec.session.durationMs - 50);
    const artifacts = [manifest.audio, manifest.peaks, ...manifest.screens.flatMap((s) => s.segments)].filter((a) => a !== null);
    expect(artifacts.length).toBeGreaterThan(3);
    for (const a of artifacts) {
      const bytes = await objectBytes(server, a!.key);
      expect(bytes.byteLength).toBe(a!.bytes);
      expect((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex')).toBe(a!.sha256);
    }
    const left = await server.core.db.selectFrom('interaction_chunks').select('seq').where('interaction_id', '=', first).execute();
    expect(left).toEqual([]);
    expect(manifest.pauses).toHaveLength(1);
    expect(Math.abs(manifest.pauses[0]!.startMs - rec.session.pause.startMs)).toBeLessThan(50);
  });

  it('gives byte-identical artifacts whatever the order and duplication of delivery', async () => {
    const a = await analysedManifestOf(server, first);
    const b = await analysedManifestOf(server, second);
    const sums = (m: Manifest) => ({ audio: m.audio?.sha256, peaks: m.peaks?.sha256, screens: m.screens.map((s) => s.segments.map((x) => x.sha256)) });
    expect(sums(b)).toEqual(sums(a));
    expect(b.metrics).toEqual(a.metrics);
  });

  it('makes audio whose timeline equals the interaction’s, with speech where it was spoken and silence over the pause', async () => {
    const manifest = await manifestOf(server, first);
    const audio = manifest.audio!;
    expect(audio).toMatchObject({ codec: 'opus', channels: 2, channelRoles: ['agent', 'customer'] });
    expect(Math.abs(audio.durationMs - manifest.timelineMs)).toBeLessThanOrEqual(50);
    const file = path.join(work, `audio.${audio.container}`);
    await writeFile(file, await objectBytes(server, audio.key));
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
    expect(Math.abs(Number(stdout) * 1000 - manifest.timelineMs)).toBeLessThanOrEqual(50);
    for (const [channel, phrases] of [[0, rec.session.speech.agent], [1, rec.session.speech.customer]] as const) {
      const speech = await speechOf(file, channel, audio.durationMs, { minSilenceS: 0.25 });
      for (const p of phrases.filter((x) => !x.inPause)) {
        const hit = speech.find((s) => s.startMs < p.endMs && s.endMs > p.startMs);
        expect(hit, `${p.id} heard`).toBeDefined();
        expect(Math.abs(hit!.startMs - p.startMs), `${p.id} starts where spoken`).toBeLessThan(150);
      }
      const inPause = speech.filter((s) => s.startMs < rec.session.pause.endMs - 100 && s.endMs > rec.session.pause.startMs + 100);
      expect(inPause, 'silence over the PCI pause').toEqual([]);
    }
  });

  it('reports talk metrics close to how the call was laid out', async () => {
    const m = (await analysedManifestOf(server, first)).metrics!;
    expect(m.customer).not.toBeNull();
    expect(m.deadAir.count).toBeGreaterThanOrEqual(1);
    expect(m.overtalk.count).toBeGreaterThanOrEqual(1);
    expect(Math.abs(m.overtalk.totalMs - 1000)).toBeLessThan(400);
    expect(m.agent.talkMs).toBeGreaterThan(m.customer!.talkMs);
  });

  it('makes screen segments that reassemble to exactly the events sent, seekable by time', async () => {
    const manifest = await manifestOf(server, first);
    expect(manifest.screens).toHaveLength(1);
    const screen = manifest.screens[0]!;
    const replayed: unknown[] = [];
    // gzip, so a browser can decode it with DecompressionStream wherever Duet is served from.
    expect(screen.encoding).toBe('gzip');
    for (const seg of screen.segments) replayed.push(...(JSON.parse(gunzipSync(await objectBytes(server, seg.key)).toString('utf8')) as unknown[]));
    // The fixture's events start with Meta + FullSnapshot and hold none inside the pause.
    expect(replayed).toEqual(rec.events);
    expect(screen.segments.map((s) => s.index)).toEqual(screen.segments.map((_, i) => i));
    expect(screen.facts.pages.map((p) => p.url)).toEqual(['http://crm.example.test/', 'http://crm.example.test/payment.html']);
  });

  it('keeps the card number out of every stored byte', async () => {
    const digits = rec.session.cardNumber.replace(/\D/g, '');
    // The card's digits in order, with at most two separators between them (spaces, dashes, markup).
    const card = new RegExp(digits.split('').join('[^0-9]{0,2}'));
    const root = path.join(server.dataDir, 'objects');
    const files: string[] = [];
    const walk = async (d: string) => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(path.join(d, e.name));
        else files.push(path.join(d, e.name));
      }
    };
    await walk(root);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      let text = (await readFile(f)).toString('latin1');
      if (f.endsWith('.gzip')) text = gunzipSync(await readFile(f)).toString('utf8');
      expect(card.test(text), f).toBe(false);
    }
  });

  it('serves media only to those who may see it, through short-lived signed URLs with Range, and audits plays', async () => {
    const alex = new ApiClient(server.url);
    await alex.login('alex');
    const media = await alex.get(`/api/interactions/${first}/media`);
    expect(media.status).toBe(200);
    const manifest = Manifest.parse(media.body.manifest);
    const audioUrl: string = media.body.urls[manifest.audio!.key];
    expect(audioUrl).toMatch(/^\/api\/objects\/.+\?.*exp=\d+.*sig=/);
    const ranged = await fetch(server.url + audioUrl, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('OggS');
    const tampered = await fetch(server.url + audioUrl.replace(/sig=[^&]+/, 'sig=forged'));
    expect(tampered.status).toBe(403);
    const download = await alex.get(`/api/interactions/${first}/download`);
    expect(download.status).toBe(200);
    expect((await fetch(server.url + download.body.url)).headers.get('content-disposition')).toMatch(/attachment; filename="interaction-/);

    const casey = new ApiClient(server.url);
    await casey.login('casey');
    expect((await casey.get(`/api/interactions/${first}/media`)).status).toBe(404);
    expect((await casey.get(`/api/interactions/${first}/download`)).status).toBe(404);
    const sofia = new ApiClient(server.url);
    await sofia.login('sofia');
    expect((await sofia.get(`/api/interactions/${first}/media`)).status).toBe(200);

    const audits = await server.core.db.selectFrom('audit_log').select(['action', 'target_id']).where('action', 'like', 'media.%').execute();
    expect(audits.filter((a) => a.target_id === first).map((a) => a.action).sort()).toEqual(['media.download', 'media.play', 'media.play']);
  });

  it('says media is still processing, with progress, before finalization is done', async () => {
    const id = randomUUID();
    await sendReliably(socket, IngestEvent.open, { interactionId: id, startedAt: Date.now() });
    const alex = new ApiClient(server.url);
    await alex.login('alex');
    const r = await alex.get(`/api/interactions/${id}/media`);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'media_processing', interactionStatus: 'recording', progress: null, message: expect.stringMatching(/still being recorded/) });
  });
});
