import type {
  Answers,
  DisputeRequest,
  Evaluation,
  EvaluationComparison,
  EvaluationDetail,
  EvaluationKind,
  EvaluationListItem,
  EvaluationState,
  NotificationList,
  ResolveDisputeRequest,
  ScorecardSummary,
  ScoringQueue,
} from '@duet/protocol';
import { request } from '../../api';

const enc = encodeURIComponent;

/** The evaluation life cycle's calls (evaluate, respond, dispute, self-evaluate) and notifications. */
export const evaluationApi = {
  list: (q: { interactionId?: string; kind?: EvaluationKind; state?: EvaluationState; agentId?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    return request<{ evaluations: EvaluationListItem[] }>('GET', `/api/scoring/evaluations?${params.toString()}`, undefined, { signal });
  },
  get: (id: string, signal?: AbortSignal) => request<EvaluationDetail>('GET', `/api/scoring/evaluations/${enc(id)}`, undefined, { signal }),
  start: (body: { interactionId: string; kind: 'supervisor' | 'self'; scorecardId?: string; assignmentId?: string }) => request<Evaluation>('POST', '/api/scoring/evaluations', body),
  saveDraft: (id: string, answers: Answers, comment: string, revision: number) => request<Evaluation>('PUT', `/api/scoring/evaluations/${enc(id)}/draft`, { answers, comment, revision }),
  submit: (id: string, answers: Answers, comment: string, revision: number) => request<Evaluation>('POST', `/api/scoring/evaluations/${enc(id)}/submit`, { answers, comment, revision }),
  acknowledge: (id: string, comment?: string) => request<Evaluation>('POST', `/api/scoring/evaluations/${enc(id)}/acknowledge`, comment ? { comment } : {}),
  dispute: (id: string, body: DisputeRequest) => request<EvaluationDetail>('POST', `/api/scoring/evaluations/${enc(id)}/dispute`, body),
  resolve: (id: string, body: ResolveDisputeRequest) => request<EvaluationDetail>('POST', `/api/scoring/evaluations/${enc(id)}/dispute/resolve`, body),
  comparison: (interactionId: string, signal?: AbortSignal) => request<EvaluationComparison>('GET', `/api/scoring/interactions/${enc(interactionId)}/comparison`, undefined, { signal }),
  queue: (signal?: AbortSignal) => request<ScoringQueue>('GET', '/api/scoring/queue', undefined, { signal }),
  scorecards: (signal?: AbortSignal) => request<{ scorecards: ScorecardSummary[] }>('GET', '/api/scoring/scorecards', undefined, { signal }),

  notifications: (signal?: AbortSignal) => request<NotificationList>('GET', '/api/notifications?limit=20', undefined, { signal }),
  markRead: (body: { ids: string[] } | { all: true }) => request<{ marked: number; unread: number }>('POST', '/api/notifications/read', body),
};

/** Where an evaluation opens: the player, with the evaluation in the panel beside it. */
export const evaluationPath = (interactionId: string, evaluationId?: string) =>
  `/interactions/${interactionId}${evaluationId ? `?evaluation=${evaluationId}` : ''}`;
