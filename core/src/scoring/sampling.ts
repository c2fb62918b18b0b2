import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { periodKeyOf, type Period } from '@duet/protocol';
import type {
  CreateSamplingPlanRequest,
  FairnessQuery,
  FairnessView,
  SamplingAssignment,
  SamplingFilters,
  SamplingPlan,
  SamplingRunResult,
  ScoringQueue,
  UpdateSamplingPlanRequest,
} from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { isAdmin, mayEvaluate, mayManageSampling, mayViewFairness, visibleTeamIds, type Principal } from '../auth/authorization.js';
import { loadPrincipal } from '../auth/principal.js';
import type { DB } from '../db/schema.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors.js';
import { iso, rejectIssues, type ScoringContext } from './common.js';
import { round } from './score.js';

/**
 * Fair sampling: N interactions per agent per week or month, drawn at random within the plan's
 * filters and handed to the plan's evaluators in balance, each with a due date.
 *
 * - Periods are UTC: ISO weeks (`2026-W47`, Monday to Monday) or calendar months (`2026-11`).
 *   The scheduled job samples the period that just ended, so every agent's whole period is
 *   in the pool; "run now" can sample any period (e.g. the current one so far).
 * - Eligible: interactions started in the period, `ready` (replayable), of an agent on a team,
 *   matching the filters, not already assigned by any plan and not already evaluated by a
 *   supervisor: nobody is evaluated twice on the same call because two plans overlap.
 * - Random but reproducible: a PRNG seeded by the plan's secret seed and the period, so a rerun
 *   draws the same sample, and agents cannot predict it (the seed never leaves the server).
 * - Equal counts: agents are served round-robin, one interaction each per round, so a shortage
 *   of evaluators' capacity or of eligible calls never favours whoever comes first. An agent with
 *   fewer eligible calls than N gets all they have and is reported as a shortfall.
 * - Balance: each pick goes to the evaluator, among those who may score it (authorization), with
 *   the fewest assignments in this plan and period (within one per period), then the fewest in
 *   this plan overall (so the odd one out rotates and the load stays within one across periods),
 *   then the fewest of this agent (an agent is heard by several evaluators), then a seeded tie-break.
 * - Idempotent: a rerun only tops agents up to N; (plan, period, interaction) is unique too.
 * - Due: `dueDays` days after the period ends.
 */

export { periodKeyOf, type Period };

const DAY = 86_400_000;

/** [start, end) of a period key, UTC. */
export function periodBounds(key: string): { period: Period; start: Date; end: Date } {
  const week = /^(\d{4})-W(\d{2})$/.exec(key);
  if (week) {
    const year = Number(week[1]);
    const n = Number(week[2]);
    const jan4 = new Date(Date.UTC(year, 0, 4));
    const monday1 = Date.UTC(year, 0, 4 - ((jan4.getUTCDay() + 6) % 7));
    const start = new Date(monday1 + (n - 1) * 7 * DAY);
    if (n < 1 || n > 53 || periodKeyOf(start, 'week') !== key) throw new InvalidInput(`${key} is not a week of ${year}.`, [{ path: 'period', message: 'no such ISO week' }]);
    return { period: 'week', start, end: new Date(start.getTime() + 7 * DAY) };
  }
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12) {
    const y = Number(month[1]);
    const m = Number(month[2]) - 1;
    return { period: 'month', start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  }
  throw new InvalidInput(`"${key}" is not a period: use an ISO week like 2026-W47 or a month like 2026-11.`, [{ path: 'period', message: 'not a period key' }]);
}

/** The period that ended most recently before `now`: what the scheduled run samples. */
export function previousPeriodKey(now: Date, period: Period): string {
  const { start } = periodBounds(periodKeyOf(now, period));
  return periodKeyOf(new Date(start.getTime() - 1), period);
}

