import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRecorderToken } from '../../core/src/auth/recorder-tokens.js';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';

describe('admin API', () => {
  let server: TestServer;
  let admin: ApiClient;
  beforeAll(async () => {
    server = await startTestServer();
    admin = new ApiClient(server.url);
    await admin.login('admin');
  });
  afterAll(async () => server?.stop());

  it('lists the seeded organisation: two teams, nine people, one part-time agent', async () => {
    const users = (await admin.get('/api/admin/users')).body.users;
    expect(users).toHaveLength(9);
    const agents = users.filter((u: { roles: string[] }) => u.roles.includes('agent'));
    expect(agents).toHaveLength(4);
    expect(agents.filter((a: { employmentType: string }) => a.employmentType === 'part_time')).toHaveLength(1);
    const teams = (await admin.get('/api/admin/teams')).body.teams;
    expect(teams.map((t: { name: string }) => t.name)).toEqual(['North', 'South']);
    const sofia = users.find((u: { username: string }) => u.username === 'sofia');
    expect(teams.every((t: { supervisorId: string }) => t.supervisorId === sofia.id)).toBe(true);
  });

  it('creates a user, refuses bad input with field issues, and keeps what was stored', async () => {
    const teams = (await admin.get('/api/admin/teams')).body.teams;
    const created = await admin.post('/api/admin/users', {
      username: 'jordan',
      displayName: 'Jordan Lee',
      password: 'a-long-enough-password',
      roles: ['agent'],
      employmentType: 'part_time',
      teamIds: [teams[0].id],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'jordan', roles: ['agent'], employmentType: 'part_time', teamIds: [teams[0].id], disabled: false });
    expect(created.body).not.toHaveProperty('password');

    const duplicate = await admin.post('/api/admin/users', { username: 'jordan', displayName: 'Other', password: 'another-long-password', roles: ['qa'] });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toMatch(/taken/);

    const bad = await admin.post('/api/admin/users', { username: 'Bad Name', displayName: '', password: 'short', roles: ['king'] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['displayName', 'password', 'roles.0', 'username']);

    const unknownTeam = await admin.post('/api/admin/users', {
      username: 'morgan', displayName: 'Morgan', password: 'a-long-enough-password', roles: ['agent'], teamIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknownTeam.status).toBe(400);
    expect(unknownTeam.body.message).toMatch(/Unknown team/);
    const usernames = (await admin.get('/api/admin/users')).body.users.map((u: { username: string }) => u.username);
    expect(usernames).not.toContain('morgan');

    // The new user can sign in; disabling ends their session.
    const jordan = new ApiClient(server.url);
    expect((await jordan.login('jordan', 'a-long-enough-password')).status).toBe(200);
    expect((await admin.patch(`/api/admin/users/${created.body.id}`, { disabled: true })).body.disabled).toBe(true);
    expect((await jordan.get('/api/auth/me')).status).toBe(401);
    expect((await new ApiClient(server.url).login('jordan', 'a-long-enough-password')).status).toBe(401);
  });

  it('refuses non-admins and anonymous callers', async () => {
    const agent = new ApiClient(server.url);
    await agent.login('alex');
    const forbidden = await agent.get('/api/admin/users');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/admin role/);
    expect((await agent.post('/api/admin/teams', { name: 'Sneaky' })).status).toBe(403);
    expect((await new ApiClient(server.url).get('/api/admin/users')).status).toBe(401);
    const teams = (await admin.get('/api/admin/teams')).body.teams.map((t: { name: string }) => t.name);
    expect(teams).not.toContain('Sneaky');
  });

  it('manages teams and grants with role checks', async () => {
    const users = (await admin.get('/api/admin/users')).body.users;
    const byName = (n: string) => users.find((u: { username: string }) => u.username === n);
    const team = await admin.post('/api/admin/teams', { name: 'West', supervisorId: byName('sofia').id });
    expect(team.status).toBe(201);
    const notSupervisor = await admin.patch(`/api/admin/teams/${team.body.id}`, { supervisorId: byName('alex').id });
    expect(notSupervisor.status).toBe(400);
    expect(notSupervisor.body.message).toMatch(/supervisor role/);
    const grant = await admin.post('/api/admin/grants', { userId: byName('quinn').id, teamId: team.body.id });
    expect(grant.status).toBe(201);
    const agentGrant = await admin.post('/api/admin/grants', { userId: byName('alex').id, teamId: team.body.id });
    expect(agentGrant.status).toBe(400);
    const quinn = new ApiClient(server.url);
    expect((await quinn.login('quinn')).body.teamIds).toContain(team.body.id);
    expect((await admin.delete(`/api/admin/grants/${grant.body.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/admin/grants/${grant.body.id}`)).status).toBe(404);
    expect((await admin.patch('/api/admin/teams/not-a-uuid', { name: 'x' })).status).toBe(400);
  });

  it('issues a recorder token once, stores only its hash, and revokes it', async () => {
    const alex = (await admin.get('/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'alex');
    const created = await admin.post('/api/admin/recorder-tokens', { agentId: alex.id, label: 'Alex CRM browser' });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^duet_rt_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(created.body.prefix)).toBe(true);
    const listed = (await admin.get('/api/admin/recorder-tokens')).body.tokens;
    expect(JSON.stringify(listed)).not.toContain(token);
    const stored = await server.core.db.selectFrom('recorder_tokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await verifyRecorderToken(server.core.db, token)).toMatchObject({ ok: true, agentId: alex.id });

    const sofia = (await admin.get('/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'sofia');
    const notAgent = await admin.post('/api/admin/recorder-tokens', { agentId: sofia.id, label: 'x' });
    expect(notAgent.status).toBe(400);

    const revoked = await admin.delete(`/api/admin/recorder-tokens/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(await verifyRecorderToken(server.core.db, token)).toEqual({ ok: false, reason: 'recorder token revoked' });
    expect(await verifyRecorderToken(server.core.db, 'duet_rt_made-up')).toEqual({ ok: false, reason: 'unknown recorder token' });
  });

  it('shows the audit log newest first with keyset pagination', async () => {
    const page1 = await admin.get('/api/admin/audit?limit=3');
    expect(page1.status).toBe(200);
    expect(page1.body.entries).toHaveLength(3);
    expect(page1.body.entries[0].action).toBe('recorder_token.revoke');
    const page2 = await admin.get(`/api/admin/audit?limit=3&before=${page1.body.entries[2].id}`);
    expect(Number(page2.body.entries[0].id)).toBeLessThan(Number(page1.body.entries[2].id));
    expect((await admin.get('/api/admin/audit?limit=9999')).status).toBe(400);
  });

  it('reports drivers, versions and migrations on /api/health', async () => {
    const health = await new ApiClient(server.url).get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      mode: 'embedded',
      drivers: { database: 'pglite', objects: 'filesystem', jobs: 'in-process' },
      migrations: { pending: [] },
    });
    expect(health.body.versions.database).toMatch(/PGlite \(PostgreSQL \d+/);
  });
});
