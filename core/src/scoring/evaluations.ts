import type { Kysely } from 'kysely';
import type {
  AcknowledgeRequest,
  Answers,
  Dispute,
  DisputeRequest,
  EvaluationComparison,
  EvaluationDetail,
  EvaluationListItem,
  EvaluationListQuery,
  Evaluation,
  ResolveDisputeRequest,
  SaveDraftRequest,
  StartEvaluationRequest,
  SubmitEvaluationRequest,
} from '@duet/protocol';
import { audit } from '../audit/audit.js';
import {
  isAdmin,
  mayEvaluate,
  mayResolveDispute,
  mayRespondToEvaluation,
  mayViewEvaluation,
  visibleTeamIds,
  type EvaluationScope,
  type Principal,
} from '../auth/authorization.js';
import { loadPrincipal } from '../auth/principal.js';
import { displayNameOf, notify } from '../notifications/notifications.js';
import type { DB } from '../db/schema.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors.js';
import { revealIfComplete } from './calibration.js';
import {
  addEvent,
  answersJson,
  evaluationQuery,
  evaluationScope,
  iso,
  loadEvaluation,
  rejectIssues,
  retryOnUniqueViolation,
  scoreColumns,
  toEvaluation,
  visibleInteraction,
  type EvaluationRow,
  type ScoringContext,
} from './common.js';
import { currentVersion } from './scorecards.js';
import { fractionOf, mergeAnswers, scoreAnswers, validateAnswers } from './score.js';

/**
 * The evaluation life cycle:
 *
 *   draft ──submit──▶ submitted ──acknowledge──▶ acknowledged
 *                         │
 *                         └──dispute──▶ disputed ──resolve (upheld | changed)──▶ resolved
 *
 * Drafts autosave (with a revision so a stale tab cannot overwrite a newer save) and are seen
 * by their evaluator only. Submitting is once. Self-evaluations and calibration evaluations end
 * at `submitted`. One dispute per evaluation; a reviewer other than the evaluator decides it and
 * every decision, with the answers before and after, stays in the evaluation's history.
 */

async function visibleEvaluation(db: Kysely<DB>, p: Principal, id: string, lock = false): Promise<{ row: EvaluationRow; scope: EvaluationScope }> {
  const row = await loadEvaluation(db, id, lock);
  if (!row) throw new NotFound('Evaluation');
  const scope = await evaluationScope(db, row);
  if (!mayViewEvaluation(p, scope)) throw new NotFound('Evaluation');
  return { row, scope };
}

async function reload(db: Kysely<DB>, id: string): Promise<Evaluation> {
  return toEvaluation((await loadEvaluation(db, id))!);
}

export async function startEvaluation(db: Kysely<DB>, ctx: ScoringContext, input: StartEvaluationRequest): Promise<{ evaluation: Evaluation; created: boolean }> {
  return retryOnUniqueViolation(() => startEvaluationOnce(db, ctx, input));
}

