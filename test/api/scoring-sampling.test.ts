import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '../../core/src/auth/passwords.js';
import { runSamplingPlansJob } from '../../workers/src/jobs/run-sampling-plans.js';
import { FairnessView, SamplingAssignment, SamplingPlan, SamplingRunResult, ScoringQueue } from '@duet/protocol';
import { signedInAs, startTestServer, type TestServer } from '../harness/app.js';

/**
 * Fair sampling over a seeded month (October 2026): agents with very different call volumes,
 * short calls, failed recordings and outbound calls mixed in. Every agent must get the same
 * number of sampled calls (within one), evaluators the same load (within one), reruns must never
 * assign twice, and the scheduled job's ids must be deterministic per plan and period.
 */

const DAY = 86_400_000;

async function seedMonth(server: TestServer) {
  const db = server.core.db;
  const hash = await hashPassword('a-long-enough-password');
  const teams = await db.selectFrom('teams').select(['id', 'name']).execute();
  const north = teams.find((t) => t.name === 'North')!.id;
  const south = teams.find((t) => t.name === 'South')!.id;
  // Three more agents, so the month has seven with volumes from 20 to 60 calls.
  for (const [username, team] of [['erin', north], ['finn', south], ['gray', south]] as const) {
    const u = await db.insertInto('users').values({ username, display_name: username, password_hash: hash, employment_type: 'part_time' }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('user_roles').values({ user_id: u.id, role: 'agent' }).execute();
    await db.insertInto('team_members').values({ team_id: team, user_id: u.id }).execute();
  }
  const users = await db.selectFrom('users').select(['id', 'username']).execute();
  const members = await db.selectFrom('team_members').select(['user_id', 'team_id']).execute();
  const id = (u: string) => users.find((x) => x.username === u)!.id;
  const teamOf = (u: string) => members.find((m) => m.user_id === id(u))!.team_id;
  const volumes: Record<string, number> = { alex: 60, blair: 20, casey: 25, devon: 40, erin: 22, finn: 33, gray: 28 };
  const start = Date.parse('2026-10-01T00:00:00Z');
  const rows = [];
  let n = 0;
  for (const [agent, count] of Object.entries(volumes)) {
    for (let k = 0; k < count; k++) {
      const startedAt = new Date(start + Math.floor(((k + 0.5) * 31 * DAY) / count) + (n % 7) * 3_600_000);
      // Every other call is outbound, every fifth is short, every seventh failed to finalize.
      const seconds = k % 5 === 4 ? 45 : 180 + ((n * 37) % 1500);
      rows.push({
        id: randomUUID(),
        agent_id: id(agent),
        team_id: teamOf(agent),
        call_id: `OCT-${n}`,
        direction: (k % 2 === 1 ? 'outbound' : 'inbound') as 'inbound' | 'outbound',
        status: (k % 7 === 6 ? 'failed' : 'ready') as 'failed' | 'ready',
        end_reason: 'ended' as const,
        started_at: startedAt,
        ended_at: new Date(startedAt.getTime() + seconds * 1000),
        timeline_ms: seconds * 1000,
      });
      n++;
    }
  }
  await db.insertInto('interactions').values(rows).execute();
  return { id, north, south, agents: Object.keys(volumes), rows };
}

const pgUrl = inject('postgresAdminUrl');
const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

for (const database of ['pglite', 'postgres'] as const) {
  describe.skipIf(database === 'postgres' && !pgUrl)(`fair sampling over a seeded month on ${database}`, () => {
    let server: TestServer;
    let seeded: Awaited<ReturnType<typeof seedMonth>>;
    let beSure: string;
    const as = signedInAs(() => server.url);

    beforeAll(async () => {
      server = await startTestServer({ database });
      seeded = await seedMonth(server);
      beSure = (await (await as('quinn')).get('/api/scoring/scorecards')).body.scorecards[0].id;
    });
    afterAll(async () => server?.stop());

    it('refuses plans that cannot work, with the field to fix', async () => {
      const quinn = await as('quinn');
      const bad = await quinn.post('/api/scoring/sampling-plans', {
        name: 'x',
        scorecardId: beSure,
        period: 'month',
        perAgent: 3,
        evaluatorIds: [seeded.id('alex')],
        filters: { minDurationMs: 5000, maxDurationMs: 1000, teamIds: [randomUUID()] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['evaluatorIds.0', 'filters.maxDurationMs', 'filters.teamIds.0']);
      expect((await quinn.post('/api/scoring/sampling-plans', { name: 'x', scorecardId: beSure, period: 'fortnight', perAgent: 0, evaluatorIds: [] })).status).toBe(400);
      const alex = await as('alex');
      expect((await alex.post('/api/scoring/sampling-plans', { name: 'x', scorecardId: beSure, period: 'month', perAgent: 1, evaluatorIds: [seeded.id('sofia')] })).status).toBe(403);
      expect(await server.core.db.selectFrom('sampling_plans').select('id').execute()).toEqual([]);
    });

    it('gives every agent the same count for the month and every evaluator the same load, within one; reruns add nothing', async () => {
      const quinn = await as('quinn');
      const plan = (
        await quinn.post('/api/scoring/sampling-plans', {
          name: 'Monthly, all teams',
          scorecardId: beSure,
          period: 'month',
          perAgent: 5,
          filters: { minDurationMs: 120_000, direction: 'inbound' },
          evaluatorIds: [seeded.id('sofia'), seeded.id('quinn'), seeded.id('admin')],
          dueDays: 7,
          // Inactive: run by hand here, so the server's own hourly schedule can never run it mid-test.
          active: false,
        })
      ).body;
      expect(plan).toMatchObject({ period: 'month', perAgent: 5 });
      SamplingPlan.parse(plan);
      expect((await quinn.post(`/api/scoring/sampling-plans/${plan.id}/run`, { period: '2026-W41' })).status).toBe(400);
      const run = await quinn.post(`/api/scoring/sampling-plans/${plan.id}/run`, { period: '2026-10' });
      expect(run.status).toBe(200);
      expect(run.body.assigned).toBe(35);
      expect(run.body.shortfalls).toEqual([]);
      SamplingRunResult.parse(run.body);
      const assignments = (await quinn.get(`/api/scoring/sampling-plans/${plan.id}/assignments?period=2026-10`)).body.assignments;
      SamplingAssignment.array().parse(assignments);
      const perAgent = seeded.agents.map((a) => assignments.filter((x: { agentId: string }) => x.agentId === seeded.id(a)).length);
      expect(spread(perAgent)).toBeLessThanOrEqual(1);
      expect(perAgent.every((c) => c === 5)).toBe(true);
      const perEvaluator = ['sofia', 'quinn', 'admin'].map((e) => assignments.filter((x: { evaluatorId: string }) => x.evaluatorId === seeded.id(e)).length);
      expect(spread(perEvaluator)).toBeLessThanOrEqual(1);
      expect(perEvaluator.reduce((a, b) => a + b, 0)).toBe(35);
      // Everything sampled is inside the month and the filters, and nothing twice.
      const byId = new Map(seeded.rows.map((r) => [r.id, r]));
      for (const a of assignments) {
        const i = byId.get(a.interactionId)!;
        expect(i.status).toBe('ready');
        expect(i.direction).toBe('inbound');
        expect(i.ended_at.getTime() - i.started_at.getTime()).toBeGreaterThanOrEqual(120_000);
        expect(i.started_at.toISOString().slice(0, 7)).toBe('2026-10');
        expect(a.dueAt).toBe('2026-11-08T00:00:00.000Z');
      }
      expect(new Set(assignments.map((a: { interactionId: string }) => a.interactionId)).size).toBe(35);
      // A rerun tops up only: nothing new.
      const again = await quinn.post(`/api/scoring/sampling-plans/${plan.id}/run`, { period: '2026-10' });
      expect(again.body.assigned).toBe(0);
      expect((await quinn.get(`/api/scoring/sampling-plans/${plan.id}/assignments`)).body.assignments).toHaveLength(35);
      // Raising N tops everyone up to the new N, still even.
      await quinn.patch(`/api/scoring/sampling-plans/${plan.id}`, { perAgent: 6 });
      const topUp = await quinn.post(`/api/scoring/sampling-plans/${plan.id}/run`, { period: '2026-10' });
      expect(topUp.body.assigned).toBe(7);
      expect(Object.values(topUp.body.perAgent)).toEqual(Array(7).fill(6));
      expect(spread(Object.values(topUp.body.perEvaluator) as number[])).toBeLessThanOrEqual(1);
    });

    it('runs weekly plans as scheduled jobs with deterministic ids per plan and period; a rerun never double-assigns', async () => {
      const quinn = await as('quinn');
      const plan = (
        await quinn.post('/api/scoring/sampling-plans', {
          name: 'Weekly, North, outbound',
          scorecardId: beSure,
          period: 'week',
          perAgent: 1,
          filters: { teamIds: [seeded.north], direction: 'outbound' },
          evaluatorIds: [seeded.id('sofia'), seeded.id('quinn')],
        })
      ).body;
      const deps = { db: server.core.db, jobs: server.core.jobs };
      const ctx = { jobId: 'test', attempt: 1, signal: new AbortController().signal, progress: async () => {}, log: () => {} };
      const weeks = ['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44'];
      // The Monday after each week: the hourly fan-out asks for that week, by a fixed job id.
      for (const [k, week] of weeks.entries()) {
        const monday = new Date(Date.parse('2026-10-05T01:00:00Z') + k * 7 * DAY);
        await runSamplingPlansJob(deps, () => monday)({}, ctx);
        await runSamplingPlansJob(deps, () => monday)({}, ctx);
        const jobId = `run-sampling-plans:${plan.id}:${week}`;
        await expect.poll(async () => (await server.core.db.selectFrom('job_runs').select('state').where('job_id', '=', jobId).executeTakeFirst())?.state, { timeout: 10_000 }).toBe('done');
      }
      const runs = await server.core.db.selectFrom('job_runs').select('job_id').where('job_id', 'like', `run-sampling-plans:${plan.id}:%`).orderBy('job_id').execute();
      // (arrayContaining: the server's real hourly schedule may add the current week's run.)
      expect(runs.map((r) => r.job_id)).toEqual(expect.arrayContaining(weeks.map((w) => `run-sampling-plans:${plan.id}:${w}`)));
      // Running a done period's job again is refused by the ledger, and the domain run adds nothing.
      expect((await server.core.jobs.enqueue('run-sampling-plans', { planId: plan.id, period: '2026-W41' }, { jobId: `run-sampling-plans:${plan.id}:2026-W41` })).enqueued).toBe(false);
      const assignments = (await quinn.get(`/api/scoring/sampling-plans/${plan.id}/assignments`)).body.assignments;
      const north = ['alex', 'blair', 'erin'];
      const perAgent = north.map((a) => assignments.filter((x: { agentId: string }) => x.agentId === seeded.id(a)).length);
      expect(perAgent).toEqual([5, 5, 5]);
      expect(assignments.every((a: { agentId: string }) => north.some((n) => seeded.id(n) === a.agentId))).toBe(true);
      const perEvaluator = ['sofia', 'quinn'].map((e) => assignments.filter((x: { evaluatorId: string }) => x.evaluatorId === seeded.id(e)).length);
      expect(spread(perEvaluator)).toBeLessThanOrEqual(1);
      // Never the same interaction as the monthly plan.
      const all = await server.core.db.selectFrom('sampling_assignments').select('interaction_id').execute();
      expect(new Set(all.map((a) => a.interaction_id)).size).toBe(all.length);
    });

    it('fills the queue with due dates, fulfils assignments by evaluating, and shows fairness per agent and evaluator', async () => {
      const sofia = await as('sofia');
      const queue = (await sofia.get('/api/scoring/queue')).body;
      expect(queue.assignments.length).toBeGreaterThan(0);
      ScoringQueue.parse(queue);
      expect(queue.assignments.every((a: { overdue: boolean; dueAt: string }) => a.overdue === Date.parse(a.dueAt) < Date.now())).toBe(true);
      const first = queue.assignments[0];
      const e = await sofia.post('/api/scoring/evaluations', { interactionId: first.interactionId, assignmentId: first.id });
      expect(e.status).toBe(201);
      expect(e.body.assignmentId).toBe(first.id);
      const other = queue.assignments.find((a: { interactionId: string }) => a.interactionId !== first.interactionId);
      expect((await sofia.post('/api/scoring/evaluations', { interactionId: other.interactionId, assignmentId: first.id })).status).toBe(400);
      const answers = Object.fromEntries(e.body.score.questions.map((q: { questionId: string }) => [q.questionId, q.questionId === 'verified-identity' ? { na: true } : { value: true }]));
      for (const q of ['relevant-options', 'ownership', 'active-listening']) answers[q] = { value: 4 };
      answers['set-expectations'] = { value: 'clear' };
      answers.resolution = { value: 'first-contact' };
      expect((await sofia.post(`/api/scoring/evaluations/${e.body.id}/submit`, { answers })).status).toBe(200);
      const after = (await sofia.get('/api/scoring/queue')).body;
      expect(after.assignments.map((a: { id: string }) => a.id)).not.toContain(first.id);
      expect(after.assignments).toHaveLength(queue.assignments.length - 1);
      // Reassigning: QA and admins only, to someone who may score the call, never a done one.
      const quinnAsQa = await as('quinn');
      const move = after.assignments[0];
      expect((await (await as('alex')).patch(`/api/scoring/assignments/${move.id}`, { evaluatorId: seeded.id('admin') })).status).toBe(403);
      expect((await quinnAsQa.patch(`/api/scoring/assignments/${move.id}`, { evaluatorId: seeded.id('casey') })).status).toBe(400);
      expect((await quinnAsQa.patch(`/api/scoring/assignments/${first.id}`, { evaluatorId: seeded.id('admin') })).status).toBe(409);
      const moved = await quinnAsQa.patch(`/api/scoring/assignments/${move.id}`, { evaluatorId: seeded.id('admin') });
      expect(moved.body).toMatchObject({ id: move.id, evaluatorId: seeded.id('admin'), state: 'open' });
      expect((await sofia.get('/api/scoring/queue')).body.assignments).toHaveLength(queue.assignments.length - 2);
      await quinnAsQa.patch(`/api/scoring/assignments/${move.id}`, { evaluatorId: seeded.id('sofia') });

      const now = new Date();
      const range = `from=2026-10-01T00:00:00Z&to=${new Date(now.getTime() + DAY).toISOString()}`;
      const quinn = await as('quinn');
      const view = (await quinn.get(`/api/scoring/fairness?${range}`)).body;
      expect(view.agents).toHaveLength(7);
      FairnessView.parse(view);
      expect(view.agents.reduce((a: number, x: { evaluations: number }) => a + x.evaluations, 0)).toBe(1);
      expect(view.summary).toMatchObject({ minPerAgent: 0, maxPerAgent: 1, agentsNeverEvaluated: 6 });
      const sofiaRow = view.evaluators.find((x: { evaluatorId: string }) => x.evaluatorId === seeded.id('sofia'));
      expect(sofiaRow).toMatchObject({ evaluations: 1, agentsEvaluated: 1 });
      expect(sofiaRow.assigned).toBe(sofiaRow.open + 1);
      const total = view.agents.reduce((a: number, x: { assigned: number }) => a + x.assigned, 0);
      expect(total).toBe(42 + 15);
      const south = (await quinn.get(`/api/scoring/fairness?${range}&teamId=${seeded.south}`)).body;
      expect(south.agents.map((a: { name: string }) => a.name).sort()).toEqual(['Casey Novak', 'Devon Shah', 'finn', 'gray']);
      expect((await (await as('alex')).get(`/api/scoring/fairness?${range}`)).status).toBe(403);
      expect((await quinn.get('/api/scoring/fairness?from=yesterday')).status).toBe(400);
    });
  });
}
