import type { Kysely, Selectable } from 'kysely';
import type { Answers, Evaluation, ScorecardDefinition, ScoreResult } from '@duet/protocol';
import { mayAccessInteraction, type EvaluationScope, type InteractionScope, type Principal } from '../auth/authorization.js';
import type { DB, EvaluationsTable } from '../db/schema.js';
import { InvalidInput, NotFound } from '../errors.js';
import type { AnswerIssue } from './score.js';

/** Who is acting, for authorization and the audit log. */
export interface ScoringContext {
  principal: Principal;
  ip?: string | null;
}

export type EvaluationRow = Selectable<EvaluationsTable> & { scorecard_id: string; version: number; definition: ScorecardDefinition };

/** An evaluation with the scorecard version it was made with. */
export function evaluationQuery(db: Kysely<DB>) {
  return db
    .selectFrom('evaluations as e')
    .innerJoin('scorecard_versions as v', 'v.id', 'e.scorecard_version_id')
    .selectAll('e')
    .select(['v.scorecard_id', 'v.version', 'v.definition']);
}

export async function loadEvaluation(db: Kysely<DB>, id: string, lock = false): Promise<EvaluationRow | undefined> {
  // Lock the evaluation row only (not the immutable version): state changes serialise on it.
  if (lock) await db.selectFrom('evaluations').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  return (await evaluationQuery(db).where('e.id', '=', id).executeTakeFirst()) as EvaluationRow | undefined;
}

/** Everything `mayViewEvaluation` and friends need, loaded for one evaluation. */
export async function evaluationScope(db: Kysely<DB>, e: EvaluationRow): Promise<EvaluationScope> {
  const scope: EvaluationScope = { kind: e.kind, state: e.state, agentId: e.agent_id, teamId: e.team_id, evaluatorId: e.evaluator_id };
  if (e.calibration_session_id) {
    const [session, participants] = await Promise.all([
      db.selectFrom('calibration_sessions').select(['owner_id', 'state']).where('id', '=', e.calibration_session_id).executeTakeFirstOrThrow(),
      db.selectFrom('calibration_participants').select('user_id').where('session_id', '=', e.calibration_session_id).execute(),
    ]);
    scope.calibration = { ownerId: session.owner_id, revealed: session.state === 'revealed', participantIds: participants.map((x) => x.user_id) };
  }
  const dispute = await db.selectFrom('disputes').select('reviewer_id').where('evaluation_id', '=', e.id).executeTakeFirst();
  if (dispute) scope.reviewerId = dispute.reviewer_id;
  return scope;
}

export const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toEvaluation(e: EvaluationRow): Evaluation {
  return {
    id: e.id,
    interactionId: e.interaction_id,
    agentId: e.agent_id,
    evaluatorId: e.evaluator_id,
    kind: e.kind,
    state: e.state,
    scorecardId: e.scorecard_id,
    scorecardVersion: e.version,
    answers: e.answers,
    comment: e.comment,
    score: e.score,
    revision: e.revision,
    assignmentId: e.assignment_id,
    calibrationSessionId: e.calibration_session_id,
    createdAt: e.created_at.toISOString(),
    submittedAt: iso(e.submitted_at),
    agentSeenAt: iso(e.agent_seen_at),
  };
}

export interface InteractionInfo extends InteractionScope {
  id: string;
  status: string;
  timelineMs: number | null;
  startedAt: Date;
  endedAt: Date | null;
}

/**
 * The interaction as authorization sees it. One the user may not view is "not found", so nobody
 * learns that it exists (the same answer as the interactions API).
 */
export async function visibleInteraction(db: Kysely<DB>, p: Principal, id: string): Promise<InteractionInfo> {
  const row = await db
    .selectFrom('interactions')
    .select(['id', 'agent_id', 'team_id', 'status', 'timeline_ms', 'started_at', 'ended_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  const info = row && { id: row.id, agentId: row.agent_id, teamId: row.team_id, curated: false, status: row.status, timelineMs: row.timeline_ms, startedAt: row.started_at, endedAt: row.ended_at };
  if (!info || !mayAccessInteraction(p, info, 'view')) throw new NotFound('Interaction');
  return info;
}

export function rejectIssues(what: string, issues: AnswerIssue[]): void {
  if (issues.length) throw new InvalidInput(`${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`, issues);
}

/** Stored scores keep their queryable columns in step with the JSON. */
export const scoreColumns = (score: ScoreResult) => ({ score: JSON.stringify(score), percent: score.percent, critical_failed: score.criticalFailed });
export const answersJson = (a: Answers) => JSON.stringify(a);

export async function addEvent(db: Kysely<DB>, evaluationId: string, actorId: string | null, kind: string, detail: Record<string, unknown> = {}): Promise<void> {
  await db.insertInto('evaluation_events').values({ evaluation_id: evaluationId, actor_id: actorId, kind, detail: JSON.stringify(detail) }).execute();
}

/**
 * Runs `work` again once if it lost a race on a unique index (PostgreSQL code 23505): two tabs
 * starting the same evaluation at once both pass the "exists?" check, one insert fails, and the
 * retry finds the row the other made. The failed attempt's transaction has rolled back entirely.
 */
export async function retryOnUniqueViolation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return work();
    throw err;
  }
}
