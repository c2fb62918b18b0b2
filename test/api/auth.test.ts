import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';

/** Snapshot of what must not change when bad input is refused. */
async function counts(server: TestServer) {
  const db = server.core.db;
  const n = async (t: 'users' | 'sessions' | 'teams' | 'recorder_tokens' | 'user_roles') =>
    Number((await db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return { users: await n('users'), sessions: await n('sessions'), teams: await n('teams'), tokens: await n('recorder_tokens'), roles: await n('user_roles') };
}

describe('auth API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('logs in with the demo password, sets an httpOnly SameSite cookie and answers /me', async () => {
    const c = new ApiClient(server.url);
    const res = await c.login('sofia');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'sofia', displayName: 'Sofia Reyes', roles: ['supervisor'] });
    expect(res.body.teamIds).toHaveLength(2);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/duet_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(res.body.csrfToken);
  });

  it('refuses a wrong password and an unknown user with the same answer, changing nothing', async () => {
    const before = await counts(server);
    const wrong = await new ApiClient(server.url).login('alex', 'not-the-password');
    const unknown = await new ApiClient(server.url).login('nobody', 'whatever-password');
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 'unauthenticated', message: 'Wrong username or password.' });
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect(await counts(server)).toEqual(before);
  });

  it('rate-limits repeated failures for one account with 429 and Retry-After', async () => {
    const c = new ApiClient(server.url);
    for (let i = 0; i < 5; i++) expect((await c.login('devon', `bad-${i}`)).status).toBe(401);
    const limited = await c.login('devon');
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('too_many_requests');
    expect(limited.body.message).toMatch(/Too many failed sign-in attempts/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked by it.
    expect((await new ApiClient(server.url).login('casey')).status).toBe(200);
  });

  it('refuses malformed JSON, a body over the limit, and a login without fields', async () => {
    const before = await counts(server);
    const c = new ApiClient(server.url);
    const malformed = await c.request('POST', '/api/auth/login', '{"username": "admin",', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('malformed_json');
    expect(malformed.body.message).toMatch(/not valid JSON/);
    const huge = await c.request('POST', '/api/auth/login', JSON.stringify({ username: 'admin', password: 'x'.repeat(1100 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/larger than the 1024 KB limit/);
    const empty = await c.post('/api/auth/login', {});
    expect(empty.status).toBe(400);
    expect(empty.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['password', 'username']);
    const form = await c.request('POST', '/api/auth/login', 'username=admin&password=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(403);
    expect(form.body.error).toBe('bad_content_type');
    expect(await counts(server)).toEqual(before);
  });

  it('requires the CSRF token on state changes and refuses foreign origins', async () => {
    const c = new ApiClient(server.url);
    await c.login('admin');
    const before = await counts(server);
    const body = { name: 'CSRF team' };
    const missing = await c.request('POST', '/api/admin/teams', body, { 'x-csrf-token': '' });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toBe('csrf_missing');
    const wrong = await c.request('POST', '/api/admin/teams', body, { 'x-csrf-token': 'forged' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toBe('csrf_mismatch');
    const foreign = await c.request('POST', '/api/admin/teams', body, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toBe('bad_origin');
    expect(await counts(server)).toEqual(before);
    expect((await c.post('/api/admin/teams', body)).status).toBe(201);
  });

  it('treats an expired session as signed out', async () => {
    const c = new ApiClient(server.url);
    await c.login('blair');
    expect((await c.get('/api/auth/me')).status).toBe(200);
    await server.core.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.message).toMatch(/expired/);
  });

  it('logs out: the cookie stops working and the logout is audited', async () => {
    const c = new ApiClient(server.url);
    const login = await c.login('tess');
    const cookie = c.cookie;
    expect((await c.post('/api/auth/logout')).status).toBe(204);
    c.cookie = cookie;
    expect((await c.get('/api/auth/me')).status).toBe(401);
    const rows = await server.core.db.selectFrom('audit_log').select('action').where('actor_id', '=', login.body.id).execute();
    expect(rows.map((r) => r.action)).toEqual(['auth.login', 'auth.logout']);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const r = await new ApiClient(server.url).get('/api/nope');
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('not_found');
  });
});
