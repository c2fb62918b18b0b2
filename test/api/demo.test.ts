import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRecorderToken } from '../../core/src/index.js';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';

describe('demo pages: served in the embedded mode, a recorder token for the signed-in agent only', () => {
  let server: TestServer;
  let off: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    off = await startTestServer({ env: { DEMO_PAGES: 'false' } });
  });
  afterAll(async () => {
    await server?.stop();
    await off?.stop();
  });

  it('serves the pages and the recorder bundle, redirecting /demo once', async () => {
    const r = await fetch(`${server.url}/demo`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/demo/');
    for (const page of ['/demo/', '/demo/softphone.html', '/demo/crm.html', '/demo/duet-recorder.iife.js', '/demo/customer.ogg']) {
      const got = await fetch(server.url + page);
      expect(got.status, page).toBe(200);
    }
    // Scripts only from files: the app's CSP (no inline script) applies to the demo too.
    expect((await fetch(`${server.url}/demo/softphone.html`)).headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });

  it('gives an agent a working recorder token and revokes the previous demo token; refuses everyone else', async () => {
    const alex = new ApiClient(server.url);
    await alex.login('alex');
    const first = await alex.post('/api/demo/recorder-token', {});
    expect(first.status).toBe(201);
    expect(await verifyRecorderToken(server.core.db, first.body.token)).toMatchObject({ ok: true });
    const second = await alex.post('/api/demo/recorder-token', {});
    expect(await verifyRecorderToken(server.core.db, second.body.token)).toMatchObject({ ok: true });
    expect(await verifyRecorderToken(server.core.db, first.body.token)).toMatchObject({ ok: false, reason: expect.stringMatching(/revoked/) });
    const sofia = new ApiClient(server.url);
    await sofia.login('sofia');
    expect((await sofia.post('/api/demo/recorder-token', {})).status).toBe(403);
    expect((await new ApiClient(server.url).post('/api/demo/recorder-token', {})).status).toBe(401);
    const audits = await server.core.db.selectFrom('audit_log').select('action').where('action', 'like', 'recorder_token.%').execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['recorder_token.create', 'recorder_token.create', 'recorder_token.revoke']);
  });

  it('is off when DEMO_PAGES=false (the production default): no token minting, no pages', async () => {
    const alex = new ApiClient(off.url);
    await alex.login('alex');
    expect((await alex.post('/api/demo/recorder-token', {})).status).toBe(404);
    // Only the app shell's client-side fallback answers there: no recorder bundle.
    expect((await fetch(`${off.url}/demo/duet-recorder.iife.js`)).headers.get('content-type')).not.toMatch(/javascript/);
  });
});
