import type { Kysely } from 'kysely';
import type {
  Answer,
  Answers,
  CalibrationHistory,
  CalibrationSessionSummary,
  CalibrationSessionView,
  CreateCalibrationRequest,
  Evaluation,
  ScorecardDefinition,
  SetReferenceRequest,
} from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { isAdmin, mayEvaluate, type Principal } from '../auth/authorization.js';
import { loadPrincipal } from '../auth/principal.js';
import type { DB } from '../db/schema.js';
import { Conflict, Forbidden, NotFound } from '../errors.js';
import { addEvent, evaluationQuery, iso, rejectIssues, scoreColumns, toEvaluation, visibleInteraction, type EvaluationRow, type ScoringContext } from './common.js';
import { currentVersion } from './scorecards.js';
import { fractionOf, round, scoreAnswers, validateAnswers } from './score.js';

/**
 * Calibration: several evaluators score the same interaction blind, then compare.
 *
 * - Blind: until the reveal, each participant sees only their own evaluation and who has
 *   submitted; nobody (the owner and admins included) sees anyone's answers or the reference.
 * - Reveal: automatically when the last participant submits, or when the owner closes the
 *   session; drafts left then are excluded, and late scores are refused.
 * - Agreement per question: the share of evaluators who gave the most common answer (N/A counts
 *   as an answer). Spread of totals: min, max, range, mean and population standard deviation.
 * - Distance to the reference (the owner's answers): per question |fraction − reference
 *   fraction|, 1 when exactly one side is N/A, 0 when both are; averaged over the questions and
 *   shown ×100, so 0 is perfect agreement and 100 the opposite answer everywhere. The total's
 *   difference (evaluator − reference percent) is shown beside it.
 * - Calibration evaluations never count as evaluations of the agent (fairness, analytics).
 */

type SessionRow = {
  id: string;
  title: string;
  interaction_id: string;
  scorecard_version_id: string;
  owner_id: string;
  state: 'open' | 'revealed';
  reference_answers: Answers | null;
  reference_comment: string | null;
  due_at: Date | null;
  created_at: Date;
  revealed_at: Date | null;
};

async function loadSession(db: Kysely<DB>, id: string, lock = false) {
  if (lock) await db.selectFrom('calibration_sessions').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  const s = (await db.selectFrom('calibration_sessions').selectAll().where('id', '=', id).executeTakeFirst()) as SessionRow | undefined;
  if (!s) return undefined;
  const [participants, version] = await Promise.all([
    db.selectFrom('calibration_participants as cp').innerJoin('users as u', 'u.id', 'cp.user_id').select(['cp.user_id', 'u.display_name']).where('cp.session_id', '=', id).orderBy('u.display_name').execute(),
    db.selectFrom('scorecard_versions').select(['scorecard_id', 'version', 'definition']).where('id', '=', s.scorecard_version_id).executeTakeFirstOrThrow(),
  ]);
  return { ...s, participants, version };
}

/** Sessions are visible to their owner, their participants and admins; to anyone else they do not exist. */
async function visibleSession(db: Kysely<DB>, p: Principal, id: string, lock = false) {
  const s = await loadSession(db, id, lock);
  if (!s || !(isAdmin(p) || s.owner_id === p.userId || s.participants.some((x) => x.user_id === p.userId))) throw new NotFound('Calibration session');
  return s;
}

const mayRun = (p: Principal) => p.roles.some((r) => r === 'admin' || r === 'qa' || r === 'supervisor');