async function startEvaluationOnce(db: Kysely<DB>, ctx: ScoringContext, input: StartEvaluationRequest): Promise<{ evaluation: Evaluation; created: boolean }> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    const interaction = await visibleInteraction(trx, p, input.interactionId);
    if (!mayEvaluate(p, interaction, input.kind)) {
      throw new Forbidden(
        input.kind === 'self'
          ? 'Only the agent of an interaction may self-evaluate it.'
          : interaction.agentId === p.userId
            ? 'Nobody evaluates their own interaction: start a self-evaluation (kind "self") instead.'
            : 'You may view this interaction but not evaluate it: that needs the supervisor or QA role for its team.',
      );
    }
    if (interaction.status === 'recording') throw new Conflict('The interaction is still being recorded: evaluate it once the call has ended.');
    let scorecardId = input.scorecardId;
    let assignmentId: string | null = null;
    if (input.assignmentId) {
      const a = await trx
        .selectFrom('sampling_assignments as a')
        .innerJoin('sampling_plans as pl', 'pl.id', 'a.plan_id')
        .select(['a.id', 'a.evaluator_id', 'a.interaction_id', 'a.state', 'pl.scorecard_id'])
        .where('a.id', '=', input.assignmentId)
        .executeTakeFirst();
      if (!a || a.evaluator_id !== p.userId || a.interaction_id !== input.interactionId) {
        throw new InvalidInput('assignmentId is not an assignment of yours for this interaction.', [{ path: 'assignmentId', message: 'not your assignment for this interaction' }]);
      }
      if (input.kind !== 'supervisor') throw new InvalidInput('Sampling assignments are fulfilled by supervisor evaluations.', [{ path: 'kind', message: 'must be "supervisor" with an assignment' }]);
      scorecardId ??= a.scorecard_id;
      assignmentId = a.id;
    }
    if (!scorecardId && input.kind === 'self') {
      // "The same scorecard": a self-evaluation defaults to the one the supervisor's submitted
      // evaluation of this call used, else the one of a sampling plan that picked the call.
      const used = await trx
        .selectFrom('evaluations as e')
        .innerJoin('scorecard_versions as v', 'v.id', 'e.scorecard_version_id')
        .select('v.scorecard_id')
        .where('e.interaction_id', '=', interaction.id)
        .where('e.kind', '=', 'supervisor')
        .where('e.state', '!=', 'draft')
        .orderBy('e.submitted_at', 'desc')
        .executeTakeFirst();
      const sampled = await trx
        .selectFrom('sampling_assignments as a')
        .innerJoin('sampling_plans as pl', 'pl.id', 'a.plan_id')
        .select('pl.scorecard_id')
        .where('a.interaction_id', '=', interaction.id)
        .executeTakeFirst();
      scorecardId = used?.scorecard_id ?? sampled?.scorecard_id;
    }
    if (!scorecardId) throw new InvalidInput('Say which scorecard to evaluate with.', [{ path: 'scorecardId', message: 'required (no assignment given)' }]);
    const existing = await evaluationQuery(trx)
      .where('e.interaction_id', '=', input.interactionId)
      .where('e.evaluator_id', '=', p.userId)
      .where('e.kind', '=', input.kind)
      .executeTakeFirst();
    if (existing) return { evaluation: toEvaluation(existing as EvaluationRow), created: false };
    const version = await currentVersion(trx, scorecardId);
    const row = await trx
      .insertInto('evaluations')
      .values({
        interaction_id: interaction.id,
        agent_id: interaction.agentId,
        team_id: interaction.teamId,
        evaluator_id: p.userId,
        scorecard_version_id: version.id,
        kind: input.kind,
        state: 'draft',
        answers: '{}',
        comment: null,
        ...scoreColumns(scoreAnswers(version.definition, {})),
        assignment_id: assignmentId,
        calibration_session_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addEvent(trx, row.id, p.userId, 'created', { scorecardVersion: version.version, kind: input.kind });
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'evaluation.start', targetType: 'evaluation', targetId: row.id, detail: { interactionId: interaction.id, kind: input.kind, scorecardVersionId: version.id } });
    return { evaluation: await reload(trx, row.id), created: true };
  });
}

async function editableDraft(trx: Kysely<DB>, p: Principal, id: string, revision: number | undefined): Promise<EvaluationRow> {
  const { row } = await visibleEvaluation(trx, p, id, true);
  if (row.evaluator_id !== p.userId) throw new Forbidden('Only the evaluator may edit or submit an evaluation.');
  if (row.state !== 'draft') {
    throw new Conflict(`This evaluation was already submitted (${row.submitted_at?.toISOString() ?? 'earlier'}) and cannot change; a dispute by the agent is the way to revise it.`);
  }
  if (revision !== undefined && revision !== row.revision) {
    throw new Conflict(`This draft is at revision ${row.revision}, not ${revision}: it was saved elsewhere (another tab or device). Reload it and redo your change.`);
  }
  if (row.calibration_session_id) {
    const s = await trx.selectFrom('calibration_sessions').select('state').where('id', '=', row.calibration_session_id).executeTakeFirstOrThrow();
    if (s.state !== 'open') throw new Conflict('The calibration session has been revealed: scores can no longer be added.');
  }
  return row;
}

