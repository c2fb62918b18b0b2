import type { AppRoute } from '../app-route';
import { ComparisonPage } from './evaluation/ComparisonPage';
import { EvaluationsPage } from './evaluation/EvaluationsPage';

/** Pages for evaluating, acknowledging, disputing and self-evaluating (agents, supervisors, QA). */
export const EVALUATION_ROUTES: AppRoute[] = [
  { path: '/evaluations', label: 'Evaluations', roles: ['agent', 'supervisor', 'qa', 'admin', 'trainer'], render: () => <EvaluationsPage /> },
  {
    path: '/evaluations/compare',
    label: 'Self vs supervisor',
    roles: ['agent', 'supervisor', 'qa', 'admin', 'trainer'],
    hidden: true,
    pattern: /^\/evaluations\/compare\/([0-9a-f-]{36})$/i,
    render: ([interactionId]) => <ComparisonPage key={interactionId} interactionId={interactionId!.toLowerCase()} />,
  },
];
