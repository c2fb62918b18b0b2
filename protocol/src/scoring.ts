import { z } from 'zod';
import { Role } from './roles.js';

/**
 * Quality scoring: scorecards, evaluations, disputes, calibration and sampling plans.
 *
 * Scorecard definitions are plain data: sections of questions, each with a stable `id` (a slug)
 * that survives new versions, so answers, calibration agreement and question-level analytics
 * can be compared across versions that keep the question.
 */

const Slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase slug: letters, digits, "-" or "_", at most 64 characters');

/** yes/no: yes earns the weight; scale: min..max integers, linear; choice: each option's points. */
export const AnswerType = z.enum(['yes_no', 'scale', 'choice']);
export type AnswerType = z.infer<typeof AnswerType>;

export const Choice = z.object({
  id: Slug,
  label: z.string().trim().min(1).max(200),
  /** relative points; the best choice earns the question's full weight */
  points: z.number().min(0).max(1000),
});
export type Choice = z.infer<typeof Choice>;

export const Question = z
  .object({
    id: Slug,
    text: z.string().trim().min(1).max(500),
    /** what the evaluator should listen and look for; shown beside the question */
    guidance: z.string().max(4000).optional(),
    type: AnswerType,
    /** points this question is worth; 0 makes it informational (it can still be critical) */
    weight: z.number().min(0).max(1000),
    /** N/A allowed: an N/A answer leaves the question out of the denominator */
    allowNa: z.boolean().default(false),
    /** failing it (earning 0 of its points) sets the whole evaluation to 0, with the reason shown */
    critical: z.boolean().default(false),
    /** scale only: integer bounds, e.g. 1..5 */
    scale: z.object({ min: z.number().int().min(0).max(100), max: z.number().int().min(1).max(100) }).optional(),
    /** choice only: 2..20 options */
    choices: z.array(Choice).min(2).max(20).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.type === 'scale') {
      if (!q.scale) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'a scale question needs scale: { min, max }' });
      else if (q.scale.max <= q.scale.min) ctx.addIssue({ code: 'custom', path: ['scale'], message: 'scale.max must be greater than scale.min' });
    } else if (q.scale) ctx.addIssue({ code: 'custom', path: ['scale'], message: `only scale questions have a scale (this one is ${q.type})` });
    if (q.type === 'choice') {
      if (!q.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a choice question needs at least two choices' });
      else {
        if (new Set(q.choices.map((c) => c.id)).size !== q.choices.length) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choice ids must be unique' });
        if (!q.choices.some((c) => c.points > 0)) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'at least one choice must earn points' });
      }
    } else if (q.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: `only choice questions have choices (this one is ${q.type})` });
  });
export type Question = z.infer<typeof Question>;
export type QuestionInput = z.input<typeof Question>;

export const Section = z.object({
  id: Slug,
  title: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  questions: z.array(Question).min(1).max(100),
});
export type Section = z.infer<typeof Section>;

