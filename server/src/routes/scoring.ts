import { Router, type Request } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  AcknowledgeRequest,
  CreateCalibrationRequest,
  CreateSamplingPlanRequest,
  CreateScorecardRequest,
  DisputeRequest,
  EvaluationListQuery,
  EvaluatorsQuery,
  FairnessQuery,
  ResolveDisputeRequest,
  RunSamplingPlanRequest,
  SaveDraftRequest,
  SetReferenceRequest,
  StartEvaluationRequest,
  SubmitEvaluationRequest,
  UpdateSamplingPlanRequest,
  UpdateScorecardRequest,
  PeriodKey,
  ReassignRequest,
} from '@duet/protocol';
import {
  acknowledgeEvaluation,
  addExampleScorecard,
  calibrationHistory,
  compareSelfEvaluation,
  createCalibration,
  createSamplingPlan,
  createScorecard,
  disputeEvaluation,
  fairness,
  getCalibration,
  getEvaluation,
  getScorecard,
  listAssignments,
  listCalibrations,
  listEvaluations,
  listEvaluators,
  listSamplingPlans,
  listScorecards,
  myQueue,
  publishScorecard,
  reassignAssignment,
  resolveDispute,
  revealCalibration,
  runSamplingPlanNow,
  saveDraft,
  setCalibrationReference,
  setScorecardStatus,
  startCalibrationEvaluation,
  startEvaluation,
  submitEvaluation,
  updateSamplingPlan,
  updateScorecard,
  type DB,
  type ScoringContext,
} from '@duet/core';
import { requireAuth } from '../http/auth-context.js';
import { parseInput } from '../http/errors.js';
import { clientIp } from './auth.js';

const IdParam = z.object({ id: z.uuid('must be a UUID') });
const InteractionParam = z.object({ interactionId: z.uuid('must be a UUID') });
const ListScorecardsQuery = z.object({ includeArchived: z.enum(['true', 'false']).optional() });
const AssignmentsQuery = z.object({ period: PeriodKey.optional() });

const ctxOf = (req: Request): ScoringContext => ({ principal: requireAuth(req).principal, ip: clientIp(req) });
const idOf = (req: Request) => parseInput(IdParam, req.params, 'path').id;

/**
 * Quality scoring under /api/scoring. Every rule about who may do what lives in core (the
 * authorization module); this router only parses input and maps results. Evaluations and
 * interactions one may not see answer 404, never 403, so their existence does not leak.
 */
