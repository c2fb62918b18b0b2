import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';

/** Seeds interactions straight into the database: this suite is about listing and who sees what. */
async function seed(server: TestServer) {
  const db = server.core.db;
  const users = await db.selectFrom('users').select(['id', 'username']).execute();
  const teams = await db.selectFrom('team_members').select(['user_id', 'team_id']).execute();
  const id = (u: string) => users.find((x) => x.username === u)!.id;
  const teamOf = (u: string) => teams.find((t) => t.user_id === id(u))!.team_id;
  const base = Date.parse('2026-11-02T09:00:00Z');
  const made: { id: string; agent: string; minutes: number; startedAt: Date }[] = [];
  let n = 0;
  for (const agent of ['alex', 'blair', 'casey', 'devon']) {
    for (let k = 0; k < 6; k++) {
      const startedAt = new Date(base + n * 3_600_000);
      const minutes = 2 + ((n * 7) % 30);
      made.push({ id: randomUUID(), agent, minutes, startedAt });
      n++;
    }
  }
  await db
    .insertInto('interactions')
    .values(
      made.map((m, i) => ({
        id: m.id,
        agent_id: id(m.agent),
        team_id: teamOf(m.agent),
        call_id: `PBX-${1000 + i}`,
        direction: 'inbound' as const,
        status: i % 5 === 0 ? ('recording' as const) : ('ended' as const),
        end_reason: i % 5 === 0 ? null : ('ended' as const),
        started_at: m.startedAt,
        ended_at: i % 5 === 0 ? null : new Date(m.startedAt.getTime() + m.minutes * 60_000),
      })),
    )
    .execute();
  return { made, id };
}

