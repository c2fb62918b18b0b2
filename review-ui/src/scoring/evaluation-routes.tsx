import type { AppRoute } from '../app-route';

/** Pages for evaluating, acknowledging, disputing and self-evaluating (agents, supervisors, QA). */
export const EVALUATION_ROUTES: AppRoute[] = [];
