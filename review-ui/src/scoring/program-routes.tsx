import type { AppRoute } from '../app-route';
import { useMe } from '../auth';
import { lazyNamed } from '../lazy-named';

// Chunks of their own, loaded when opened (the shell's Suspense shows a spinner meanwhile).
const CalibrationSessionPage = lazyNamed(() => import('./program/CalibrationSessionPage').then((m) => m.CalibrationSessionPage));
const CalibrationsPage = lazyNamed(() => import('./program/CalibrationsPage').then((m) => m.CalibrationsPage));
const NewCalibrationPage = lazyNamed(() => import('./program/CalibrationsPage').then((m) => m.NewCalibrationPage));
const FairnessPage = lazyNamed(() => import('./program/FairnessPage').then((m) => m.FairnessPage));
const SamplingPlanPage = lazyNamed(() => import('./program/SamplingPlansPage').then((m) => m.SamplingPlanPage));
const SamplingPlansPage = lazyNamed(() => import('./program/SamplingPlansPage').then((m) => m.SamplingPlansPage));
const ScorecardEditorPage = lazyNamed(() => import('./program/ScorecardEditorPage').then((m) => m.ScorecardEditorPage));
const ScorecardsPage = lazyNamed(() => import('./program/ScorecardsPage').then((m) => m.ScorecardsPage));

const MANAGERS = ['admin', 'qa'] as const;
const RUNNERS = ['admin', 'qa', 'supervisor'] as const;
const ID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

/** `/quality`: scorecards for those who manage them, calibration for supervisors. */
function QualityHome() {
  const me = useMe();
  return me.roles.some((r) => r === 'admin' || r === 'qa') ? <ScorecardsPage /> : <CalibrationsPage />;
}

/**
 * Pages that run the quality programme: scorecards, calibration, sampling plans, fairness. One
 * nav entry ("Quality"); the pages link to each other with tabs (program/shared.tsx).
 */
export const PROGRAM_ROUTES: AppRoute[] = [
  { path: '/quality', label: 'Quality', roles: RUNNERS, render: () => <QualityHome /> },
  { path: '/quality/scorecards', label: 'Scorecards', roles: MANAGERS, hidden: true, render: () => <ScorecardsPage /> },
  { path: '/quality/scorecards/new', label: 'New scorecard', roles: MANAGERS, hidden: true, render: () => <ScorecardEditorPage key="new" id={null} /> },
  {
    path: '/quality/scorecards/:id',
    label: 'Scorecard',
    roles: MANAGERS,
    hidden: true,
    pattern: new RegExp(`^/quality/scorecards/${ID}$`, 'i'),
    render: ([id]) => <ScorecardEditorPage key={id} id={id!.toLowerCase()} />,
  },
  { path: '/quality/calibration', label: 'Calibration', roles: RUNNERS, hidden: true, render: () => <CalibrationsPage /> },
  { path: '/quality/calibration/new', label: 'New calibration session', roles: RUNNERS, hidden: true, render: () => <NewCalibrationPage /> },
  {
    path: '/quality/calibration/:id',
    label: 'Calibration session',
    roles: RUNNERS,
    hidden: true,
    pattern: new RegExp(`^/quality/calibration/${ID}$`, 'i'),
    render: ([id]) => <CalibrationSessionPage key={id} id={id!.toLowerCase()} />,
  },
  { path: '/quality/plans', label: 'Sampling plans', roles: MANAGERS, hidden: true, render: () => <SamplingPlansPage /> },
  {
    path: '/quality/plans/:id',
    label: 'Sampling plan',
    roles: MANAGERS,
    hidden: true,
    pattern: new RegExp(`^/quality/plans/${ID}$`, 'i'),
    render: ([id]) => <SamplingPlanPage key={id} id={id!.toLowerCase()} initialPeriod={new URLSearchParams(window.location.search).get('period')} />,
  },
  { path: '/quality/fairness', label: 'Fairness', roles: RUNNERS, hidden: true, render: () => <FairnessPage /> },
];
