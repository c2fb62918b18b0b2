import type { AppRoute } from '../app-route';
import { lazyNamed } from '../lazy-named';

// Chunks of their own, loaded when opened (the shell's Suspense shows a spinner meanwhile).
const ComparisonPage = lazyNamed(() => import('./evaluation/ComparisonPage').then((m) => m.ComparisonPage));
const EvaluationsPage = lazyNamed(() => import('./evaluation/EvaluationsPage').then((m) => m.EvaluationsPage));

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
