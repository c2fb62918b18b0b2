import { activeSamplingPlans, periodBounds, previousPeriodKey, runSamplingPlan, UnrecoverableJobError, type JobHandler, type JobPayloads } from '@duet/core';
import type { WorkerDeps } from '../deps.js';

/** The job id of one plan's run for one period: the same work always gets the same id. */
export const samplingJobId = (planId: string, period: string) => `run-sampling-plans:${planId}:${period}`;

/**
 * Hourly without a plan: fans out one job per active plan for the period that just ended, with
 * a deterministic id, so every process's schedule and every rerun request the same jobs and a
 * plan's period is sampled once. With a plan: samples it (idempotent in the database as well).
 */
export function runSamplingPlansJob(deps: Pick<WorkerDeps, 'db' | 'jobs'>, now = () => new Date()): JobHandler<JobPayloads['run-sampling-plans']> {
  return async ({ planId, period }, ctx) => {
    if (!planId) {
      const plans = await activeSamplingPlans(deps.db);
      for (const plan of plans) {
        const key = previousPeriodKey(now(), plan.period);
        await deps.jobs.enqueue('run-sampling-plans', { planId: plan.id, period: key }, { jobId: samplingJobId(plan.id, key) });
      }
      if (plans.length) ctx.log(`requested sampling for ${plans.length} plan(s)`);
      return;
    }
    if (!period) throw new UnrecoverableJobError('run-sampling-plans with a planId needs a period');
    try {
      periodBounds(period);
    } catch (err) {
      throw new UnrecoverableJobError(`bad period ${period}: ${(err as Error).message}`);
    }
    const plan = await deps.db.selectFrom('sampling_plans').select('id').where('id', '=', planId).executeTakeFirst();
    if (!plan) {
      ctx.log(`sampling plan ${planId} no longer exists; nothing to do`);
      return;
    }
    const r = await runSamplingPlan(deps.db, planId, period);
    ctx.log(`sampling plan ${planId} ${period}: ${r.assigned} assigned, ${r.shortfalls.length} agent(s) short`);
  };
}