export function scoringRouter(db: Kysely<DB>): Router {
  const router = Router();

  // ── scorecards
  router.get('/scoring/scorecards', async (req, res) => {
    requireAuth(req);
    const q = parseInput(ListScorecardsQuery, req.query, 'query');
    res.json({ scorecards: await listScorecards(db, { includeArchived: q.includeArchived === 'true' }) });
  });
  router.post('/scoring/scorecards', async (req, res) => {
    res.status(201).json(await createScorecard(db, ctxOf(req), parseInput(CreateScorecardRequest, req.body)));
  });
  router.post('/scoring/scorecards/examples/be-sure', async (req, res) => {
    const r = await addExampleScorecard(db, ctxOf(req));
    res.status(r.created ? 201 : 200).json(r.scorecard);
  });
  router.get('/scoring/scorecards/:id', async (req, res) => {
    requireAuth(req);
    res.json(await getScorecard(db, idOf(req)));
  });
  router.put('/scoring/scorecards/:id', async (req, res) => {
    res.json(await updateScorecard(db, ctxOf(req), idOf(req), parseInput(UpdateScorecardRequest, req.body)));
  });
  router.post('/scoring/scorecards/:id/publish', async (req, res) => {
    res.json(await publishScorecard(db, ctxOf(req), idOf(req)));
  });
  router.post('/scoring/scorecards/:id/archive', async (req, res) => {
    res.json(await setScorecardStatus(db, ctxOf(req), idOf(req), 'archived'));
  });
  router.post('/scoring/scorecards/:id/restore', async (req, res) => {
    res.json(await setScorecardStatus(db, ctxOf(req), idOf(req), 'active'));
  });

  // ── evaluations
  router.get('/scoring/evaluations', async (req, res) => {
    const ctx = ctxOf(req);
    res.json({ evaluations: await listEvaluations(db, ctx.principal, parseInput(EvaluationListQuery, req.query, 'query')) });
  });
  router.post('/scoring/evaluations', async (req, res) => {
    const r = await startEvaluation(db, ctxOf(req), parseInput(StartEvaluationRequest, req.body));
    res.status(r.created ? 201 : 200).json(r.evaluation);
  });
  router.get('/scoring/evaluations/:id', async (req, res) => {
    res.json(await getEvaluation(db, ctxOf(req), idOf(req)));
  });
  router.put('/scoring/evaluations/:id/draft', async (req, res) => {
    res.json(await saveDraft(db, ctxOf(req), idOf(req), parseInput(SaveDraftRequest, req.body)));
  });
  router.post('/scoring/evaluations/:id/submit', async (req, res) => {
    res.json(await submitEvaluation(db, ctxOf(req), idOf(req), parseInput(SubmitEvaluationRequest, req.body ?? {})));
  });
  router.post('/scoring/evaluations/:id/acknowledge', async (req, res) => {
    res.json(await acknowledgeEvaluation(db, ctxOf(req), idOf(req), parseInput(AcknowledgeRequest, req.body ?? {})));
  });
  router.post('/scoring/evaluations/:id/dispute', async (req, res) => {
    res.json(await disputeEvaluation(db, ctxOf(req), idOf(req), parseInput(DisputeRequest, req.body)));
  });
  router.post('/scoring/evaluations/:id/dispute/resolve', async (req, res) => {
    res.json(await resolveDispute(db, ctxOf(req), idOf(req), parseInput(ResolveDisputeRequest, req.body)));
  });
  router.get('/scoring/interactions/:interactionId/comparison', async (req, res) => {
    const { interactionId } = parseInput(InteractionParam, req.params, 'path');
    res.json(await compareSelfEvaluation(db, ctxOf(req), interactionId));
  });

  // ── my queue
  router.get('/scoring/queue', async (req, res) => {
    res.json(await myQueue(db, ctxOf(req).principal));
  });

  // ── who may be named as an evaluator (calibration sessions, sampling plans)
  router.get('/scoring/evaluators', async (req, res) => {
    const q = parseInput(EvaluatorsQuery, req.query, 'query');
    res.json({ evaluators: await listEvaluators(db, ctxOf(req).principal, q) });
  });

  // ── calibration
  router.get('/scoring/calibrations', async (req, res) => {
    res.json({ sessions: await listCalibrations(db, ctxOf(req).principal) });
  });
  router.post('/scoring/calibrations', async (req, res) => {
    res.status(201).json(await createCalibration(db, ctxOf(req), parseInput(CreateCalibrationRequest, req.body)));
  });
  router.get('/scoring/calibrations/evaluators/:id/history', async (req, res) => {
    res.json(await calibrationHistory(db, ctxOf(req).principal, idOf(req)));
  });
  router.get('/scoring/calibrations/:id', async (req, res) => {
    res.json(await getCalibration(db, ctxOf(req), idOf(req)));
  });
  router.post('/scoring/calibrations/:id/evaluation', async (req, res) => {
    const r = await startCalibrationEvaluation(db, ctxOf(req), idOf(req));
    res.status(r.created ? 201 : 200).json(r.evaluation);
  });
  router.put('/scoring/calibrations/:id/reference', async (req, res) => {
    res.json(await setCalibrationReference(db, ctxOf(req), idOf(req), parseInput(SetReferenceRequest, req.body)));
  });
  router.post('/scoring/calibrations/:id/reveal', async (req, res) => {
    res.json(await revealCalibration(db, ctxOf(req), idOf(req)));
  });

  // ── sampling and fairness
  router.get('/scoring/sampling-plans', async (req, res) => {
    res.json({ plans: await listSamplingPlans(db, ctxOf(req).principal) });
  });
  router.post('/scoring/sampling-plans', async (req, res) => {
    res.status(201).json(await createSamplingPlan(db, ctxOf(req), parseInput(CreateSamplingPlanRequest, req.body)));
  });
  router.patch('/scoring/sampling-plans/:id', async (req, res) => {
    res.json(await updateSamplingPlan(db, ctxOf(req), idOf(req), parseInput(UpdateSamplingPlanRequest, req.body)));
  });
  router.post('/scoring/sampling-plans/:id/run', async (req, res) => {
    const body = parseInput(RunSamplingPlanRequest, req.body ?? {});
    res.json(await runSamplingPlanNow(db, ctxOf(req), idOf(req), body.period));
  });
  router.get('/scoring/sampling-plans/:id/assignments', async (req, res) => {
    const q = parseInput(AssignmentsQuery, req.query, 'query');
    res.json({ assignments: await listAssignments(db, ctxOf(req).principal, idOf(req), q.period) });
  });
  router.patch('/scoring/assignments/:id', async (req, res) => {
    res.json(await reassignAssignment(db, ctxOf(req), idOf(req), parseInput(ReassignRequest, req.body).evaluatorId));
  });
  router.get('/scoring/fairness', async (req, res) => {
    res.json(await fairness(db, ctxOf(req).principal, parseInput(FairnessQuery, req.query, 'query')));
  });

  return router;
}
