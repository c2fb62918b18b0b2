import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';
import { makeCallAudio, type CallAudio } from '../fixtures/call-audio.js';

const START = '2026-11-23T10:15:00.000+01:00';

/**
 * POST /api/interactions/import at the HTTP edge: who may call it, and every refusal the server
 * makes before anything is stored. (What the worker does with accepted files: test/pipeline/import.test.ts.)
 */
describe('PBX import API: integration tokens, authentication and refusals', () => {
  let server: TestServer;
  let audio: CallAudio;
  let admin: ApiClient;
  let importToken: string;
  let ctiToken: string;
  let otherImportToken: string;
  let wav: Buffer;

  const upload = (body: Buffer | string | undefined, opts: { token?: string | null; query?: Record<string, string>; type?: string; headers?: Record<string, string> } = {}) => {
    const query = new URLSearchParams(opts.query ?? { callId: 'PBX-42', agent: 'alex', startedAt: START });
    return fetch(`${server.url}/api/interactions/import?${query}`, {
      method: 'POST',
      headers: {
        ...(opts.token !== null ? { authorization: `Bearer ${opts.token ?? importToken}` } : {}),
        ...(opts.type !== undefined ? (opts.type ? { 'content-type': opts.type } : {}) : { 'content-type': 'audio/wav' }),
        ...opts.headers,
      },
      body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> & { message: string; error: string; issues: { path: string; message: string }[] }, headers: r.headers }));
  };
  /** Accepted uploads are processed in the background: wait for them so snapshots compare like with like. */
  const settled = async () => {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const busy = await server.core.db.selectFrom('interaction_imports').select('id').where('state', 'in', ['queued', 'processing']).execute();
      if (busy.length === 0) return;
    }
    throw new Error('imports did not settle');
  };
  const stored = async () => ({
    rows: (await server.core.db.selectFrom('interaction_imports').select('id').execute()).length,
    objects: await (async () => {
      const keys: string[] = [];
      for await (const o of server.core.store.list('imports/')) keys.push(o.key);
      return keys;
    })(),
    interactions: (await server.core.db.selectFrom('interactions').select('id').execute()).length,
  });

  beforeAll(async () => {
    audio = await makeCallAudio();
    wav = await audio.bytes((await audio.wav('call.wav', 'Hello, you are through to billing.')).split('/').pop()!);
    // A 1 MB limit so the size refusal needs only a small body; the job runs, but this suite only reads the edge.
    server = await startTestServer({ env: { IMPORT_MAX_MB: '1' } });
    admin = new ApiClient(server.url);
    expect((await admin.login('admin')).status).toBe(200);
    const made = await admin.post('/api/admin/integration-tokens', { label: 'Main PBX', scopes: ['import'] });
    expect(made.status).toBe(201);
    importToken = made.body.token;
    ctiToken = (await admin.post('/api/admin/integration-tokens', { label: 'CTI connector', scopes: ['cti'] })).body.token;
    otherImportToken = (await admin.post('/api/admin/integration-tokens', { label: 'Branch PBX', scopes: ['import', 'import'] })).body.token;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await audio?.cleanup();
  });

  it('issues integration tokens to admins only: shown once, stored hashed, listed with scopes, audited', async () => {
    expect(importToken).toMatch(/^duet_it_[A-Za-z0-9_-]{40,}$/);
    const list = await admin.get('/api/admin/integration-tokens');
    expect(list.status).toBe(200);
    expect(list.body.tokens.map((t: { label: string; scopes: string[] }) => [t.label, t.scopes])).toEqual([
      ['Branch PBX', ['import']],
      ['CTI connector', ['cti']],
      ['Main PBX', ['import']],
    ]);
    expect(JSON.stringify(list.body)).not.toContain(importToken);
    const rows = await server.core.db.selectFrom('integration_tokens').select(['token_hash', 'scopes']).execute();
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash) && Array.isArray(r.scopes))).toBe(true);
    const bad = await admin.post('/api/admin/integration-tokens', { label: 'x', scopes: ['everything'] });
    expect(bad.status).toBe(400);
    expect((await admin.post('/api/admin/integration-tokens', { label: 'x', scopes: [] })).body.message).toMatch(/at least one scope/);
    const sofia = new ApiClient(server.url);
    await sofia.login('sofia');
    expect((await sofia.post('/api/admin/integration-tokens', { label: 'x', scopes: ['import'] })).status).toBe(403);
    const audits = await server.core.db.selectFrom('audit_log').select('action').where('action', '=', 'integration_token.create').execute();
    expect(audits).toHaveLength(3);
  });

  it('accepts a WAV with an import token: 202 with a status URL; the same file again is the same import', async () => {
    const first = await upload(wav, { query: { callId: 'PBX-1001', agent: 'alex', startedAt: START, direction: 'inbound', filename: 'call-1001.wav' } });
    expect(first.status, first.body.message).toBe(202);
    expect(first.body).toMatchObject({ state: 'queued', callId: 'PBX-1001', container: 'wav', bytes: wav.length, duplicate: false, direction: 'inbound' });
    expect(first.body.statusUrl).toBe(`/api/interactions/imports/${first.body.id}`);
    expect(first.headers.get('location')).toBe(first.body.statusUrl);
    const again = await upload(wav, { query: { callId: 'PBX-1001', agent: 'alex', startedAt: START, direction: 'inbound' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, duplicate: true });
    expect((await stored()).objects).toHaveLength(1);

    const status = await fetch(`${server.url}${first.body.statusUrl}`, { headers: { authorization: `Bearer ${importToken}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ id: first.body.id, callId: 'PBX-1001' });
    // Another token, and a non-admin, do not see it; an admin does.
    expect((await fetch(`${server.url}${first.body.statusUrl}`, { headers: { authorization: `Bearer ${otherImportToken}` } })).status).toBe(404);
    const alex = new ApiClient(server.url);
    await alex.login('alex');
    expect((await alex.get(first.body.statusUrl as string)).status).toBe(404);
    expect((await admin.get(first.body.statusUrl as string)).status).toBe(200);
    const audits = await server.core.db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'import.upload').execute();
    expect(audits.map((a) => (a.detail as { outcome: string }).outcome)).toEqual(['accepted', 'duplicate']);
    expect(audits[0]!.detail).toMatchObject({ callId: 'PBX-1001', bytes: wav.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('lets an admin upload by hand with a session and its CSRF token, and nobody else', async () => {
    const cookieHeaders = { cookie: admin.cookie };
    const noCsrf = await upload(wav, { token: null, headers: cookieHeaders, query: { callId: 'PBX-2001', agent: 'alex', startedAt: START } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.message).toMatch(/X-CSRF-Token/);
    const crossSite = await upload(wav, { token: null, headers: { ...cookieHeaders, 'x-csrf-token': admin.csrf, origin: 'https://evil.example' }, query: { callId: 'PBX-2001', agent: 'alex', startedAt: START } });
    expect(crossSite.status).toBe(403);
    const ok = await upload(wav, { token: null, headers: { ...cookieHeaders, 'x-csrf-token': admin.csrf }, query: { callId: 'PBX-2001', agent: 'alex', startedAt: START } });
    expect(ok.status, ok.body.message).toBe(202);
    const sofia = new ApiClient(server.url);
    await sofia.login('sofia');
    const supervisor = await upload(wav, { token: null, headers: { cookie: sofia.cookie, 'x-csrf-token': sofia.csrf }, query: { callId: 'PBX-2002', agent: 'alex', startedAt: START } });
    expect(supervisor.status).toBe(403);
    expect(supervisor.body.message).toMatch(/Only admins/);
  });

  it('refuses missing, unknown, revoked and under-scoped tokens with what to do, storing nothing', async () => {
    await settled();
    const before = await stored();
    const none = await upload(wav, { token: null });
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/Bearer .*import" scope, or sign in as an admin/);
    const forged = await upload(wav, { token: 'duet_it_forged' });
    expect(forged.status).toBe(401);
    expect(forged.body.message).toMatch(/unknown integration token/);
    const recorderLike = await upload(wav, { token: 'duet_rt_abc' });
    expect(recorderLike.body.message).toMatch(/not a Duet integration token/);
    const cti = await upload(wav, { token: ctiToken });
    expect(cti.status).toBe(403);
    expect(cti.body).toMatchObject({ error: 'missing_scope', message: expect.stringMatching(/lacks the "import" scope/) });

    const made = await admin.post('/api/admin/integration-tokens', { label: 'Old PBX', scopes: ['import'] });
    const revoked = await admin.delete(`/api/admin/integration-tokens/${made.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const afterRevoke = await upload(wav, { token: made.body.token, query: { callId: 'PBX-3001', agent: 'alex', startedAt: START } });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body.message).toMatch(/revoked/);
    expect(await stored()).toEqual(before);
  });

  it('refuses bad metadata: unsafe call id, unknown agent, a time without offset', async () => {
    await settled();
    const before = await stored();
    const traversal = await upload(wav, { query: { callId: '../x', agent: 'alex', startedAt: START } });
    expect(traversal.status).toBe(400);
    expect(traversal.body.issues).toEqual([{ path: 'callId', message: expect.stringMatching(/letters, digits/) }]);
    const long = await upload(wav, { query: { callId: 'x'.repeat(129), agent: 'alex', startedAt: START } });
    expect(long.status).toBe(400);
    const unknown = await upload(wav, { query: { callId: 'PBX-4001', agent: 'nobody', startedAt: START } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/no agent has the username or id "nobody"/);
    const supervisorAsAgent = await upload(wav, { query: { callId: 'PBX-4001', agent: 'sofia', startedAt: START } });
    expect(supervisorAsAgent.status).toBe(400);
    const noOffset = await upload(wav, { query: { callId: 'PBX-4001', agent: 'alex', startedAt: '2026-11-23T10:15:00' } });
    expect(noOffset.status).toBe(400);
    expect(noOffset.body.issues[0]!.path).toBe('startedAt');
    expect(await stored()).toEqual(before);
    const refusals = await server.core.db.selectFrom('audit_log').select('detail').where('action', '=', 'import.refused').execute();
    expect(refusals.some((r) => (r.detail as { code: string }).code === 'invalid_input')).toBe(true);
  });

  it('refuses what is not audio by its bytes (415), an empty body (400) and a body over the limit (413), storing nothing', async () => {
    await settled();
    const before = await stored();
    const q = (callId: string, filename?: string) => ({ query: { callId, agent: 'alex', startedAt: START, ...(filename ? { filename } : {}) } });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
    const pngAsWav = await upload(png, q('PBX-5001', 'call.wav'));
    expect(pngAsWav.status).toBe(415);
    expect(pngAsWav.body.message).toMatch(/not WAV .* it looks like a PNG image/);
    const m3u = await upload('#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1:1/x.mp3\n#EXT-X-ENDLIST\n', { ...q('PBX-5002', 'call.mp3'), type: 'audio/mpeg' });
    expect(m3u.status).toBe(415);
    expect(m3u.body.message).toMatch(/M3U\/HLS playlist/);
    const concat = await upload("ffconcat version 1.0\nfile '/etc/passwd'\n", { ...q('PBX-5003'), type: 'application/octet-stream' });
    expect(concat.status).toBe(415);
    expect(concat.body.message).toMatch(/ffmpeg concat script/);
    const empty = await upload(Buffer.alloc(0), q('PBX-5004'));
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/body is empty/);
    const mismatch = await upload(wav, { ...q('PBX-5005'), type: 'audio/mpeg' });
    expect(mismatch.status).toBe(415);
    expect(mismatch.body.message).toMatch(/says MP3 but the content is WAV/);
    const byName = await upload(wav, q('PBX-5006', 'call.ogg'));
    expect(byName.body.message).toMatch(/file name "call.ogg" says Ogg but the content is WAV/);
    const wrongType = await upload(wav, { ...q('PBX-5007'), type: 'image/png' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.message).toMatch(/Content-Type "image\/png" is not accepted: send .* audio\/wav/);
    const noType = await upload(wav, { ...q('PBX-5008'), type: '' });
    expect(noType.status).toBe(415);
    // Over the limit: refused by the declared length, and by counting when streamed without one.
    const big = Buffer.concat([wav, Buffer.alloc(1_100_000)]);
    const tooBig = await upload(big, q('PBX-5009'));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.message).toMatch(/larger than the 1 MB import limit \(IMPORT_MAX_MB\)/);
    const chunked = await fetch(`${server.url}/api/interactions/import?${new URLSearchParams(q('PBX-5010').query)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${importToken}`, 'content-type': 'audio/wav' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 12; i++) c.enqueue(i === 0 ? new Uint8Array(wav) : new Uint8Array(100_000));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await stored()).toEqual(before);
  });
});