describe('interactions API: library, filters, and who sees what', () => {
  let server: TestServer;
  let made: Awaited<ReturnType<typeof seed>>['made'];
  let userId: (u: string) => string;
  const as = async (u: string) => {
    const c = new ApiClient(server.url);
    expect((await c.login(u)).status).toBe(200);
    return c;
  };
  const ids = (r: { body: { interactions: { id: string }[] } }) => r.body.interactions.map((i) => i.id).sort();
  const madeBy = (...agents: string[]) => made.filter((m) => agents.includes(m.agent)).map((m) => m.id).sort();

  beforeAll(async () => {
    server = await startTestServer();
    ({ made, id: userId } = await seed(server));
  });
  afterAll(async () => server?.stop());

  it('scopes the library by role: admin, supervisor, QA and trainer by team, agents their own, executives curated only', async () => {
    const all = madeBy('alex', 'blair', 'casey', 'devon');
    for (const u of ['admin', 'sofia', 'quinn', 'tess']) expect(ids(await (await as(u)).get('/api/interactions?limit=200')), u).toEqual(all);
    expect(ids(await (await as('alex')).get('/api/interactions?limit=200'))).toEqual(madeBy('alex'));
    expect(ids(await (await as('casey')).get('/api/interactions?limit=200'))).toEqual(madeBy('casey'));
    expect(ids(await (await as('evan')).get('/api/interactions?limit=200'))).toEqual([]);
    expect((await new ApiClient(server.url).get('/api/interactions')).status).toBe(401);
  });

  it('a supervisor of another team sees none of these; a QA grant opens exactly one team', async () => {
    const admin = await as('admin');
    const created = await admin.post('/api/admin/users', { username: 'wes', displayName: 'Wes West', password: 'a-long-enough-password', roles: ['supervisor', 'qa'] });
    await admin.post('/api/admin/teams', { name: 'West', supervisorId: created.body.id });
    const wes = new ApiClient(server.url);
    await wes.login('wes', 'a-long-enough-password');
    expect(ids(await wes.get('/api/interactions?limit=200'))).toEqual([]);
    const north = (await admin.get('/api/admin/teams')).body.teams.find((t: { name: string }) => t.name === 'North');
    await admin.post('/api/admin/grants', { userId: created.body.id, teamId: north.id });
    expect(ids(await wes.get('/api/interactions?limit=200'))).toEqual(madeBy('alex', 'blair'));
  });

  it('offers as filters exactly the agents and teams whose interactions one may see', async () => {
    const dir = async (u: string) => {
      const r = await (await as(u)).get('/api/directory');
      expect(r.status, u).toBe(200);
      return { agents: (r.body.agents as { displayName: string }[]).map((a) => a.displayName).sort(), teams: (r.body.teams as { name: string }[]).map((t) => t.name) };
    };
    const sofia = await dir('sofia');
    expect(sofia.teams).toEqual(expect.arrayContaining(['North', 'South']));
    expect(sofia.agents).toEqual(expect.arrayContaining(['Alex Kim']));
    expect(await dir('alex')).toEqual({ agents: ['Alex Kim'], teams: [] });
    expect(await dir('evan')).toEqual({ agents: [], teams: [] });
    // Every agent offered to the supervisor has interactions she may list, and the reverse.
    const listed = new Set(((await (await as('sofia')).get('/api/interactions?limit=200')).body.interactions as { agentName: string }[]).map((i) => i.agentName));
    for (const name of listed) expect(sofia.agents).toContain(name);
    expect((await new ApiClient(server.url).get('/api/directory')).status).toBe(401);
  });

  it('answers "not found" for an interaction the user may not see; reading a summary is not audited (plays are)', async () => {
    const alex = await as('alex');
    const own = made.find((m) => m.agent === 'alex')!;
    const other = made.find((m) => m.agent === 'blair')!;
    const ok = await alex.get(`/api/interactions/${own.id}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: own.id, agentName: 'Alex Kim', teamName: 'North' });
    const hidden = await alex.get(`/api/interactions/${other.id}`);
    const missing = await alex.get(`/api/interactions/${randomUUID()}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(missing.body);
    expect((await alex.get('/api/interactions/..%2Fadmin%2Fusers')).status).toBe(400);
    expect((await alex.get('/api/interactions/not-a-uuid')).status).toBe(400);
    // The library lists the same facts unaudited; the media answer (the play) is what is audited.
    const rows = await server.core.db.selectFrom('audit_log').select('action').where('target_id', '=', own.id).execute();
    expect(rows).toEqual([]);
  });

  it('filters by agent, team, status, date range, duration and call id', async () => {
    const admin = await as('admin');
    expect(ids(await admin.get(`/api/interactions?agentId=${userId('devon')}&limit=200`))).toEqual(madeBy('devon'));
    const south = (await admin.get('/api/admin/teams')).body.teams.find((t: { name: string }) => t.name === 'South');
    expect(ids(await admin.get(`/api/interactions?teamId=${south.id}&limit=200`))).toEqual(madeBy('casey', 'devon'));
    const recording = await admin.get('/api/interactions?status=recording&limit=200');
    expect(recording.body.interactions.every((i: { status: string; durationMs: number | null }) => i.status === 'recording' && i.durationMs === null)).toBe(true);
    expect(recording.body.interactions).toHaveLength(5);
    const from = made[3]!.startedAt.toISOString();
    const to = made[8]!.startedAt.toISOString();
    expect(ids(await admin.get(`/api/interactions?from=${from}&to=${to}&limit=200`))).toEqual(made.slice(3, 8).map((m) => m.id).sort());
    const long = await admin.get('/api/interactions?minDurationMs=1200000&limit=200');
    expect(long.body.interactions.length).toBeGreaterThan(0);
    expect(long.body.interactions.every((i: { durationMs: number }) => i.durationMs >= 1_200_000)).toBe(true);
    expect((await admin.get('/api/interactions?callId=PBX-1003')).body.interactions.map((i: { id: string }) => i.id)).toEqual([made[3]!.id]);
  });

  it('paginates newest first with a cursor, without gaps or repeats', async () => {
    const admin = await as('admin');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await admin.get(`/api/interactions?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.interactions.map((i: { id: string }) => i.id));
      // The total counts every page's rows, the same on each page.
      expect(r.body.total).toBe(made.length);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    // Scoped and filtered alike: an agent's total is their own; a filter narrows it.
    expect((await (await as('alex')).get('/api/interactions?limit=1')).body.total).toBe(madeBy('alex').length);
    expect((await admin.get(`/api/interactions?limit=1&agentId=${userId('casey')}`)).body.total).toBe(madeBy('casey').length);
    expect(seen).toEqual([...made].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).map((m) => m.id));
  });

  it('sorts by start, duration and agent on the server, and pages each order without gaps or repeats', async () => {
    const admin = await as('admin');
    const walk = async (sort: string, extra = '') => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await admin.get(`/api/interactions?sort=${sort}&limit=5${extra}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status, sort).toBe(200);
        seen.push(...r.body.interactions.map((i: { id: string }) => i.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      return seen;
    };
    const recording = (m: (typeof made)[number]) => made.indexOf(m) % 5 === 0;
    const byStart = [...made].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    expect(await walk('oldest')).toEqual(byStart.map((m) => m.id));
    // Calls still recording have no length yet: last, longest-first and shortest-first alike.
    const ended = made.filter((m) => !recording(m));
    const live = made.filter(recording).map((m) => m.id);
    const longest = await walk('longest');
    expect(longest.slice(0, ended.length)).toEqual([...ended].sort((a, b) => b.minutes - a.minutes).map((m) => m.id));
    expect(longest.slice(ended.length).sort()).toEqual([...live].sort());
    const shortest = await walk('shortest');
    expect(shortest.slice(0, ended.length)).toEqual([...ended].sort((a, b) => a.minutes - b.minutes).map((m) => m.id));
    expect(shortest.slice(ended.length).sort()).toEqual([...live].sort());
    // Agent A→Z (Alex Kim, Blair Patel, Casey Novak, Devon Shah), each agent's newest first.
    const names = ['alex', 'blair', 'casey', 'devon'];
    expect(await walk('agent')).toEqual(names.flatMap((a) => made.filter((m) => m.agent === a).sort((x, y) => y.startedAt.getTime() - x.startedAt.getTime()).map((m) => m.id)));
    // Filters and sorts combine; a cursor of one order is refused by another, saying so.
    expect(await walk('shortest', `&minDurationMs=${20 * 60_000}`)).toEqual(ended.filter((m) => m.minutes >= 20).sort((a, b) => a.minutes - b.minutes).map((m) => m.id));
    const first = await admin.get('/api/interactions?sort=longest&limit=2');
    const mixed = await admin.get(`/api/interactions?sort=agent&cursor=${first.body.nextCursor}`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.message).toMatch(/cursor is for the "longest" order, not "agent"/);
    expect((await admin.get('/api/interactions?sort=loudest')).body.issues[0].path).toBe('sort');
  });

  it('refuses bad queries with the field and the fix', async () => {
    const admin = await as('admin');
    const bad = await admin.get('/api/interactions?limit=9999&from=yesterday&status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['from', 'limit', 'status']);
    const cursor = await admin.get('/api/interactions?cursor=forged');
    expect(cursor.status).toBe(400);
    expect(cursor.body.message).toMatch(/cursor is not one this server gave out/);
  });
});