/** mulberry32 seeded from a SHA-256 of the text: small, fast, and the same on every platform. */
export function seededRandom(text: string): () => number {
  let a = createHash('sha256').update(text).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rnd: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

type PlanRow = Awaited<ReturnType<typeof loadPlan>>;
async function loadPlan(db: Kysely<DB>, id: string, lock = false) {
  let q = db.selectFrom('sampling_plans').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const plan = await q.executeTakeFirst();
  if (!plan) throw new NotFound('Sampling plan');
  return plan;
}

const toPlan = (p: NonNullable<PlanRow>): SamplingPlan => ({
  id: p.id,
  name: p.name,
  scorecardId: p.scorecard_id,
  period: p.period,
  perAgent: p.per_agent,
  filters: p.filters,
  evaluatorIds: p.evaluator_ids,
  dueDays: p.due_days,
  active: p.active,
  createdAt: p.created_at.toISOString(),
});

function assertManager(p: Principal): void {
  if (!mayManageSampling(p)) throw new Forbidden('Sampling plans are managed by admins and QA analysts.');
}

async function checkPlanInput(db: Kysely<DB>, input: { scorecardId?: string; evaluatorIds?: string[]; filters?: SamplingFilters }): Promise<void> {
  const issues: { path: string; message: string }[] = [];
  if (input.scorecardId) {
    const card = await db.selectFrom('scorecards').select('status').where('id', '=', input.scorecardId).executeTakeFirst();
    const published = await db.selectFrom('scorecard_versions').select('id').where('scorecard_id', '=', input.scorecardId).where('published_at', 'is not', null).executeTakeFirst();
    if (!card || card.status !== 'active') issues.push({ path: 'scorecardId', message: 'no such active scorecard' });
    else if (!published) issues.push({ path: 'scorecardId', message: 'the scorecard has no published version yet' });
  }
  for (const [i, id] of (input.evaluatorIds ?? []).entries()) {
    const roles = await db.selectFrom('user_roles').select('role').where('user_id', '=', id).execute();
    if (!roles.some((r) => r.role === 'admin' || r.role === 'supervisor' || r.role === 'qa')) issues.push({ path: `evaluatorIds.${i}`, message: 'not a user with the supervisor, QA or admin role' });
  }
  if (input.evaluatorIds && new Set(input.evaluatorIds).size !== input.evaluatorIds.length) issues.push({ path: 'evaluatorIds', message: 'names someone twice' });
  for (const [i, id] of (input.filters?.teamIds ?? []).entries()) {
    if (!(await db.selectFrom('teams').select('id').where('id', '=', id).executeTakeFirst())) issues.push({ path: `filters.teamIds.${i}`, message: 'no such team' });
  }
  const f = input.filters;
  if (f?.minDurationMs !== undefined && f.maxDurationMs !== undefined && f.maxDurationMs < f.minDurationMs) issues.push({ path: 'filters.maxDurationMs', message: 'is below minDurationMs' });
  rejectIssues('The sampling plan is invalid', issues);
}

export async function createSamplingPlan(db: Kysely<DB>, ctx: ScoringContext, input: CreateSamplingPlanRequest): Promise<SamplingPlan> {
  assertManager(ctx.principal);
  return db.transaction().execute(async (trx) => {
    await checkPlanInput(trx, input);
    const plan = await trx
      .insertInto('sampling_plans')
      .values({
        name: input.name,
        scorecard_id: input.scorecardId,
        period: input.period,
        per_agent: input.perAgent,
        filters: JSON.stringify(input.filters),
        evaluator_ids: JSON.stringify(input.evaluatorIds),
        due_days: input.dueDays,
        active: input.active,
        seed: randomBytes(16).toString('hex'),
        created_by: ctx.principal.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: 'sampling_plan.create', targetType: 'sampling_plan', targetId: plan.id, detail: { ...input } });
    return toPlan(plan);
  });
}

export async function updateSamplingPlan(db: Kysely<DB>, ctx: ScoringContext, id: string, input: UpdateSamplingPlanRequest): Promise<SamplingPlan> {
  assertManager(ctx.principal);
  return db.transaction().execute(async (trx) => {
    const plan = await loadPlan(trx, id, true);
    await checkPlanInput(trx, { ...(input.evaluatorIds ? { evaluatorIds: input.evaluatorIds } : {}), ...(input.filters ? { filters: input.filters } : {}) });
    const updated = await trx
      .updateTable('sampling_plans')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.perAgent !== undefined ? { per_agent: input.perAgent } : {}),
        ...(input.filters !== undefined ? { filters: JSON.stringify(input.filters) } : {}),
        ...(input.evaluatorIds !== undefined ? { evaluator_ids: JSON.stringify(input.evaluatorIds) } : {}),
        ...(input.dueDays !== undefined ? { due_days: input.dueDays } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', plan.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: 'sampling_plan.update', targetType: 'sampling_plan', targetId: id, detail: { ...input } });
    return toPlan(updated);
  });
}

export async function listSamplingPlans(db: Kysely<DB>, p: Principal): Promise<SamplingPlan[]> {
  if (!mayManageSampling(p) && !mayViewFairness(p)) throw new Forbidden('Sampling plans are for admins, QA analysts and supervisors.');
  return (await db.selectFrom('sampling_plans').selectAll().orderBy('name').execute()).map(toPlan);
}

export async function activeSamplingPlans(db: Kysely<DB>): Promise<{ id: string; period: Period }[]> {
  return db.selectFrom('sampling_plans').select(['id', 'period']).where('active', '=', true).orderBy('id').execute();
}

/**
 * Samples one plan for one period, in one transaction (the plan row is locked, so concurrent runs
 * of the same plan wait for each other). See the module comment for the rules.
 */
export async function runSamplingPlan(db: Kysely<DB>, planId: string, period: string, actor: { id: string | null; ip?: string | null } = { id: null }): Promise<SamplingRunResult> {
  return db.transaction().execute(async (trx) => {
    const plan = await loadPlan(trx, planId, true);
    const bounds = periodBounds(period);
    if (bounds.period !== plan.period) throw new InvalidInput(`This plan samples per ${plan.period}; "${period}" is a ${bounds.period}.`, [{ path: 'period', message: `must be a ${plan.period}` }]);
    const filters = plan.filters;
    const duration = sql<number>`extract(epoch from (i.ended_at - i.started_at)) * 1000`;
    let q = trx
      .selectFrom('interactions as i')
      .select(['i.id', 'i.agent_id', 'i.team_id'])
      .where('i.started_at', '>=', bounds.start)
      .where('i.started_at', '<', bounds.end)
      .where('i.status', '=', 'ready')
      .where('i.team_id', 'is not', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('sampling_assignments as a').select('a.id').whereRef('a.interaction_id', '=', 'i.id'))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('evaluations as e').select('e.id').whereRef('e.interaction_id', '=', 'i.id').where('e.kind', '=', 'supervisor'))))
      .orderBy('i.id');
    if (filters.teamIds?.length) q = q.where('i.team_id', 'in', filters.teamIds);
    if (filters.direction) q = q.where('i.direction', '=', filters.direction);
    if (filters.minDurationMs !== undefined) q = q.where(duration, '>=', filters.minDurationMs);
    if (filters.maxDurationMs !== undefined) q = q.where(duration, '<=', filters.maxDurationMs);
    const pool = await q.execute();

    const existing = await trx.selectFrom('sampling_assignments').select(['agent_id', 'evaluator_id', 'period']).where('plan_id', '=', plan.id).execute();
    const perAgent = new Map<string, number>();
    const perEvaluator = new Map<string, number>();
    const planLoad = new Map<string, number>();
    const pair = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const a of existing) {
      bump(planLoad, a.evaluator_id);
      if (a.period !== period) continue;
      bump(perAgent, a.agent_id);
      bump(perEvaluator, a.evaluator_id);
      bump(pair, `${a.evaluator_id}:${a.agent_id}`);
    }

    const evaluators = [];
    for (const id of plan.evaluator_ids) {
      const user = await trx.selectFrom('users').select('disabled').where('id', '=', id).executeTakeFirst();
      if (user && !user.disabled) evaluators.push(await loadPrincipal(trx, id));
    }
    const rnd = seededRandom(`${plan.seed}:${period}`);
    const rank = new Map(shuffle(evaluators.map((e) => e.userId).sort(), rnd).map((id, i) => [id, i]));
    const byAgent = new Map<string, { id: string; agent_id: string; team_id: string | null }[]>();
    for (const i of pool) byAgent.set(i.agent_id, [...(byAgent.get(i.agent_id) ?? []), i]);
    for (const [agent, list] of byAgent) byAgent.set(agent, shuffle(list, rnd));
    // Every agent of the plan's teams takes part, so one without a single eligible call is
    // reported as a shortfall instead of silently left out.
    let members = trx
      .selectFrom('team_members as m')
      .innerJoin('user_roles as r', (j) => j.onRef('r.user_id', '=', 'm.user_id').on('r.role', '=', 'agent'))
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where('u.disabled', '=', false);
    if (filters.teamIds?.length) members = members.where('m.team_id', 'in', filters.teamIds);
    const teamAgents = (await members.execute()).map((m) => m.user_id);
    const agents = shuffle([...new Set([...teamAgents, ...byAgent.keys(), ...perAgent.keys()])].sort(), rnd);

    const dueAt = new Date(bounds.end.getTime() + plan.due_days * DAY);
    const made: { plan_id: string; period: string; interaction_id: string; agent_id: string; evaluator_id: string; due_at: Date }[] = [];
    for (let round = 0; round < plan.per_agent; round++) {
      for (const agent of agents) {
        if ((perAgent.get(agent) ?? 0) >= plan.per_agent) continue;
        const list = byAgent.get(agent) ?? [];
        while (list.length) {
          const i = list.shift()!;
          const scope = { agentId: i.agent_id, teamId: i.team_id, curated: false };
          const able = evaluators.filter((e) => mayEvaluate(e, scope, 'supervisor'));
          if (!able.length) continue;
          const key = (e: string) => [perEvaluator.get(e) ?? 0, planLoad.get(e) ?? 0, pair.get(`${e}:${agent}`) ?? 0, rank.get(e) ?? 0];
          const chosen = able
            .map((e) => e.userId)
            .sort((a, b) => {
              const [ka, kb] = [key(a), key(b)];
              return ka[0]! - kb[0]! || ka[1]! - kb[1]! || ka[2]! - kb[2]! || ka[3]! - kb[3]!;
            })[0]!;
          made.push({ plan_id: plan.id, period, interaction_id: i.id, agent_id: agent, evaluator_id: chosen, due_at: dueAt });
          bump(perAgent, agent);
          bump(perEvaluator, chosen);
          bump(planLoad, chosen);
          bump(pair, `${chosen}:${agent}`);
          break;
        }
      }
    }
    if (made.length) await trx.insertInto('sampling_assignments').values(made).execute();
    const shortfalls = agents
      .filter((a) => (perAgent.get(a) ?? 0) < plan.per_agent)
      .sort()
      .map((agentId) => ({ agentId, assigned: perAgent.get(agentId) ?? 0, wanted: plan.per_agent }));
    await audit(trx, {
      actorId: actor.id,
      ip: actor.ip ?? null,
      action: 'sampling_plan.run',
      targetType: 'sampling_plan',
      targetId: plan.id,
      detail: { period, assigned: made.length, shortfalls: shortfalls.length, evaluators: evaluators.length },
    });
    return { planId: plan.id, period, assigned: made.length, perAgent: Object.fromEntries(perAgent), perEvaluator: Object.fromEntries(perEvaluator), shortfalls };
  });
}