export const ScorecardDefinition = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(4000).optional(),
    sections: z.array(Section).min(1).max(30),
  })
  .superRefine((d, ctx) => {
    const sections = new Set<string>();
    const questions = new Set<string>();
    d.sections.forEach((s, si) => {
      if (sections.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sections', si, 'id'], message: `section id "${s.id}" is used twice` });
      sections.add(s.id);
      s.questions.forEach((q, qi) => {
        if (questions.has(q.id)) ctx.addIssue({ code: 'custom', path: ['sections', si, 'questions', qi, 'id'], message: `question id "${q.id}" is used twice` });
        questions.add(q.id);
      });
    });
  });
export type ScorecardDefinition = z.infer<typeof ScorecardDefinition>;
export type ScorecardDefinitionInput = z.input<typeof ScorecardDefinition>;

/** A moment on the interaction timeline (ms since its start) that supports an answer. */
export const EvidenceMoment = z.object({
  atMs: z.number().int().min(0),
  note: z.string().max(500).optional(),
});
export type EvidenceMoment = z.infer<typeof EvidenceMoment>;

/**
 * One answer: a value (boolean for yes/no, integer for a scale, a choice id) or N/A, with an
 * optional comment and evidence moments. A draft may leave `value` out; submitting may not.
 */
export const Answer = z
  .object({
    value: z.union([z.boolean(), z.number(), z.string().max(64)]).nullable().optional(),
    na: z.boolean().optional(),
    comment: z.string().max(4000).optional(),
    moments: z.array(EvidenceMoment).max(50).optional(),
  })
  .refine((a) => !(a.na && a.value !== undefined && a.value !== null), { message: 'an N/A answer has no value: send either na: true or a value', path: ['na'] });
export type Answer = z.infer<typeof Answer>;

/** Answers by question id. */
export const Answers = z.record(z.string().max(64), Answer).refine((a) => Object.keys(a).length <= 500, 'too many answers');
export type Answers = z.infer<typeof Answers>;

/** Score of one question: null fraction when N/A or unanswered. */
export const QuestionScore = z.object({
  questionId: z.string(),
  sectionId: z.string(),
  na: z.boolean(),
  answered: z.boolean(),
  /** 0..1 share of the weight earned */
  fraction: z.number().nullable(),
  earned: z.number(),
  possible: z.number(),
});
export const SectionScore = z.object({
  sectionId: z.string(),
  title: z.string(),
  earned: z.number(),
  possible: z.number(),
  /** null when every question of the section is N/A (or weighs 0) */
  percent: z.number().nullable(),
});
export const CriticalFailure = z.object({ questionId: z.string(), question: z.string(), reason: z.string() });
export const ScoreResult = z.object({
  /** the evaluation's score 0..100 (one decimal); 0 on a critical failure; null when nothing is scorable */
  percent: z.number().nullable(),
  /** the score the answers would earn without the critical rule (coaching still needs it) */
  rawPercent: z.number().nullable(),
  earned: z.number(),
  possible: z.number(),
  criticalFailed: z.boolean(),
  criticalFailures: z.array(CriticalFailure),
  sections: z.array(SectionScore),
  questions: z.array(QuestionScore),
  /** question ids still without a value or N/A */
  unanswered: z.array(z.string()),
});
export type ScoreResult = z.infer<typeof ScoreResult>;

// ─── scorecards ────────────────────────────────────────────────────────────────────────────────

export const ScorecardStatus = z.enum(['active', 'archived']);
export const CreateScorecardRequest = z.object({ definition: ScorecardDefinition, publish: z.boolean().default(false) });
export type CreateScorecardRequest = z.infer<typeof CreateScorecardRequest>;
/** Saves a new draft version (or replaces the unpublished draft); published versions never change. */
export const UpdateScorecardRequest = z.object({ definition: ScorecardDefinition });
export type UpdateScorecardRequest = z.infer<typeof UpdateScorecardRequest>;

export const ScorecardVersionSummary = z.object({
  id: z.uuid(),
  version: z.number().int(),
  publishedAt: z.string().nullable(),
  definition: ScorecardDefinition,
});
export type ScorecardVersionSummary = z.infer<typeof ScorecardVersionSummary>;

export const ScorecardSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  status: ScorecardStatus,
  /** the version new evaluations use; null until first published */
  publishedVersion: z.number().int().nullable(),
  /** an unpublished draft version, if any */
  draftVersion: z.number().int().nullable(),
  builtIn: z.string().nullable(),
  createdAt: z.string(),
});
export type ScorecardSummary = z.infer<typeof ScorecardSummary>;

// ─── evaluations ───────────────────────────────────────────────────────────────────────────────

