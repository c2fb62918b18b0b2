import type { AppRoute } from '../app-route';

/** Pages that run the quality programme: scorecards, calibration, sampling plans, fairness. */
export const PROGRAM_ROUTES: AppRoute[] = [];