export async function createCalibration(db: Kysely<DB>, ctx: ScoringContext, input: CreateCalibrationRequest): Promise<CalibrationSessionView> {
  const p = ctx.principal;
  if (!mayRun(p)) throw new Forbidden('Calibration sessions are run by supervisors, QA analysts and admins.');
  const id = await db.transaction().execute(async (trx) => {
    const interaction = await visibleInteraction(trx, p, input.interactionId);
    if (!mayEvaluate(p, interaction, 'calibration')) throw new Forbidden('You may view this interaction but not score it, so you cannot run a calibration on it.');
    const ids = [...new Set(input.evaluatorIds)];
    const issues: { path: string; message: string }[] = [];
    for (const [i, userId] of input.evaluatorIds.entries()) {
      const user = await trx.selectFrom('users').select(['display_name', 'disabled']).where('id', '=', userId).executeTakeFirst();
      if (!user || user.disabled) issues.push({ path: `evaluatorIds.${i}`, message: 'no such active user' });
      else if (!mayEvaluate(await loadPrincipal(trx, userId), interaction, 'calibration')) issues.push({ path: `evaluatorIds.${i}`, message: `${user.display_name} may not score this interaction` });
    }
    if (ids.length < 2) issues.push({ path: 'evaluatorIds', message: 'name at least two different evaluators' });
    rejectIssues('Some evaluators cannot take part', issues);
    const version = await currentVersion(trx, input.scorecardId);
    const s = await trx
      .insertInto('calibration_sessions')
      .values({ title: input.title, interaction_id: interaction.id, scorecard_version_id: version.id, owner_id: p.userId, due_at: input.dueAt ? new Date(input.dueAt) : null, reference_answers: null, reference_comment: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('calibration_participants').values(ids.map((user_id) => ({ session_id: s.id, user_id }))).execute();
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'calibration.create', targetType: 'calibration_session', targetId: s.id, detail: { interactionId: interaction.id, evaluatorIds: ids, scorecardVersionId: version.id } });
    return s.id;
  });
  return getCalibration(db, ctx, id);
}

/** A participant's own blind evaluation in the session (created on first call). */
export async function startCalibrationEvaluation(db: Kysely<DB>, ctx: ScoringContext, sessionId: string): Promise<{ evaluation: Evaluation; created: boolean }> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    const s = await visibleSession(trx, p, sessionId, true);
    if (!s.participants.some((x) => x.user_id === p.userId)) throw new Forbidden('Only the evaluators invited to this session score in it.');
    const existing = await evaluationQuery(trx).where('e.calibration_session_id', '=', sessionId).where('e.evaluator_id', '=', p.userId).executeTakeFirst();
    if (existing) return { evaluation: toEvaluation(existing as EvaluationRow), created: false };
    if (s.state !== 'open') throw new Conflict('This calibration session has been revealed: scores can no longer be added.');
    const interaction = await trx.selectFrom('interactions').select(['agent_id', 'team_id']).where('id', '=', s.interaction_id).executeTakeFirstOrThrow();
    const row = await trx
      .insertInto('evaluations')
      .values({
        interaction_id: s.interaction_id,
        agent_id: interaction.agent_id,
        team_id: interaction.team_id,
        evaluator_id: p.userId,
        scorecard_version_id: s.scorecard_version_id,
        kind: 'calibration',
        state: 'draft',
        answers: '{}',
        comment: null,
        ...scoreColumns(scoreAnswers(s.version.definition, {})),
        assignment_id: null,
        calibration_session_id: sessionId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addEvent(trx, row.id, p.userId, 'created', { calibrationSessionId: sessionId });
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'evaluation.start', targetType: 'evaluation', targetId: row.id, detail: { calibrationSessionId: sessionId, kind: 'calibration' } });
    return { evaluation: toEvaluation((await evaluationQuery(trx).where('e.id', '=', row.id).executeTakeFirstOrThrow()) as EvaluationRow), created: true };
  });
}

function assertOwner(p: Principal, s: { owner_id: string }): void {
  if (s.owner_id !== p.userId && !isAdmin(p)) throw new Forbidden('Only the owner of the calibration session (or an admin) may do this.');
}

