import type {
  CalibrationHistory,
  CalibrationSessionSummary,
  CalibrationSessionView,
  CreateCalibrationRequest,
  CreateSamplingPlanRequest,
  Evaluation,
  EvaluationDetail,
  Answers,
  EvaluatorOption,
  FairnessView,
  SamplingAssignment,
  SamplingPlan,
  SamplingRunResult,
  ScorecardDefinition,
  ScorecardSummary,
  ScorecardVersionSummary,
  SetReferenceRequest,
  UpdateSamplingPlanRequest,
} from '@duet/protocol';
import { request } from '../../api';

/** A scorecard with every version, newest first (`GET /api/scoring/scorecards/:id`). */
export type ScorecardDetail = ScorecardSummary & { versions: ScorecardVersionSummary[] };

const enc = encodeURIComponent;

/** The quality programme's calls: scorecards, calibration, sampling plans and fairness. */
export const programApi = {
  scorecards: (includeArchived: boolean, signal?: AbortSignal) =>
    request<{ scorecards: ScorecardSummary[] }>('GET', `/api/scoring/scorecards?includeArchived=${includeArchived}`, undefined, { signal }),
  scorecard: (id: string, signal?: AbortSignal) => request<ScorecardDetail>('GET', `/api/scoring/scorecards/${enc(id)}`, undefined, { signal }),
  createScorecard: (definition: ScorecardDefinition, publish = false) => request<ScorecardDetail>('POST', '/api/scoring/scorecards', { definition, publish }),
  saveScorecard: (id: string, definition: ScorecardDefinition) => request<ScorecardDetail>('PUT', `/api/scoring/scorecards/${enc(id)}`, { definition }),
  publishScorecard: (id: string) => request<ScorecardDetail>('POST', `/api/scoring/scorecards/${enc(id)}/publish`),
  archiveScorecard: (id: string) => request<ScorecardDetail>('POST', `/api/scoring/scorecards/${enc(id)}/archive`),
  restoreScorecard: (id: string) => request<ScorecardDetail>('POST', `/api/scoring/scorecards/${enc(id)}/restore`),
  addBeSure: () => request<ScorecardDetail>('POST', '/api/scoring/scorecards/examples/be-sure'),

  evaluators: (interactionId?: string, signal?: AbortSignal) =>
    request<{ evaluators: EvaluatorOption[] }>('GET', `/api/scoring/evaluators${interactionId ? `?interactionId=${enc(interactionId)}` : ''}`, undefined, { signal }),

  calibrations: (signal?: AbortSignal) => request<{ sessions: CalibrationSessionSummary[] }>('GET', '/api/scoring/calibrations', undefined, { signal }),
  calibration: (id: string, signal?: AbortSignal) => request<CalibrationSessionView>('GET', `/api/scoring/calibrations/${enc(id)}`, undefined, { signal }),
  createCalibration: (body: CreateCalibrationRequest) => request<CalibrationSessionView>('POST', '/api/scoring/calibrations', body),
  startCalibrationEvaluation: (id: string) => request<Evaluation>('POST', `/api/scoring/calibrations/${enc(id)}/evaluation`),
  setReference: (id: string, body: SetReferenceRequest) => request<CalibrationSessionView>('PUT', `/api/scoring/calibrations/${enc(id)}/reference`, body),
  reveal: (id: string) => request<CalibrationSessionView>('POST', `/api/scoring/calibrations/${enc(id)}/reveal`),
  /** A participant's own blind evaluation: read, autosave, submit (the evaluation endpoints). */
  evaluation: (id: string, signal?: AbortSignal) => request<EvaluationDetail>('GET', `/api/scoring/evaluations/${enc(id)}`, undefined, { signal }),
  saveDraft: (id: string, answers: Answers, revision: number) => request<Evaluation>('PUT', `/api/scoring/evaluations/${enc(id)}/draft`, { answers, revision }),
  submit: (id: string, answers: Answers, revision: number) => request<Evaluation>('POST', `/api/scoring/evaluations/${enc(id)}/submit`, { answers, revision }),
  history: (evaluatorId: string, signal?: AbortSignal) =>
    request<CalibrationHistory>('GET', `/api/scoring/calibrations/evaluators/${enc(evaluatorId)}/history`, undefined, { signal }),

  plans: (signal?: AbortSignal) => request<{ plans: SamplingPlan[] }>('GET', '/api/scoring/sampling-plans', undefined, { signal }),
  createPlan: (body: CreateSamplingPlanRequest) => request<SamplingPlan>('POST', '/api/scoring/sampling-plans', body),
  updatePlan: (id: string, body: UpdateSamplingPlanRequest) => request<SamplingPlan>('PATCH', `/api/scoring/sampling-plans/${enc(id)}`, body),
  runPlan: (id: string, period?: string) => request<SamplingRunResult>('POST', `/api/scoring/sampling-plans/${enc(id)}/run`, period ? { period } : {}),
  assignments: (id: string, period?: string, signal?: AbortSignal) =>
    request<{ assignments: SamplingAssignment[] }>('GET', `/api/scoring/sampling-plans/${enc(id)}/assignments${period ? `?period=${enc(period)}` : ''}`, undefined, { signal }),
  reassign: (assignmentId: string, evaluatorId: string) => request<SamplingAssignment>('PATCH', `/api/scoring/assignments/${enc(assignmentId)}`, { evaluatorId }),

  fairness: (q: { from: string; to: string; teamId?: string }, signal?: AbortSignal) => {
    const s = new URLSearchParams({ from: q.from, to: q.to });
    if (q.teamId) s.set('teamId', q.teamId);
    return request<FairnessView>('GET', `/api/scoring/fairness?${s.toString()}`, undefined, { signal });
  },
};