/** supervisor: a supervisor's or QA analyst's evaluation; self: the agent's own; calibration: blind, in a session. */
export const EvaluationKind = z.enum(['supervisor', 'self', 'calibration']);
export type EvaluationKind = z.infer<typeof EvaluationKind>;
export const EvaluationState = z.enum(['draft', 'submitted', 'acknowledged', 'disputed', 'resolved']);
export type EvaluationState = z.infer<typeof EvaluationState>;

export const StartEvaluationRequest = z.object({
  interactionId: z.uuid(),
  kind: z.enum(['supervisor', 'self']).default('supervisor'),
  /** defaults to the scorecard of the assignment, else required */
  scorecardId: z.uuid().optional(),
  /** a sampling assignment this evaluation fulfils */
  assignmentId: z.uuid().optional(),
});
export type StartEvaluationRequest = z.infer<typeof StartEvaluationRequest>;

export const SaveDraftRequest = z.object({
  answers: Answers,
  comment: z.string().max(8000).optional(),
  /** the revision the client last saw: a stale autosave (another tab) is refused, not merged */
  revision: z.number().int().min(0).optional(),
});
export type SaveDraftRequest = z.infer<typeof SaveDraftRequest>;

export const SubmitEvaluationRequest = z.object({
  /** optional last edit, saved and submitted in one step */
  answers: Answers.optional(),
  comment: z.string().max(8000).optional(),
  revision: z.number().int().min(0).optional(),
});
export type SubmitEvaluationRequest = z.infer<typeof SubmitEvaluationRequest>;

export const AcknowledgeRequest = z.object({ comment: z.string().max(4000).optional() });
export type AcknowledgeRequest = z.infer<typeof AcknowledgeRequest>;

export const DisputeRequest = z
  .object({
    /** why the agent disagrees with the evaluation as a whole (required without questions) */
    reason: z.string().trim().max(4000).optional(),
    /** or per question */
    questions: z.array(z.object({ questionId: z.string().max(64), reason: z.string().trim().min(1).max(4000) })).max(200).optional(),
  })
  .refine((d) => (d.reason && d.reason.length > 0) || (d.questions && d.questions.length > 0), {
    message: 'say why: give a reason, or questions with a reason each',
    path: ['reason'],
  });
export type DisputeRequest = z.infer<typeof DisputeRequest>;

export const ResolveDisputeRequest = z
  .object({
    outcome: z.enum(['upheld', 'changed']),
    comment: z.string().trim().min(1, 'explain the decision to the agent').max(4000),
    /** with outcome "changed": the answers that change (by question id) */
    answers: Answers.optional(),
  })
  .refine((r) => r.outcome === 'upheld' || (r.answers && Object.keys(r.answers).length > 0), {
    message: 'outcome "changed" needs the answers that change',
    path: ['answers'],
  })
  .refine((r) => r.outcome === 'changed' || !r.answers, { message: 'outcome "upheld" changes no answers; leave answers out', path: ['answers'] });
export type ResolveDisputeRequest = z.infer<typeof ResolveDisputeRequest>;