/** The owner's reference answers: what the session agrees is right. Hidden from participants until the reveal. */
export async function setCalibrationReference(db: Kysely<DB>, ctx: ScoringContext, sessionId: string, input: SetReferenceRequest): Promise<CalibrationSessionView> {
  const p = ctx.principal;
  await db.transaction().execute(async (trx) => {
    const s = await visibleSession(trx, p, sessionId, true);
    assertOwner(p, s);
    rejectIssues('The reference does not fit the scorecard', validateAnswers(s.version.definition, input.answers, { complete: true }));
    await trx
      .updateTable('calibration_sessions')
      .set({ reference_answers: JSON.stringify(input.answers), reference_comment: input.comment ?? null })
      .where('id', '=', sessionId)
      .execute();
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'calibration.set_reference', targetType: 'calibration_session', targetId: sessionId, detail: { percent: scoreAnswers(s.version.definition, input.answers).percent } });
  });
  return getCalibration(db, ctx, sessionId);
}

/** The owner closes the session: whoever has not submitted is left out. */
export async function revealCalibration(db: Kysely<DB>, ctx: ScoringContext, sessionId: string): Promise<CalibrationSessionView> {
  const p = ctx.principal;
  await db.transaction().execute(async (trx) => {
    const s = await visibleSession(trx, p, sessionId, true);
    assertOwner(p, s);
    if (s.state !== 'open') throw new Conflict('This calibration session is revealed already.');
    const submitted = await trx.selectFrom('evaluations').select('id').where('calibration_session_id', '=', sessionId).where('state', '=', 'submitted').execute();
    if (submitted.length === 0) throw new Conflict('Nobody has submitted a score yet: there is nothing to reveal.');
    await markRevealed(trx, sessionId, p.userId, ctx.ip ?? null, 'closed_by_owner');
  });
  return getCalibration(db, ctx, sessionId);
}

async function markRevealed(trx: Kysely<DB>, sessionId: string, actorId: string, ip: string | null, why: string): Promise<void> {
  await trx.updateTable('calibration_sessions').set({ state: 'revealed', revealed_at: new Date() }).where('id', '=', sessionId).execute();
  await audit(trx, { actorId, ip, action: 'calibration.reveal', targetType: 'calibration_session', targetId: sessionId, detail: { why } });
}

/** Called in the submitting transaction: the last participant's submission reveals the session. */
export async function revealIfComplete(trx: Kysely<DB>, sessionId: string, actorId: string, ip: string | null): Promise<void> {
  const s = await trx.selectFrom('calibration_sessions').select('state').where('id', '=', sessionId).forUpdate().executeTakeFirstOrThrow();
  if (s.state !== 'open') return;
  const [participants, submitted] = await Promise.all([
    trx.selectFrom('calibration_participants').select('user_id').where('session_id', '=', sessionId).execute(),
    trx.selectFrom('evaluations').select('evaluator_id').where('calibration_session_id', '=', sessionId).where('state', '=', 'submitted').execute(),
  ]);
  const done = new Set(submitted.map((x) => x.evaluator_id));
  if (participants.every((x) => done.has(x.user_id))) await markRevealed(trx, sessionId, actorId, ip, 'all_submitted');
}

const answerKey = (a: Answer | undefined) => (a?.na ? 'N/A' : a?.value === undefined || a.value === null ? '' : JSON.stringify(a.value));

function questionFraction(def: ScorecardDefinition, questionId: string, a: Answer | undefined): number | null {
  const q = def.sections.flatMap((s) => s.questions).find((x) => x.id === questionId);
  if (!q || !a || a.na || a.value === undefined || a.value === null) return null;
  return fractionOf(q, a.value);
}