async function timelineOf(trx: Kysely<DB>, interactionId: string): Promise<number | null> {
  const i = await trx.selectFrom('interactions').select('timeline_ms').where('id', '=', interactionId).executeTakeFirst();
  return i?.timeline_ms ?? null;
}

/** Autosave: partial answers are fine; each save bumps the revision and returns the live score. */
export async function saveDraft(db: Kysely<DB>, ctx: ScoringContext, id: string, input: SaveDraftRequest): Promise<Evaluation> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    const row = await editableDraft(trx, p, id, input.revision);
    rejectIssues('Some answers do not fit the scorecard', validateAnswers(row.definition, input.answers, { complete: false, timelineMs: await timelineOf(trx, row.interaction_id) }));
    const score = scoreAnswers(row.definition, input.answers);
    await trx
      .updateTable('evaluations')
      .set({ answers: answersJson(input.answers), comment: input.comment ?? row.comment, ...scoreColumns(score), revision: row.revision + 1, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'evaluation.save_draft', targetType: 'evaluation', targetId: id, detail: { revision: row.revision + 1, answered: Object.keys(input.answers).length } });
    return reload(trx, id);
  });
}

export async function submitEvaluation(db: Kysely<DB>, ctx: ScoringContext, id: string, input: SubmitEvaluationRequest): Promise<Evaluation> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    const row = await editableDraft(trx, p, id, input.revision);
    const answers = input.answers ?? row.answers;
    rejectIssues('The evaluation cannot be submitted yet', validateAnswers(row.definition, answers, { complete: true, timelineMs: await timelineOf(trx, row.interaction_id) }));
    const score = scoreAnswers(row.definition, answers);
    if (score.percent === null) {
      throw new InvalidInput('Every scored question is N/A, so there is nothing to score: answer at least one question that carries weight.', [{ path: 'answers', message: 'nothing scorable' }]);
    }
    const now = new Date();
    await trx
      .updateTable('evaluations')
      .set({ answers: answersJson(answers), comment: input.comment ?? row.comment, ...scoreColumns(score), state: 'submitted', submitted_at: now, updated_at: now, revision: row.revision + 1 })
      .where('id', '=', id)
      .execute();
    // A sampling assignment is fulfilled by the evaluator's evaluation of that interaction,
    // whether or not it was started from the queue.
    if (row.kind === 'supervisor') {
      await trx
        .updateTable('sampling_assignments')
        .set({ state: 'done', evaluation_id: id })
        .where('interaction_id', '=', row.interaction_id)
        .where('evaluator_id', '=', p.userId)
        .where('state', '=', 'open')
        .execute();
    }
    await addEvent(trx, id, p.userId, 'submitted', { percent: score.percent, criticalFailed: score.criticalFailed });
    if (row.kind === 'supervisor') {
      await notify(trx, {
        userId: row.agent_id,
        kind: 'evaluation_submitted',
        title: `${await displayNameOf(trx, p.userId)} evaluated your call: ${score.percent}%`,
        body: score.criticalFailed ? score.criticalFailures.map((f) => f.reason).join(' ') : 'Open it to read the answers, then acknowledge it or dispute it.',
        link: evaluationLink(row.interaction_id, id),
        evaluationId: id,
      });
    }
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'evaluation.submit', targetType: 'evaluation', targetId: id, detail: { percent: score.percent, criticalFailed: score.criticalFailed, kind: row.kind } });
    if (row.calibration_session_id) await revealIfComplete(trx, row.calibration_session_id, p.userId, ctx.ip ?? null);
    return reload(trx, id);
  });
}

async function respondable(trx: Kysely<DB>, p: Principal, id: string) {
  const { row, scope } = await visibleEvaluation(trx, p, id, true);
  if (!mayRespondToEvaluation(p, scope)) throw new Forbidden('Only the agent who was evaluated may acknowledge or dispute this evaluation.');
  if (row.state !== 'submitted') {
    throw new Conflict(
      row.state === 'acknowledged'
        ? 'You acknowledged this evaluation already; it can no longer be disputed.'
        : row.state === 'disputed'
          ? 'You disputed this evaluation already; a reviewer will decide it.'
          : 'The dispute on this evaluation has been decided; the decision is final.',
    );
  }
  // Responding without having opened it (a client that goes straight to acknowledge) still counts as seen.
  if (!row.agent_seen_at) {
    await trx.updateTable('evaluations').set({ agent_seen_at: new Date() }).where('id', '=', id).execute();
    await addEvent(trx, id, p.userId, 'seen_by_agent');
  }
  return row;
}