/** "Run now" from the API: the current period unless one is named. */
export async function runSamplingPlanNow(db: Kysely<DB>, ctx: ScoringContext, planId: string, period?: string, now = new Date()): Promise<SamplingRunResult> {
  assertManager(ctx.principal);
  const plan = await loadPlan(db, planId);
  return runSamplingPlan(db, planId, period ?? periodKeyOf(now, plan.period), { id: ctx.principal.userId, ip: ctx.ip ?? null });
}

export async function listAssignments(db: Kysely<DB>, p: Principal, planId: string, period?: string): Promise<SamplingAssignment[]> {
  if (!mayManageSampling(p)) throw new Forbidden('Plan assignments are for admins and QA analysts; your own are in your queue.');
  await loadPlan(db, planId);
  let q = db.selectFrom('sampling_assignments').selectAll().where('plan_id', '=', planId).orderBy('period').orderBy('due_at').orderBy('id');
  if (period) q = q.where('period', '=', period);
  return (await q.execute()).map(toAssignment);
}

const toAssignment = (a: {
  id: string;
  plan_id: string;
  period: string;
  interaction_id: string;
  agent_id: string;
  evaluator_id: string;
  due_at: Date;
  state: 'open' | 'done';
  evaluation_id: string | null;
}): SamplingAssignment => ({
  id: a.id,
  planId: a.plan_id,
  period: a.period,
  interactionId: a.interaction_id,
  agentId: a.agent_id,
  evaluatorId: a.evaluator_id,
  dueAt: a.due_at.toISOString(),
  state: a.state,
  evaluationId: a.evaluation_id,
});