/** Mean distance to the reference, ×100 (see the module comment); null without a reference. */
export function distanceToReference(def: ScorecardDefinition, answers: Answers, reference: Answers | null): number | null {
  if (!reference) return null;
  const ids = def.sections.flatMap((s) => s.questions.map((q) => q.id));
  let sum = 0;
  for (const id of ids) {
    const a = answers[id];
    const r = reference[id];
    if (!!a?.na !== !!r?.na) sum += 1;
    else if (!a?.na) sum += Math.abs((questionFraction(def, id, a) ?? 0) - (questionFraction(def, id, r) ?? 0));
  }
  return ids.length ? round((sum / ids.length) * 100, 1) : null;
}

export function spreadOf(values: number[]) {
  if (!values.length) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { min, max, range: round(max - min, 1), mean: round(mean, 1), stdDev: round(sd, 1) };
}

/**
 * The session as `p` may see it. Open: participants and who has submitted, `p`'s own evaluation
 * id; the owner also sees the reference they set. Revealed: every submitted score, agreement per
 * question, the spread of totals and each evaluator's distance to the reference.
 */
export async function getCalibration(db: Kysely<DB>, ctx: ScoringContext, sessionId: string): Promise<CalibrationSessionView> {
  const p = ctx.principal;
  const s = await visibleSession(db, p, sessionId);
  const evaluations = (await evaluationQuery(db).where('e.calibration_session_id', '=', sessionId).execute()) as EvaluationRow[];
  const def = s.version.definition;
  const mine = evaluations.find((e) => e.evaluator_id === p.userId);
  const base = {
    id: s.id,
    title: s.title,
    interactionId: s.interaction_id,
    scorecardId: s.version.scorecard_id,
    scorecardVersion: s.version.version,
    ownerId: s.owner_id,
    state: s.state,
    dueAt: iso(s.due_at),
    createdAt: s.created_at.toISOString(),
    revealedAt: iso(s.revealed_at),
    myEvaluationId: mine?.id ?? null,
    participants: s.participants.map((x) => ({
      userId: x.user_id,
      name: x.display_name,
      submitted: evaluations.some((e) => e.evaluator_id === x.user_id && e.state === 'submitted'),
    })),
  };
  // An admin who also scores in the session stays blind like every other participant.
  const ownerView = s.owner_id === p.userId || (isAdmin(p) && !s.participants.some((x) => x.user_id === p.userId));
  if (s.state === 'open') {
    return { ...base, reference: ownerView ? s.reference_answers : null, results: null };
  }
  const submitted = evaluations.filter((e) => e.state === 'submitted');
  const ref = s.reference_answers;
  const refScore = ref ? scoreAnswers(def, ref) : null;
  const names = new Map(s.participants.map((x) => [x.user_id, x.display_name]));
  const questions = def.sections.flatMap((sec) =>
    sec.questions.map((q) => {
      const counts = new Map<string, number>();
      for (const e of submitted) counts.set(answerKey(e.answers[q.id]), (counts.get(answerKey(e.answers[q.id])) ?? 0) + 1);
      const top = Math.max(0, ...counts.values());
      const fractions = submitted.map((e) => questionFraction(def, q.id, e.answers[q.id])).filter((f): f is number => f !== null);
      return {
        questionId: q.id,
        question: q.text,
        sectionId: sec.id,
        answers: submitted.map((e) => ({ evaluatorId: e.evaluator_id, answer: e.answers[q.id] ?? null })),
        reference: ref?.[q.id] ?? null,
        /** share (0..1) of evaluators who gave the most common answer */
        agreement: submitted.length ? round(top / submitted.length, 3) : null,
        /** spread of the answers' fractions ×100 (max − min) */
        spread: fractions.length ? round((Math.max(...fractions) - Math.min(...fractions)) * 100, 1) : null,
        matchesReference: ref ? submitted.filter((e) => answerKey(e.answers[q.id]) === answerKey(ref[q.id])).length : null,
      };
    }),
  );
  const totals = submitted.map((e) => e.percent).filter((x): x is number => x !== null);
  return {
    ...base,
    reference: ref,
    results: {
      referencePercent: refScore?.percent ?? null,
      evaluators: submitted.map((e) => ({
        evaluatorId: e.evaluator_id,
        name: names.get(e.evaluator_id) ?? null,
        evaluationId: e.id,
        percent: e.percent,
        criticalFailed: e.critical_failed,
        distanceToReference: distanceToReference(def, e.answers, ref),
        differenceToReference: refScore?.percent != null && e.percent !== null ? round(e.percent - refScore.percent, 1) : null,
      })),
      notSubmitted: s.participants.filter((x) => !submitted.some((e) => e.evaluator_id === x.user_id)).map((x) => x.user_id),
      totals: spreadOf(totals),
      meanAgreement: questions.length && submitted.length ? round(questions.reduce((a, q) => a + (q.agreement ?? 0), 0) / questions.length, 3) : null,
      questions,
    },
  };
}