export async function acknowledgeEvaluation(db: Kysely<DB>, ctx: ScoringContext, id: string, input: AcknowledgeRequest): Promise<Evaluation> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    await respondable(trx, p, id);
    await trx.updateTable('evaluations').set({ state: 'acknowledged', updated_at: new Date() }).where('id', '=', id).execute();
    await addEvent(trx, id, p.userId, 'acknowledged', input.comment ? { comment: input.comment } : {});
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'evaluation.acknowledge', targetType: 'evaluation', targetId: id });
    return reload(trx, id);
  });
}

/**
 * Who reviews a dispute: the team's supervisor, else a QA analyst granted the team, else an
 * admin; never the evaluator or the agent, and always someone `mayResolveDispute` allows. The
 * one with the fewest open disputes wins, so reviews spread out. Null when nobody qualifies
 * (then admins see it in the unassigned list).
 */
async function chooseReviewer(trx: Kysely<DB>, row: EvaluationRow, scope: EvaluationScope): Promise<string | null> {
  const tiers: string[][] = [];
  if (row.team_id) {
    const team = await trx.selectFrom('teams').select('supervisor_id').where('id', '=', row.team_id).executeTakeFirst();
    tiers.push(team?.supervisor_id ? [team.supervisor_id] : []);
    tiers.push((await trx.selectFrom('access_grants').select('user_id').where('team_id', '=', row.team_id).execute()).map((g) => g.user_id));
  }
  tiers.push((await trx.selectFrom('user_roles').select('user_id').where('role', '=', 'admin').execute()).map((r) => r.user_id));
  for (const tier of tiers) {
    const ok: string[] = [];
    for (const userId of [...new Set(tier)].sort()) {
      const user = await trx.selectFrom('users').select('disabled').where('id', '=', userId).executeTakeFirst();
      if (!user || user.disabled) continue;
      if (mayResolveDispute(await loadPrincipal(trx, userId), scope)) ok.push(userId);
    }
    if (!ok.length) continue;
    const load = await trx.selectFrom('disputes').select(['reviewer_id', (eb) => eb.fn.countAll<number>().as('n')]).where('state', '=', 'open').where('reviewer_id', 'in', ok).groupBy('reviewer_id').execute();
    const n = (u: string) => Number(load.find((l) => l.reviewer_id === u)?.n ?? 0);
    return ok.sort((a, b) => n(a) - n(b) || a.localeCompare(b))[0]!;
  }
  return null;
}

export async function disputeEvaluation(db: Kysely<DB>, ctx: ScoringContext, id: string, input: DisputeRequest): Promise<EvaluationDetail> {
  const p = ctx.principal;
  await db.transaction().execute(async (trx) => {
    const row = await respondable(trx, p, id);
    const known = new Set(row.definition.sections.flatMap((s) => s.questions.map((q) => q.id)));
    const issues = (input.questions ?? [])
      .map((q, i) => ({ q, i }))
      .filter(({ q }) => !known.has(q.questionId))
      .map(({ q, i }) => ({ path: `questions.${i}.questionId`, message: `no question "${q.questionId}" on this evaluation's scorecard` }));
    rejectIssues('The dispute names questions that are not on the scorecard', issues);
    const scope = await evaluationScope(trx, row);
    const reviewerId = await chooseReviewer(trx, row, scope);
    const dispute = await trx
      .insertInto('disputes')
      .values({ evaluation_id: id, raised_by: p.userId, reason: input.reason?.trim() || null, questions: JSON.stringify(input.questions ?? []), reviewer_id: reviewerId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('evaluations').set({ state: 'disputed', updated_at: new Date() }).where('id', '=', id).execute();
    await addEvent(trx, id, p.userId, 'disputed', { disputeId: dispute.id, reason: input.reason ?? null, questions: input.questions ?? [], reviewerId });
    if (reviewerId) {
      const n = input.questions?.length ?? 0;
      await notify(trx, {
        userId: reviewerId,
        kind: 'dispute_raised',
        title: `${await displayNameOf(trx, p.userId)} disputed an evaluation: you review it`,
        body: input.reason?.trim() || `${n} question${n === 1 ? '' : 's'} disputed.`,
        link: evaluationLink(row.interaction_id, id),
        evaluationId: id,
      });
    }
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'evaluation.dispute', targetType: 'evaluation', targetId: id, detail: { disputeId: dispute.id, reviewerId, questions: (input.questions ?? []).map((q) => q.questionId) } });
  });
  return getEvaluation(db, ctx, id);
}

