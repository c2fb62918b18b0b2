import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Manifest, MANIFEST_VERSION } from '@duet/protocol';
import type { Kysely } from 'kysely';
import { createIntegrationToken, objectKey, type DB } from '../../core/src/index.js';
import { joinPendingImports } from '../../workers/src/import/join-pending.js';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';
import { makeCallAudio, type CallAudio } from '../fixtures/call-audio.js';
import { removeRedisKeys } from '../harness/processes.js';
import { startS3, type S3TestServer } from '../harness/s3.js';

const SCREEN_START = new Date('2026-11-23T09:00:00.000Z');

async function objectBytes(server: TestServer, key: string): Promise<Buffer> {
  const got = await server.core.store.get(key);
  const parts: Buffer[] = [];
  for await (const c of got.body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function manifestOf(server: TestServer, interactionId: string): Promise<Manifest> {
  const row = await server.core.db.selectFrom('interactions').select('manifest_key').where('id', '=', interactionId).executeTakeFirstOrThrow();
  return Manifest.parse(JSON.parse((await objectBytes(server, row.manifest_key!)).toString('utf8')));
}

/** What a phone system does: one HTTP request with the file as the body. */
function uploader(server: TestServer, token: string) {
  return async (body: Buffer, query: Record<string, string>, type = 'application/octet-stream') => {
    const r = await fetch(`${server.url}/api/interactions/import?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: new Uint8Array(body),
    });
    const json = (await r.json()) as { id: string; statusUrl: string; message?: string };
    expect([200, 202], json.message).toContain(r.status);
    return json;
  };
}

/** Polls the status URL as the phone system would, until the import settles. */
async function settle(server: TestServer, token: string, statusUrl: string, until: string[] = ['done', 'failed']) {
  for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 150))) {
    const s = (await (await fetch(server.url + statusUrl, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      state: string;
      error: string | null;
      interactionId: string | null;
      placement: string | null;
      offsetMs: number | null;
      durationMs: number | null;
    };
    if (until.includes(s.state)) return s;
    if (Date.now() > deadline) throw new Error(`import did not settle: ${JSON.stringify(s)}`);
  }
}

/**
 * A screen recording of the same call as a recorder would have left it: the row, a fake recorder
 * audio object, and (when ready) a manifest with one screen stream and a PCI pause.
 */
async function seedScreenInteraction(server: TestServer, opts: { callId: string; status: 'ready' | 'ended'; timelineMs?: number; pause?: [number, number] }) {
  const db = server.core.db;
  const alex = await db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
  const team = await db.selectFrom('team_members').select('team_id').where('user_id', '=', alex.id).executeTakeFirstOrThrow();
  const id = randomUUID();
  const timelineMs = opts.timelineMs ?? 10_000;
  await db
    .insertInto('interactions')
    .values({ id, agent_id: alex.id, team_id: team.team_id, call_id: opts.callId, direction: 'inbound', status: opts.status, end_reason: 'ended', started_at: SCREEN_START, ended_at: new Date(SCREEN_START.getTime() + timelineMs), audio_channels: 2 })
    .execute();
  if (opts.pause) {
    await db.insertInto('interaction_markers').values([
      { interaction_id: id, kind: 'pause', at_ms: opts.pause[0], reason: 'card' },
      { interaction_id: id, kind: 'resume', at_ms: opts.pause[1], reason: null },
    ]).execute();
  }
  const recorderAudio = Buffer.from('OggS recorder audio stand-in');
  const audioKey = objectKey('interactions', id, 'audio.ogg');
  await server.core.store.put(audioKey, recorderAudio);
  const sha = (await import('node:crypto')).createHash('sha256').update(recorderAudio).digest('hex');
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    interactionId: id,
    startedAt: SCREEN_START.toISOString(),
    timelineMs,
    audio: { key: audioKey, bytes: recorderAudio.length, sha256: sha, container: 'ogg', codec: 'opus', channels: 2, channelRoles: ['agent', 'customer'], sampleRate: 48_000, durationMs: timelineMs },
    peaks: null,
    metrics: null,
    analysis: 'failed',
    pauses: opts.pause ? [{ startMs: opts.pause[0], endMs: opts.pause[1], reason: 'card' }] : [],
    gaps: [{ stream: 'screen:crm', startMs: 7000, endMs: 7500, missingSeqs: [[7, 7]] }],
    screens: [
      {
        stream: 'screen:crm',
        encoding: 'br',
        segments: [{ key: objectKey('interactions', id, 'screen-crm-0.br'), bytes: 1, sha256: sha, index: 0, startMs: 0, endMs: timelineMs, fullSnapshotMs: 0, eventCount: 3 }],
        facts: { pages: [{ url: 'http://crm.example.test/', app: 'crm', firstMs: 500, timeMs: 9000, visits: 1 }], apps: [{ app: 'crm', timeMs: 9000 }], switches: 0, appSwitches: 0, idleMs: 0, observedMs: timelineMs },
      },
    ],
    focus: [],
  };
  const makeReady = async (trx: Kysely<DB> = db) => {
    const body = Buffer.from(JSON.stringify(manifest));
    const key = objectKey('interactions', id, 'manifest.json');
    await server.core.store.put(key, body);
    await trx.updateTable('interactions').set({ status: 'ready', timeline_ms: timelineMs, manifest_store: server.core.store.name, manifest_key: key }).where('id', '=', id).execute();
  };
  if (opts.status === 'ready') await makeReady();
  return { id, audioKey, manifest, makeReady };
}

async function exists(server: TestServer, key: string) {
  return (await server.core.store.head(key)) !== null;
}

function importSuite(name: string, start: () => Promise<{ server: TestServer; stop: () => Promise<void> }>, opts: { full: boolean }) {
  describe(name, () => {
    let server: TestServer;
    let stop: () => Promise<void>;
    let audio: CallAudio;
    let token: string;
    let upload: ReturnType<typeof uploader>;
    let speechWav: string;

    beforeAll(async () => {
      audio = await makeCallAudio();
      speechWav = await audio.wav('call.wav', 'Thank you for calling billing. My name is Alex. How can I help you today?');
      ({ server, stop } = await start());
      token = (await createIntegrationToken(server.core.db, 'PBX', ['import'], { id: null })).token;
      upload = uploader(server, token);
    }, 120_000);
    afterAll(async () => {
      await stop?.();
      await audio?.cleanup();
    });

    it.each(opts.full ? (['wav', 'mp3', 'ogg', 'webm'] as const) : (['wav'] as const))('imports %s as a voice-only interaction that plays: Opus, as long as the source', async (format) => {
      const file =
        format === 'wav'
          ? speechWav
          : await audio.convert(speechWav, `call.${format}`, ...(format === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '32k'] : ['-c:a', 'libopus', '-b:a', '64k']));
      const sourceMs = await audio.decodedMs(file);
      const callId = `VO-${format}-${randomBytes(3).toString('hex')}`;
      const accepted = await upload(await audio.bytes(file.split('/').pop()!), { callId, agent: 'alex', startedAt: '2026-11-23T11:00:00+01:00', direction: 'outbound' });
      const s = await settle(server, token, accepted.statusUrl);
      expect(s, s.error ?? '').toMatchObject({ state: 'done', placement: 'voice-only', interactionId: accepted.id });
      const row = await server.core.db.selectFrom('interactions').selectAll().where('id', '=', s.interactionId!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'ready', call_id: callId, direction: 'outbound', audio_channels: 2 });
      expect(row.started_at.toISOString()).toBe('2026-11-23T10:00:00.000Z');
      const manifest = await manifestOf(server, row.id);
      expect(manifest).toMatchObject({ screens: [], pauses: [], gaps: [], audio: { codec: 'opus', container: 'ogg', channels: 2, channelRoles: ['agent', 'customer'] } });
      expect(['pending', 'done']).toContain(manifest.analysis);
      const out = audio.file(`out-${format}.ogg`);
      await writeFile(out, await objectBytes(server, manifest.audio!.key));
      const probed = await audio.probeMs(out);
      expect(probed.codec).toBe('opus');
      expect(Math.abs(probed.durationMs - sourceMs), `${probed.durationMs} vs source ${sourceMs}`).toBeLessThanOrEqual(50);
      expect(Math.abs(manifest.timelineMs - sourceMs)).toBeLessThanOrEqual(50);
      const speech = await audio.speechOf(out, 0, probed.durationMs);
      expect(speech.length).toBeGreaterThan(0);
      expect(await audio.speechOf(out, 1, probed.durationMs)).toEqual([]);
    });

    it('shows the voice-only interaction to the agent’s supervisor and not to another agent', async () => {
      const callId = `VO-scope-${randomBytes(3).toString('hex')}`;
      const accepted = await upload(await audio.bytes('call.wav'), { callId, agent: 'alex', startedAt: '2026-11-23T12:00:00Z' }, 'audio/wav');
      const s = await settle(server, token, accepted.statusUrl);
      const sofia = new ApiClient(server.url);
      await sofia.login('sofia');
      const list = await sofia.get(`/api/interactions?callId=${callId}`);
      expect(list.body.interactions.map((i: { id: string }) => i.id)).toEqual([s.interactionId]);
      expect((await sofia.get(`/api/interactions/${s.interactionId}/media`)).status).toBe(200);
      const casey = new ApiClient(server.url);
      await casey.login('casey');
      expect((await casey.get(`/api/interactions/${s.interactionId}`)).status).toBe(404);
      expect((await casey.get(`/api/interactions?callId=${callId}`)).body.interactions).toEqual([]);
      const alex = new ApiClient(server.url);
      await alex.login('alex');
      expect((await alex.get(`/api/interactions/${s.interactionId}`)).status).toBe(200);
      const audits = await server.core.db.selectFrom('audit_log').select('detail').where('action', '=', 'import.completed').where('target_id', '=', accepted.id).execute();
      expect(audits).toHaveLength(1);
    });

    it('joins a ready screen recording of the same call: speech at the PBX offset, screen untouched, nothing lost', async () => {
      const callId = `JOIN-${randomBytes(3).toString('hex')}`;
      const screen = await seedScreenInteraction(server, { callId, status: 'ready', timelineMs: 10_000 });
      const accepted = await upload(await audio.bytes('call.wav'), { callId, agent: 'alex', startedAt: new Date(SCREEN_START.getTime() + 3000).toISOString() }, 'audio/wav');
      const s = await settle(server, token, accepted.statusUrl);
      expect(s, s.error ?? '').toMatchObject({ state: 'done', placement: 'joined', interactionId: screen.id, offsetMs: 3000 });
      const m = await manifestOf(server, screen.id);
      expect(m.startedAt).toBe(SCREEN_START.toISOString());
      expect(m.timelineMs).toBe(Math.max(10_000, 3000 + s.durationMs!));
      expect(m.screens).toEqual(screen.manifest.screens);
      expect(m.gaps).toEqual(screen.manifest.gaps);
      const out = audio.file(`joined-${callId}.ogg`);
      await writeFile(out, await objectBytes(server, m.audio!.key));
      const probed = await audio.probeMs(out);
      expect(Math.abs(probed.durationMs - m.timelineMs)).toBeLessThanOrEqual(50);
      const speech = await audio.speechOf(out, 0, probed.durationMs);
      expect(Math.abs(speech[0]!.startMs - 3000), JSON.stringify(speech)).toBeLessThan(100);
      // The recorder's audio and the manifest before the join are kept and referenced.
      const imp = await server.core.db.selectFrom('interaction_imports').selectAll().where('id', '=', accepted.id).executeTakeFirstOrThrow();
      expect(imp.previous_audio).toMatchObject({ key: screen.audioKey });
      expect(await exists(server, screen.audioKey)).toBe(true);
      expect(JSON.parse((await objectBytes(server, imp.previous_manifest_key!)).toString('utf8'))).toEqual(screen.manifest);
      const row = await server.core.db.selectFrom('interactions').selectAll().where('id', '=', screen.id).executeTakeFirstOrThrow();
      expect(row.started_at.toISOString()).toBe(SCREEN_START.toISOString());
      expect(row.timeline_ms).toBe(m.timelineMs);
    });

    it('grows the timeline to the left when the PBX audio starts before the screen recording, and keeps PCI pauses silent', async () => {
      const callId = `EARLY-${randomBytes(3).toString('hex')}`;
      const screen = await seedScreenInteraction(server, { callId, status: 'ready', timelineMs: 6000, pause: [500, 1500] });
      const accepted = await upload(await audio.bytes('call.wav'), { callId, agent: 'alex', startedAt: new Date(SCREEN_START.getTime() - 2000).toISOString() }, 'audio/wav');
      const s = await settle(server, token, accepted.statusUrl);
      expect(s, s.error ?? '').toMatchObject({ state: 'done', placement: 'joined', offsetMs: -2000 });
      const m = await manifestOf(server, screen.id);
      expect(m.startedAt).toBe(new Date(SCREEN_START.getTime() - 2000).toISOString());
      expect(m.timelineMs).toBe(Math.max(8000, s.durationMs!));
      const seg = m.screens[0]!.segments[0]!;
      expect([seg.startMs, seg.endMs, seg.fullSnapshotMs]).toEqual([2000, 8000, 2000]);
      expect(m.screens[0]!.facts.pages[0]!.firstMs).toBe(2500);
      expect(m.pauses).toEqual([{ startMs: 2500, endMs: 3500, reason: 'card' }]);
      expect(m.gaps).toEqual([{ stream: 'screen:crm', startMs: 9000, endMs: 9500, missingSeqs: [[7, 7]] }]);
      const row = await server.core.db.selectFrom('interactions').selectAll().where('id', '=', screen.id).executeTakeFirstOrThrow();
      expect(row.started_at.toISOString()).toBe(m.startedAt);
      const markers = await server.core.db.selectFrom('interaction_markers').select(['kind', 'at_ms']).where('interaction_id', '=', screen.id).orderBy('at_ms').execute();
      expect(markers).toEqual([{ kind: 'pause', at_ms: 2500 }, { kind: 'resume', at_ms: 3500 }]);
      const out = audio.file(`early-${callId}.ogg`);
      await writeFile(out, await objectBytes(server, m.audio!.key));
      const probed = await audio.probeMs(out);
      const speech = await audio.speechOf(out, 0, probed.durationMs);
      expect(speech[0]!.startMs, JSON.stringify(speech)).toBeLessThan(100);
      expect(speech.filter((x) => x.startMs < 3450 && x.endMs > 2550), 'silence over the PCI pause').toEqual([]);
      expect(speech.some((x) => x.endMs > 3600)).toBe(true);
    });

    it('waits for a screen recording that is not finalized yet, and joins when finalization asks', async () => {
      const callId = `LATE-${randomBytes(3).toString('hex')}`;
      const screen = await seedScreenInteraction(server, { callId, status: 'ended', timelineMs: 9000 });
      const accepted = await upload(await audio.bytes('call.wav'), { callId, agent: 'alex', startedAt: new Date(SCREEN_START.getTime() + 1000).toISOString() }, 'audio/wav');
      const waiting = await settle(server, token, accepted.statusUrl, ['waiting', 'done', 'failed']);
      expect(waiting).toMatchObject({ state: 'waiting', interactionId: screen.id });
      // What finalization does at its end: the interaction becomes ready, then pending imports are requested.
      const jobs = server.core.jobs;
      await jobs.transaction(async (trx) => {
        await screen.makeReady(trx);
        expect(await joinPendingImports({ db: server.core.db, jobs }, screen.id, trx)).toBe(1);
      });
      const s = await settle(server, token, accepted.statusUrl);
      expect(s, s.error ?? '').toMatchObject({ state: 'done', placement: 'joined', offsetMs: 1000 });
      const m = await manifestOf(server, screen.id);
      expect(m.audio!.key).toContain(`audio-import-${accepted.id}`);
      // Asking again (a retried finalization) runs nothing twice.
      expect(await joinPendingImports({ db: server.core.db, jobs: server.core.jobs }, screen.id)).toBe(0);
    });

    // Refusals depend on ffmpeg only, not on the drivers: they run once (registered, never skipped).
    if (opts.full) it('refuses truncated and video files with a reason, creating nothing and keeping no upload', async () => {
      const wav = await audio.bytes('call.wav');
      const mp3 = await audio.convert(speechWav, 'trunc-src.mp3', '-c:a', 'libmp3lame', '-b:a', '32k');
      await audio.ffmpeg('-f', 'lavfi', '-i', 'testsrc=d=1:s=64x48', '-i', speechWav, '-c:v', 'libvpx', '-c:a', 'libopus', '-shortest', audio.file('video.webm'));
      const mp3Bytes = await audio.bytes(mp3.split('/').pop()!);
      const cases: [string, Buffer, RegExp][] = [
        // Cut on a sample boundary: it decodes cleanly, only the WAV header tells.
        ['wav', wav.subarray(0, 44 + 4 * Math.floor((wav.length - 44) / 8)), /WAV is truncated/],
        ['mp3', mp3Bytes.subarray(0, Math.floor(mp3Bytes.length * 0.6)), /truncated/],
        ['webm', await audio.bytes('video.webm'), /video stream/],
      ];
      for (const [format, bytes, reason] of cases) {
        const accepted = await upload(bytes, { callId: `BAD-${format}-${randomBytes(3).toString('hex')}`, agent: 'alex', startedAt: '2026-11-23T13:00:00Z' });
        const s = await settle(server, token, accepted.statusUrl);
        expect(s.state).toBe('failed');
        expect(s.error).toMatch(reason);
        expect(await server.core.db.selectFrom('interactions').select('id').where('id', '=', accepted.id).executeTakeFirst()).toBeUndefined();
        const row = await server.core.db.selectFrom('interaction_imports').select('original_key').where('id', '=', accepted.id).executeTakeFirstOrThrow();
        expect(await exists(server, row.original_key)).toBe(false);
        const audits = await server.core.db.selectFrom('audit_log').select('detail').where('action', '=', 'import.refused').where('target_id', '=', accepted.id).execute();
        expect(audits).toHaveLength(1);
      }
    });
  });
}

importSuite('PBX import pipeline (PGlite, filesystem store, in-process jobs)', async () => {
  const server = await startTestServer();
  return { server, stop: () => server.stop() };
}, { full: true });

const pgUrl = inject('postgresAdminUrl');
const redisUrl = inject('redisUrl');
describe.skipIf(!pgUrl || !redisUrl)('with the production drivers', () => {
  let s3: S3TestServer | undefined;
  const prefix = `imp-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await removeRedisKeys(redisUrl!, `bull:${prefix}-`);
    await s3?.close();
  });
  importSuite('PBX import pipeline (PostgreSQL, S3, BullMQ)', async () => {
    s3 = await startS3();
    const server = await startTestServer({
      database: 'postgres',
      env: {
        REDIS_URL: redisUrl!,
        JOB_QUEUE_PREFIX: prefix,
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: s3.region,
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    });
    return { server, stop: () => server.stop() };
  }, { full: false });
});