export async function listCalibrations(db: Kysely<DB>, p: Principal): Promise<CalibrationSessionSummary[]> {
  let q = db.selectFrom('calibration_sessions as s').select(['s.id', 's.title', 's.interaction_id', 's.owner_id', 's.state', 's.due_at', 's.created_at', 's.revealed_at']).orderBy('s.created_at', 'desc').limit(200);
  if (!isAdmin(p)) {
    q = q.where((eb) =>
      eb.or([eb('s.owner_id', '=', p.userId), eb.exists(eb.selectFrom('calibration_participants as cp').select('cp.user_id').whereRef('cp.session_id', '=', 's.id').where('cp.user_id', '=', p.userId))]),
    );
  }
  return (await q.execute()).map((s) => ({
    id: s.id,
    title: s.title,
    interactionId: s.interaction_id,
    ownerId: s.owner_id,
    state: s.state,
    dueAt: iso(s.due_at),
    createdAt: s.created_at.toISOString(),
    revealedAt: iso(s.revealed_at),
  }));
}

/**
 * An evaluator's calibration record over time: each revealed session they scored, with their
 * total, the reference total and their distance to the reference. Visible to the evaluator,
 * admins and QA analysts (who run calibration as a practice).
 */
export async function calibrationHistory(db: Kysely<DB>, p: Principal, evaluatorId: string): Promise<CalibrationHistory> {
  if (p.userId !== evaluatorId && !p.roles.some((r) => r === 'admin' || r === 'qa')) throw new Forbidden("An evaluator's calibration history is for them, QA analysts and admins.");
  const rows = (await evaluationQuery(db)
    .innerJoin('calibration_sessions as s', 's.id', 'e.calibration_session_id')
    .select(['s.title', 's.revealed_at', 's.reference_answers'])
    .where('e.evaluator_id', '=', evaluatorId)
    .where('e.kind', '=', 'calibration')
    .where('e.state', '=', 'submitted')
    .where('s.state', '=', 'revealed')
    .orderBy('s.revealed_at')
    .execute()) as (EvaluationRow & { title: string; revealed_at: Date | null; reference_answers: Answers | null })[];
  if (!rows.length && !(await db.selectFrom('users').select('id').where('id', '=', evaluatorId).executeTakeFirst())) throw new NotFound('User');
  const sessions = rows.map((r) => {
    const refPercent = r.reference_answers ? scoreAnswers(r.definition, r.reference_answers).percent : null;
    return {
      sessionId: r.calibration_session_id!,
      title: r.title,
      revealedAt: iso(r.revealed_at),
      percent: r.percent,
      referencePercent: refPercent,
      differenceToReference: refPercent !== null && r.percent !== null ? round(r.percent - refPercent, 1) : null,
      distanceToReference: distanceToReference(r.definition, r.answers, r.reference_answers),
    };
  });
  const distances = sessions.map((x) => x.distanceToReference).filter((x): x is number => x !== null);
  return { evaluatorId, sessions, meanDistance: distances.length ? round(distances.reduce((a, b) => a + b, 0) / distances.length, 1) : null };
}