export async function resolveDispute(db: Kysely<DB>, ctx: ScoringContext, id: string, input: ResolveDisputeRequest): Promise<EvaluationDetail> {
  const p = ctx.principal;
  await db.transaction().execute(async (trx) => {
    const { row, scope } = await visibleEvaluation(trx, p, id, true);
    if (!mayResolveDispute(p, scope)) {
      throw new Forbidden(
        p.userId === row.evaluator_id
          ? 'You evaluated this interaction, so someone else must decide the dispute.'
          : 'A dispute is decided by a supervisor, QA analyst or admin who may score this interaction, other than the evaluator and the agent.',
      );
    }
    const dispute = await trx.selectFrom('disputes').selectAll().where('evaluation_id', '=', id).executeTakeFirst();
    if (row.state !== 'disputed' || !dispute || dispute.state !== 'open') throw new Conflict('There is no open dispute on this evaluation.');
    let after = row.answers;
    let score = row.score;
    if (input.outcome === 'changed') {
      const changes = input.answers!;
      rejectIssues('Some changed answers do not fit the scorecard', validateAnswers(row.definition, changes, { complete: false, timelineMs: await timelineOf(trx, row.interaction_id) }));
      after = mergeAnswers(row.answers, changes);
      rejectIssues('The changed evaluation is incomplete', validateAnswers(row.definition, after, { complete: true }));
      const changed = Object.keys(changes).filter((q) => JSON.stringify(changes[q]) !== JSON.stringify(row.answers[q]));
      if (!changed.length) throw new InvalidInput('These answers are the ones already given: send outcome "upheld" to keep the evaluation as it is.', [{ path: 'answers', message: 'no change' }]);
      score = scoreAnswers(row.definition, after);
      const before: Answers = Object.fromEntries(changed.map((q) => [q, row.answers[q] ?? {}]));
      await addEvent(trx, id, p.userId, 'answers_changed', {
        disputeId: dispute.id,
        before,
        after: Object.fromEntries(changed.map((q) => [q, after[q]])),
        percentBefore: row.percent,
        percentAfter: score.percent,
      });
    }
    const now = new Date();
    await trx
      .updateTable('evaluations')
      .set({ state: 'resolved', answers: answersJson(after), ...scoreColumns(score), updated_at: now, revision: row.revision + 1 })
      .where('id', '=', id)
      .execute();
    await trx.updateTable('disputes').set({ state: input.outcome, resolved_by: p.userId, resolution: input.comment, resolved_at: now }).where('id', '=', dispute.id).execute();
    await addEvent(trx, id, p.userId, input.outcome === 'upheld' ? 'dispute_upheld' : 'dispute_changed', { disputeId: dispute.id, comment: input.comment, percent: score.percent });
    await notify(trx, {
      userId: row.agent_id,
      kind: 'dispute_resolved',
      title: input.outcome === 'upheld' ? `Your dispute was decided: the evaluation stands at ${score.percent}%` : `Your dispute was decided: answers changed, now ${score.percent}%`,
      body: input.comment,
      link: evaluationLink(row.interaction_id, id),
      evaluationId: id,
    });
    await audit(trx, {
      actorId: p.userId,
      ip: ctx.ip,
      action: 'evaluation.resolve_dispute',
      targetType: 'evaluation',
      targetId: id,
      detail: { disputeId: dispute.id, outcome: input.outcome, percentBefore: row.percent, percentAfter: score.percent },
    });
  });
  return getEvaluation(db, ctx, id);
}