export const EvaluationListQuery = z.object({
  interactionId: z.uuid().optional(),
  agentId: z.uuid().optional(),
  evaluatorId: z.uuid().optional(),
  kind: EvaluationKind.optional(),
  state: EvaluationState.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type EvaluationListQuery = z.infer<typeof EvaluationListQuery>;

export const EvaluationEvent = z.object({
  at: z.string(),
  actorId: z.string().nullable(),
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export const Dispute = z.object({
  id: z.uuid(),
  state: z.enum(['open', 'upheld', 'changed']),
  raisedBy: z.uuid(),
  reason: z.string().nullable(),
  questions: z.array(z.object({ questionId: z.string(), reason: z.string() })),
  reviewerId: z.uuid().nullable(),
  resolvedBy: z.uuid().nullable(),
  resolution: z.string().nullable(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type Dispute = z.infer<typeof Dispute>;

export const Evaluation = z.object({
  id: z.uuid(),
  interactionId: z.uuid(),
  agentId: z.uuid(),
  evaluatorId: z.uuid(),
  kind: EvaluationKind,
  state: EvaluationState,
  scorecardId: z.uuid(),
  scorecardVersion: z.number().int(),
  answers: Answers,
  comment: z.string().nullable(),
  score: ScoreResult,
  revision: z.number().int(),
  assignmentId: z.uuid().nullable(),
  calibrationSessionId: z.uuid().nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  agentSeenAt: z.string().nullable(),
});
export type Evaluation = z.infer<typeof Evaluation>;

export const EvaluationDetail = Evaluation.extend({
  definition: ScorecardDefinition,
  history: z.array(EvaluationEvent),
  dispute: Dispute.nullable(),
  /** display names by user id: the agent, the evaluator, the dispute's reviewer and everyone in the history */
  people: z.record(z.string(), z.string()),
});
export type EvaluationDetail = z.infer<typeof EvaluationDetail>;

/** A row of an evaluation list: the evaluation with the names and call a person recognises it by. */
export const EvaluationListItem = Evaluation.extend({
  agentName: z.string(),
  evaluatorName: z.string(),
  callId: z.string().nullable(),
  interactionStartedAt: z.string(),
});
export type EvaluationListItem = z.infer<typeof EvaluationListItem>;

/** Self-evaluation beside the supervisor's: per question, where they differ. */
export const EvaluationComparison = z.object({
  interactionId: z.uuid(),
  self: Evaluation.nullable(),
  supervisor: Evaluation.nullable(),
  questions: z.array(
    z.object({
      questionId: z.string(),
      question: z.string(),
      self: Answer.nullable(),
      supervisor: Answer.nullable(),
      selfFraction: z.number().nullable(),
      supervisorFraction: z.number().nullable(),
      differs: z.boolean(),
    }),
  ),
  /** self percent minus supervisor percent */
  totalDifference: z.number().nullable(),
});
export type EvaluationComparison = z.infer<typeof EvaluationComparison>;

// ─── calibration ───────────────────────────────────────────────────────────────────────────────

export const CreateCalibrationRequest = z.object({
  title: z.string().trim().min(1).max(200),
  interactionId: z.uuid(),
  scorecardId: z.uuid(),
  evaluatorIds: z.array(z.uuid()).min(2, 'a calibration needs at least two evaluators').max(50),
  dueAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateCalibrationRequest = z.infer<typeof CreateCalibrationRequest>;

export const SetReferenceRequest = z.object({ answers: Answers, comment: z.string().max(8000).optional() });
export type SetReferenceRequest = z.infer<typeof SetReferenceRequest>;

// ─── sampling ──────────────────────────────────────────────────────────────────────────────────

export const SamplingFilters = z.object({
  teamIds: z.array(z.uuid()).max(100).optional(),
  minDurationMs: z.number().int().min(0).optional(),
  maxDurationMs: z.number().int().min(0).optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
});
export type SamplingFilters = z.infer<typeof SamplingFilters>;

export const CreateSamplingPlanRequest = z.object({
  name: z.string().trim().min(1).max(200),
  scorecardId: z.uuid(),
  period: z.enum(['week', 'month']),
  perAgent: z.number().int().min(1).max(100),
  filters: SamplingFilters.default({}),
  evaluatorIds: z.array(z.uuid()).min(1, 'name at least one evaluator').max(100),
  /** days after the sampled period ends that the evaluations are due */
  dueDays: z.number().int().min(1).max(60).default(7),
  active: z.boolean().default(true),
});
export type CreateSamplingPlanRequest = z.infer<typeof CreateSamplingPlanRequest>;

export const UpdateSamplingPlanRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    perAgent: z.number().int().min(1).max(100),
    filters: SamplingFilters,
    evaluatorIds: z.array(z.uuid()).min(1).max(100),
    dueDays: z.number().int().min(1).max(60),
    active: z.boolean(),
  })
  .partial();
export type UpdateSamplingPlanRequest = z.infer<typeof UpdateSamplingPlanRequest>;

/** A period key: ISO week `2026-W47` or month `2026-11`. */
export const PeriodKey = z.string().regex(/^\d{4}-(W\d{2}|\d{2})$/, 'must be an ISO week like 2026-W47 or a month like 2026-11');
export const RunSamplingPlanRequest = z.object({ period: PeriodKey.optional() });

export const FairnessQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  teamId: z.uuid().optional(),
});
export type FairnessQuery = z.infer<typeof FairnessQuery>;

// ─── answers of the calibration, sampling, queue and fairness endpoints ────────────────────────

const Iso = z.string();

export const CalibrationSessionSummary = z.object({
  id: z.uuid(),
  title: z.string(),
  interactionId: z.uuid(),
  ownerId: z.uuid(),
  state: z.enum(['open', 'revealed']),
  dueAt: Iso.nullable(),
  createdAt: Iso,
  revealedAt: Iso.nullable(),
});
export type CalibrationSessionSummary = z.infer<typeof CalibrationSessionSummary>;

export const CalibrationResults = z.object({
  referencePercent: z.number().nullable(),
  evaluators: z.array(
    z.object({
      evaluatorId: z.uuid(),
      name: z.string().nullable(),
      evaluationId: z.uuid(),
      percent: z.number().nullable(),
      criticalFailed: z.boolean(),
      /** mean per-question distance to the reference ×100 (0 = same answers) */
      distanceToReference: z.number().nullable(),
      /** evaluator's percent minus the reference's */
      differenceToReference: z.number().nullable(),
    }),
  ),
  notSubmitted: z.array(z.uuid()),
  totals: z.object({ min: z.number(), max: z.number(), range: z.number(), mean: z.number(), stdDev: z.number() }).nullable(),
  meanAgreement: z.number().nullable(),
  questions: z.array(
    z.object({
      questionId: z.string(),
      question: z.string(),
      sectionId: z.string(),
      answers: z.array(z.object({ evaluatorId: z.uuid(), answer: Answer.nullable() })),
      reference: Answer.nullable(),
      /** share (0..1) of evaluators who gave the most common answer */
      agreement: z.number().nullable(),
      /** max − min of the answers' fractions ×100 */
      spread: z.number().nullable(),
      matchesReference: z.number().nullable(),
    }),
  ),
});

export const CalibrationSessionView = CalibrationSessionSummary.extend({
  scorecardId: z.uuid(),
  scorecardVersion: z.number().int(),
  myEvaluationId: z.uuid().nullable(),
  participants: z.array(z.object({ userId: z.uuid(), name: z.string(), submitted: z.boolean() })),
  /** the owner's reference answers: to the owner (and admins) before the reveal, to all after */
  reference: Answers.nullable(),
  /** null until revealed */
  results: CalibrationResults.nullable(),
});
export type CalibrationSessionView = z.infer<typeof CalibrationSessionView>;

export const CalibrationHistory = z.object({
  evaluatorId: z.uuid(),
  sessions: z.array(
    z.object({
      sessionId: z.uuid(),
      title: z.string(),
      revealedAt: Iso.nullable(),
      percent: z.number().nullable(),
      referencePercent: z.number().nullable(),
      differenceToReference: z.number().nullable(),
      distanceToReference: z.number().nullable(),
    }),
  ),
  meanDistance: z.number().nullable(),
});
export type CalibrationHistory = z.infer<typeof CalibrationHistory>;

export const SamplingPlan = z.object({
  id: z.uuid(),
  name: z.string(),
  scorecardId: z.uuid(),
  period: z.enum(['week', 'month']),
  perAgent: z.number().int(),
  filters: SamplingFilters,
  evaluatorIds: z.array(z.uuid()),
  dueDays: z.number().int(),
  active: z.boolean(),
  createdAt: Iso,
});
export type SamplingPlan = z.infer<typeof SamplingPlan>;

export const SamplingAssignment = z.object({
  id: z.uuid(),
  planId: z.uuid(),
  period: z.string(),
  interactionId: z.uuid(),
  agentId: z.uuid(),
  evaluatorId: z.uuid(),
  dueAt: Iso,
  state: z.enum(['open', 'done']),
  evaluationId: z.uuid().nullable(),
});
export type SamplingAssignment = z.infer<typeof SamplingAssignment>;

export const SamplingRunResult = z.object({
  planId: z.uuid(),
  period: z.string(),
  /** assignments made by this run (0 on a rerun) */
  assigned: z.number().int(),
  /** agent id → the plan's assignments for the period */
  perAgent: z.record(z.string(), z.number().int()),
  /** evaluator id → the plan's assignments for the period */
  perEvaluator: z.record(z.string(), z.number().int()),
  /** agents with fewer eligible calls than the plan asks for */
  shortfalls: z.array(z.object({ agentId: z.uuid(), assigned: z.number().int(), wanted: z.number().int() })),
});
export type SamplingRunResult = z.infer<typeof SamplingRunResult>;

/** "My evaluations to do". */
export const ScoringQueue = z.object({
  assignments: z.array(SamplingAssignment.extend({ overdue: z.boolean() })),
  drafts: z.array(z.object({ evaluationId: z.uuid(), interactionId: z.uuid(), kind: EvaluationKind, calibrationSessionId: z.uuid().nullable(), updatedAt: Iso })),
  disputes: z.array(z.object({ disputeId: z.uuid(), evaluationId: z.uuid(), interactionId: z.uuid(), createdAt: Iso })),
  calibrations: z.array(z.object({ sessionId: z.uuid(), title: z.string(), dueAt: Iso.nullable() })),
  /** agents: submitted evaluations of theirs to acknowledge or dispute */
  toRespond: z.array(z.object({ evaluationId: z.uuid(), interactionId: z.uuid(), percent: z.number().nullable(), submittedAt: Iso.nullable(), seen: z.boolean() })),
});
export type ScoringQueue = z.infer<typeof ScoringQueue>;

export const FairnessView = z.object({
  from: Iso,
  to: Iso,
  agents: z.array(
    z.object({
      agentId: z.uuid(),
      name: z.string(),
      teamId: z.uuid(),
      employmentType: z.enum(['full_time', 'part_time']).nullable(),
      evaluations: z.number().int(),
      averagePercent: z.number().nullable(),
      criticalFailures: z.number().int(),
      assigned: z.number().int(),
      open: z.number().int(),
      overdue: z.number().int(),
    }),
  ),
  evaluators: z.array(
    z.object({
      evaluatorId: z.uuid(),
      name: z.string().nullable(),
      evaluations: z.number().int(),
      agentsEvaluated: z.number().int(),
      /** leniency shows here */
      averagePercentGiven: z.number().nullable(),
      assigned: z.number().int(),
      open: z.number().int(),
      overdue: z.number().int(),
    }),
  ),
  summary: z.object({ minPerAgent: z.number().int(), maxPerAgent: z.number().int(), agentsNeverEvaluated: z.number().int() }).nullable(),
});
export type FairnessView = z.infer<typeof FairnessView>;

/** Hands an open assignment to another evaluator (someone left, or a load to even out). */
export const ReassignRequest = z.object({ evaluatorId: z.uuid() });
export type ReassignRequest = z.infer<typeof ReassignRequest>;

/** Someone a calibration session or a sampling plan may name as an evaluator. */
export const EvaluatorOption = z.object({ id: z.uuid(), displayName: z.string(), roles: z.array(Role) });
export type EvaluatorOption = z.infer<typeof EvaluatorOption>;
export const EvaluatorsQuery = z.object({ interactionId: z.uuid('must be a UUID').optional() });
