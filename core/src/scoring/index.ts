/** Quality scoring: scorecards, evaluations, disputes, self-evaluation, calibration, sampling and fairness. */
export * from './score.js';
export * from './example.js';
export type { ScoringContext } from './common.js';
export * from './scorecards.js';
export * from './evaluations.js';
export * from './calibration.js';
export * from './sampling.js';
export * from './evaluators.js';