/**
 * One evaluation with its scorecard version, history and dispute. The agent opening their own
 * submitted evaluation for the first time marks it seen (recorded in its history).
 */
export async function getEvaluation(db: Kysely<DB>, ctx: ScoringContext, id: string): Promise<EvaluationDetail> {
  const p = ctx.principal;
  let { row } = await visibleEvaluation(db, p, id);
  if (row.agent_id === p.userId && row.evaluator_id !== p.userId && row.kind === 'supervisor' && !row.agent_seen_at) {
    await db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('evaluations').set({ agent_seen_at: new Date() }).where('id', '=', id).where('agent_seen_at', 'is', null).executeTakeFirst();
      if (r.numUpdatedRows) await addEvent(trx, id, p.userId, 'seen_by_agent');
    });
    row = (await loadEvaluation(db, id))!;
  }
  const [events, dispute] = await Promise.all([
    db.selectFrom('evaluation_events').selectAll().where('evaluation_id', '=', id).orderBy('id').execute(),
    db.selectFrom('disputes').selectAll().where('evaluation_id', '=', id).executeTakeFirst(),
  ]);
  const ids = new Set([row.agent_id, row.evaluator_id, ...events.map((e) => e.actor_id), dispute?.reviewer_id, dispute?.resolved_by].filter((x): x is string => Boolean(x)));
  const users = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...ids]).execute();
  return {
    ...toEvaluation(row),
    definition: row.definition,
    history: events.map((e) => ({ at: e.at.toISOString(), actorId: e.actor_id, kind: e.kind, detail: e.detail })),
    dispute: dispute ? toDispute(dispute) : null,
    people: Object.fromEntries(users.map((u) => [u.id, u.display_name])),
  };
}

/** Where a notification about an evaluation opens it: the player, with the evaluation beside it. */
const evaluationLink = (interactionId: string, evaluationId: string) => `/interactions/${interactionId}?evaluation=${evaluationId}`;

function toDispute(d: {
  id: string;
  state: 'open' | 'upheld' | 'changed';
  raised_by: string;
  reason: string | null;
  questions: { questionId: string; reason: string }[];
  reviewer_id: string | null;
  resolved_by: string | null;
  resolution: string | null;
  created_at: Date;
  resolved_at: Date | null;
}): Dispute {
  return {
    id: d.id,
    state: d.state,
    raisedBy: d.raised_by,
    reason: d.reason,
    questions: d.questions,
    reviewerId: d.reviewer_id,
    resolvedBy: d.resolved_by,
    resolution: d.resolution,
    createdAt: d.created_at.toISOString(),
    resolvedAt: iso(d.resolved_at),
  };
}

/**
 * Evaluations `p` may see, newest first. The SQL narrows to the user's own work, their own
 * interactions and their teams; `mayViewEvaluation` then decides each row, so listing and
 * detail can never disagree. Calibration evaluations are listed to their evaluator only (the
 * session shows the rest after the reveal).
 */
export async function listEvaluations(db: Kysely<DB>, p: Principal, q: EvaluationListQuery): Promise<EvaluationListItem[]> {
  let query = evaluationQuery(db).orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(q.limit);
  if (!isAdmin(p)) {
    const teams = visibleTeamIds(p) ?? [];
    query = query.where((eb) =>
      eb.or([
        eb('e.evaluator_id', '=', p.userId),
        eb('e.agent_id', '=', p.userId),
        ...(teams.length ? [eb('e.team_id', 'in', teams)] : []),
        eb.exists(eb.selectFrom('disputes as d').select('d.id').whereRef('d.evaluation_id', '=', 'e.id').where('d.reviewer_id', '=', p.userId)),
      ]),
    );
  }
  if (q.interactionId) query = query.where('e.interaction_id', '=', q.interactionId);
  if (q.agentId) query = query.where('e.agent_id', '=', q.agentId);
  if (q.evaluatorId) query = query.where('e.evaluator_id', '=', q.evaluatorId);
  if (q.kind) query = query.where('e.kind', '=', q.kind);
  if (q.state) query = query.where('e.state', '=', q.state);
  const rows = (await query.execute()) as EvaluationRow[];
  const out: Evaluation[] = [];
  for (const row of rows) {
    if (row.kind === 'calibration' && row.evaluator_id !== p.userId) continue;
    if (mayViewEvaluation(p, await evaluationScope(db, row))) out.push(toEvaluation(row));
  }
  return withListNames(db, out);
}