/**
 * "My evaluations to do": open sampling assignments (soonest due first, overdue flagged), my
 * drafts, disputes waiting for my decision, calibration sessions waiting for my score, and, for
 * agents, evaluations of theirs to acknowledge or dispute (with whether they have opened them).
 */
export async function myQueue(db: Kysely<DB>, p: Principal, now = new Date()): Promise<ScoringQueue> {
  const [assignments, drafts, disputes, calibrations, toRespond] = await Promise.all([
    db.selectFrom('sampling_assignments').selectAll().where('evaluator_id', '=', p.userId).where('state', '=', 'open').orderBy('due_at').orderBy('id').execute(),
    db.selectFrom('evaluations').select(['id', 'interaction_id', 'kind', 'updated_at', 'calibration_session_id']).where('evaluator_id', '=', p.userId).where('state', '=', 'draft').orderBy('updated_at', 'desc').execute(),
    db
      .selectFrom('disputes as d')
      .innerJoin('evaluations as e', 'e.id', 'd.evaluation_id')
      .select(['d.id', 'd.evaluation_id', 'e.interaction_id', 'd.created_at'])
      // Admins also get disputes nobody else could review (no eligible reviewer when raised).
      .where((eb) => (isAdmin(p) ? eb.or([eb('d.reviewer_id', '=', p.userId), eb('d.reviewer_id', 'is', null)]) : eb('d.reviewer_id', '=', p.userId)))
      .where('d.state', '=', 'open')
      .orderBy('d.created_at')
      .execute(),
    db
      .selectFrom('calibration_participants as cp')
      .innerJoin('calibration_sessions as s', 's.id', 'cp.session_id')
      .select(['s.id', 's.title', 's.due_at'])
      .where('cp.user_id', '=', p.userId)
      .where('s.state', '=', 'open')
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('evaluations as e').select('e.id').whereRef('e.calibration_session_id', '=', 's.id').where('e.evaluator_id', '=', p.userId).where('e.state', '=', 'submitted'))),
      )
      .execute(),
    db
      .selectFrom('evaluations')
      .select(['id', 'interaction_id', 'percent', 'submitted_at', 'agent_seen_at'])
      .where('agent_id', '=', p.userId)
      .where('kind', '=', 'supervisor')
      .where('state', '=', 'submitted')
      .orderBy('submitted_at', 'desc')
      .execute(),
  ]);
  return {
    assignments: assignments.map((a) => ({ ...toAssignment(a), overdue: a.due_at.getTime() < now.getTime() })),
    drafts: drafts.map((d) => ({ evaluationId: d.id, interactionId: d.interaction_id, kind: d.kind, calibrationSessionId: d.calibration_session_id, updatedAt: d.updated_at.toISOString() })),
    disputes: disputes.map((d) => ({ disputeId: d.id, evaluationId: d.evaluation_id, interactionId: d.interaction_id, createdAt: d.created_at.toISOString() })),
    calibrations: calibrations.map((c) => ({ sessionId: c.id, title: c.title, dueAt: iso(c.due_at) })),
    toRespond: p.roles.includes('agent')
      ? toRespond.map((e) => ({ evaluationId: e.id, interactionId: e.interaction_id, percent: e.percent, submittedAt: iso(e.submitted_at), seen: e.agent_seen_at !== null }))
      : [],
  };
}

