import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluatorOption } from '@duet/protocol';
import { signedInAs, startTestServer, type TestServer } from '../harness/app.js';

/**
 * GET /api/scoring/evaluators: whom a calibration session or a sampling plan may name, and with an
 * interaction only those who may score it; and the calibration reference stays hidden from an
 * admin who scores in the session (blind like every participant) but not from the owner.
 */
describe('scoring API: evaluators to choose from, and blind admins', () => {
  let server: TestServer;
  const calls: Record<string, string> = {};
  const as = signedInAs(() => server.url);

  beforeAll(async () => {
    server = await startTestServer();
    const db = server.core.db;
    const users = await db.selectFrom('users').select(['id', 'username']).execute();
    const alex = users.find((u) => u.username === 'alex')!.id;
    const team = (await db.selectFrom('team_members').select('team_id').where('user_id', '=', alex).executeTakeFirstOrThrow()).team_id;
    // One call on Alex's team, and one on no team (only admins may see and score it).
    for (const [key, teamId] of [['team', team], ['none', null]] as const) {
      calls[key] = randomUUID();
      const startedAt = new Date(Date.now() - 3_600_000);
      await db
        .insertInto('interactions')
        .values({ id: calls[key], agent_id: alex, team_id: teamId, call_id: `EV-${key}`, direction: 'inbound', status: 'ready', end_reason: 'ended', started_at: startedAt, ended_at: new Date(startedAt.getTime() + 300_000), timeline_ms: 300_000 })
        .execute();
    }
  }, 60_000);
  afterAll(async () => server?.stop());

  it('lists active supervisors, QA analysts and admins to those who run calibration and sampling', async () => {
    const r = await (await as('quinn')).get('/api/scoring/evaluators');
    expect(r.status).toBe(200);
    const list = r.body.evaluators.map((e: unknown) => EvaluatorOption.parse(e));
    expect(list.map((e: EvaluatorOption) => e.displayName)).toEqual(['Ada Okafor', 'Quinn Li', 'Sofia Reyes']);
    expect(list.find((e: EvaluatorOption) => e.displayName === 'Quinn Li').roles).toEqual(['qa']);
    expect((await (await as('sofia')).get('/api/scoring/evaluators')).status).toBe(200);
  });

  it('refuses agents and trainers, bad ids and interactions one may not see, with clear messages', async () => {
    for (const who of ['alex', 'tess']) {
      const r = await (await as(who)).get('/api/scoring/evaluators');
      expect(r.status).toBe(403);
      expect(r.body.message).toMatch(/supervisors, QA analysts and admins/);
    }
    const bad = await (await as('quinn')).get('/api/scoring/evaluators?interactionId=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('interactionId');
    expect((await (await as('quinn')).get(`/api/scoring/evaluators?interactionId=${randomUUID()}`)).status).toBe(404);
    // A call QA may not see does not exist for QA.
    expect((await (await as('quinn')).get(`/api/scoring/evaluators?interactionId=${calls.none}`)).status).toBe(404);
  });

  it('with an interaction, offers only those who may score it', async () => {
    const onTeam = await (await as('quinn')).get(`/api/scoring/evaluators?interactionId=${calls.team}`);
    expect(onTeam.body.evaluators.map((e: EvaluatorOption) => e.displayName)).toEqual(['Ada Okafor', 'Quinn Li', 'Sofia Reyes']);
    const noTeam = await (await as('admin')).get(`/api/scoring/evaluators?interactionId=${calls.none}`);
    expect(noTeam.body.evaluators.map((e: EvaluatorOption) => e.displayName)).toEqual(['Ada Okafor']);
  });

  it('keeps the reference from an admin who scores in the session until the reveal; the owner sees it', async () => {
    const quinn = await as('quinn');
    const admin = await as('admin');
    const cards = (await quinn.get('/api/scoring/scorecards')).body.scorecards;
    const beSure = cards.find((c: { builtIn: string | null }) => c.builtIn === 'be-sure').id;
    const card = (await quinn.get(`/api/scoring/scorecards/${beSure}`)).body;
    type Q = { id: string; type: string; scale?: { max: number }; choices?: { id: string }[] };
    const questions: Q[] = card.versions[0].definition.sections.flatMap((s: { questions: Q[] }) => s.questions);
    const valueOf = (q: Q) => (q.type === 'yes_no' ? true : q.type === 'scale' ? q.scale!.max : q.choices![0]!.id);
    const reference = Object.fromEntries(questions.map((q) => [q.id, { value: valueOf(q) }]));
    const users = await server.core.db.selectFrom('users').select(['id', 'username']).execute();
    const id = (u: string) => users.find((x) => x.username === u)!.id;
    const created = await quinn.post('/api/scoring/calibrations', { title: 'Blind admin', interactionId: calls.team, scorecardId: beSure, evaluatorIds: [id('admin'), id('sofia')] });
    expect(created.status).toBe(201);
    const sid = created.body.id;
    const set = await quinn.request('PUT', `/api/scoring/calibrations/${sid}/reference`, { answers: reference });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await quinn.get(`/api/scoring/calibrations/${sid}`)).body.reference).not.toBeNull();
    expect((await admin.get(`/api/scoring/calibrations/${sid}`)).body.reference).toBeNull();
  });
});