/** The names and call each row is recognised by, in two queries for the whole page. */
async function withListNames(db: Kysely<DB>, list: Evaluation[]): Promise<EvaluationListItem[]> {
  if (!list.length) return [];
  const userIds = [...new Set(list.flatMap((e) => [e.agentId, e.evaluatorId]))];
  const [users, calls] = await Promise.all([
    db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', userIds).execute(),
    db.selectFrom('interactions').select(['id', 'call_id', 'started_at']).where('id', 'in', [...new Set(list.map((e) => e.interactionId))]).execute(),
  ]);
  const name = new Map(users.map((u) => [u.id, u.display_name]));
  const call = new Map(calls.map((c) => [c.id, c]));
  return list.map((e) => ({
    ...e,
    agentName: name.get(e.agentId) ?? 'A former user',
    evaluatorName: name.get(e.evaluatorId) ?? 'A former user',
    callId: call.get(e.interactionId)?.call_id ?? null,
    interactionStartedAt: call.get(e.interactionId)?.started_at.toISOString() ?? e.createdAt,
  }));
}

/**
 * The agent's self-evaluation beside the supervisor's (the latest submitted one the user may
 * see), question by question. Questions are matched by id, so versions that share questions
 * compare; a question only one side had shows with the other side null.
 */
export async function compareSelfEvaluation(db: Kysely<DB>, ctx: ScoringContext, interactionId: string): Promise<EvaluationComparison> {
  const p = ctx.principal;
  await visibleInteraction(db, p, interactionId);
  const rows = (await evaluationQuery(db)
    .where('e.interaction_id', '=', interactionId)
    .where('e.kind', 'in', ['self', 'supervisor'])
    .where('e.state', '!=', 'draft')
    .orderBy('e.submitted_at', 'desc')
    .execute()) as EvaluationRow[];
  const visible: EvaluationRow[] = [];
  for (const r of rows) if (mayViewEvaluation(p, await evaluationScope(db, r))) visible.push(r);
  const self = visible.find((r) => r.kind === 'self') ?? null;
  const sup = visible.find((r) => r.kind === 'supervisor') ?? null;
  const questions: EvaluationComparison['questions'] = [];
  const seen = new Set<string>();
  for (const def of [sup?.definition, self?.definition]) {
    for (const s of def?.sections ?? []) {
      for (const q of s.questions) {
        if (seen.has(q.id)) continue;
        seen.add(q.id);
        const fraction = (r: EvaluationRow | null) => {
          const a = r?.answers[q.id];
          const question = r?.definition.sections.flatMap((x) => x.questions).find((x) => x.id === q.id);
          return a && question && !a.na && a.value !== undefined && a.value !== null ? fractionOf(question, a.value) : null;
        };
        const sa = self?.answers[q.id] ?? null;
        const pa = sup?.answers[q.id] ?? null;
        const sf = fraction(self);
        const pf = fraction(sup);
        questions.push({
          questionId: q.id,
          question: q.text,
          self: sa,
          supervisor: pa,
          selfFraction: sf,
          supervisorFraction: pf,
          differs: !!self && !!sup && (sf !== pf || !!sa?.na !== !!pa?.na),
        });
      }
    }
  }
  const sp = self?.percent ?? null;
  const pp = sup?.percent ?? null;
  return {
    interactionId,
    self: self && toEvaluation(self),
    supervisor: sup && toEvaluation(sup),
    questions,
    totalDifference: sp !== null && pp !== null ? Math.round((sp - pp) * 10) / 10 : null,
  };
}