/**
 * The fairness view for a period: per agent, how often they were evaluated (submitted supervisor
 * evaluations, by submission time: when the work was done) and how many of their calls from the
 * period were sampled, and of those how many are still open or overdue; per
 * evaluator, how many they did, their average score given (leniency shows here) and their open
 * and overdue assignments. Every agent of the visible teams is listed, including those nobody
 * evaluated: that is the point. Calibration and self-evaluations do not count.
 */
export async function fairness(db: Kysely<DB>, p: Principal, q: FairnessQuery, now = new Date()): Promise<FairnessView> {
  if (!mayViewFairness(p)) throw new Forbidden('The fairness view is for admins, QA analysts and supervisors.');
  const from = new Date(q.from);
  const to = new Date(q.to);
  if (to <= from) throw new InvalidInput('"to" must be after "from".', [{ path: 'to', message: 'not after from' }]);
  const allowed = visibleTeamIds(p);
  let teams = allowed === null ? null : [...allowed];
  if (q.teamId) {
    if (teams && !teams.includes(q.teamId)) throw new NotFound('Team');
    teams = [q.teamId];
  }
  if (teams && teams.length === 0) return { from: q.from, to: q.to, agents: [], evaluators: [], summary: null };
  let agentsQ = db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('user_roles as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'agent'))
    .select(['u.id', 'u.display_name', 'u.employment_type', 'm.team_id'])
    .where('u.disabled', '=', false);
  if (teams) agentsQ = agentsQ.where('m.team_id', 'in', teams);
  const agents = await agentsQ.orderBy('u.display_name').execute();
  let evalQ = db
    .selectFrom('evaluations as e')
    .select(['e.agent_id', 'e.evaluator_id', 'e.percent', 'e.critical_failed', 'e.team_id'])
    .where('e.kind', '=', 'supervisor')
    .where('e.state', '!=', 'draft')
    .where('e.submitted_at', '>=', from)
    .where('e.submitted_at', '<', to);
  if (teams) evalQ = evalQ.where('e.team_id', 'in', teams);
  const evals = await evalQ.execute();
  let asgQ = db
    .selectFrom('sampling_assignments as a')
    .innerJoin('interactions as i', 'i.id', 'a.interaction_id')
    .select(['a.agent_id', 'a.evaluator_id', 'a.state', 'a.due_at'])
    .where('i.started_at', '>=', from)
    .where('i.started_at', '<', to);
  if (teams) asgQ = asgQ.where('i.team_id', 'in', teams);
  const asg = await asgQ.execute();
  const avg = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 1) : null;
  };
  const agentRows = agents.map((a) => {
    const mine = evals.filter((e) => e.agent_id === a.id);
    const as = asg.filter((x) => x.agent_id === a.id);
    return {
      agentId: a.id,
      name: a.display_name,
      teamId: a.team_id,
      employmentType: a.employment_type,
      evaluations: mine.length,
      averagePercent: avg(mine.map((e) => e.percent)),
      criticalFailures: mine.filter((e) => e.critical_failed).length,
      assigned: as.length,
      open: as.filter((x) => x.state === 'open').length,
      overdue: as.filter((x) => x.state === 'open' && x.due_at < now).length,
    };
  });
  const evaluatorIds = [...new Set([...evals.map((e) => e.evaluator_id), ...asg.map((x) => x.evaluator_id)])];
  const names = evaluatorIds.length ? await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', evaluatorIds).execute() : [];
  const evaluatorRows = evaluatorIds
    .map((id) => {
      const done = evals.filter((e) => e.evaluator_id === id);
      const as = asg.filter((x) => x.evaluator_id === id);
      return {
        evaluatorId: id,
        name: names.find((n) => n.id === id)?.display_name ?? null,
        evaluations: done.length,
        agentsEvaluated: new Set(done.map((e) => e.agent_id)).size,
        averagePercentGiven: avg(done.map((e) => e.percent)),
        assigned: as.length,
        open: as.filter((x) => x.state === 'open').length,
        overdue: as.filter((x) => x.state === 'open' && x.due_at < now).length,
      };
    })
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const counts = agentRows.map((a) => a.evaluations);
  return {
    from: q.from,
    to: q.to,
    agents: agentRows,
    evaluators: evaluatorRows,
    summary: counts.length ? { minPerAgent: Math.min(...counts), maxPerAgent: Math.max(...counts), agentsNeverEvaluated: counts.filter((c) => c === 0).length } : null,
  };
}


/**
 * Moves an open assignment to another evaluator, who must be active and allowed to score the
 * interaction. Admins and QA analysts only; audited with both evaluators.
 */
export async function reassignAssignment(db: Kysely<DB>, ctx: ScoringContext, id: string, evaluatorId: string): Promise<SamplingAssignment> {
  assertManager(ctx.principal);
  return db.transaction().execute(async (trx) => {
    const a = await trx.selectFrom('sampling_assignments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!a) throw new NotFound('Assignment');
    if (a.state !== 'open') throw new Conflict('This assignment is done: its evaluation was submitted.');
    if (a.evaluator_id === evaluatorId) return toAssignment(a);
    const interaction = await trx.selectFrom('interactions').select(['agent_id', 'team_id']).where('id', '=', a.interaction_id).executeTakeFirstOrThrow();
    const user = await trx.selectFrom('users').select('disabled').where('id', '=', evaluatorId).executeTakeFirst();
    if (!user || user.disabled || !mayEvaluate(await loadPrincipal(trx, evaluatorId), { agentId: interaction.agent_id, teamId: interaction.team_id, curated: false }, 'supervisor')) {
      throw new InvalidInput('That evaluator may not score this interaction: choose a supervisor or QA analyst of its team.', [{ path: 'evaluatorId', message: 'may not score this interaction' }]);
    }
    const updated = await trx.updateTable('sampling_assignments').set({ evaluator_id: evaluatorId }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await audit(trx, { actorId: ctx.principal.userId, ip: ctx.ip, action: 'sampling_assignment.reassign', targetType: 'sampling_assignment', targetId: id, detail: { from: a.evaluator_id, to: evaluatorId } });
    return toAssignment(updated);
  });
}
