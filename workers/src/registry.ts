import type { JobHandlers, JobPayloads } from '@duet/core';
import type { WorkerDeps } from './deps.js';
import { analyzeAudioJob } from './jobs/analyze-audio.js';
import { closeIdleInteractionsJob } from './jobs/close-idle-interactions.js';
import { finalizeInteractionJob } from './jobs/finalize-interaction.js';
import { importAudioJob } from './jobs/import-audio.js';
import { purgeExpiredSessions } from './jobs/purge-expired-sessions.js';
import { runSamplingPlansJob } from './jobs/run-sampling-plans.js';

/**
 * Every job type's handler, one file each under jobs/. Typed over JobPayloads, so a job type
 * without a handler (or a handler for a type that does not exist) fails to compile; the test
 * checks the same at runtime against the policy table.
 */
export function createHandlers(deps: WorkerDeps): JobHandlers<JobPayloads> {
  return {
    'purge-expired-sessions': purgeExpiredSessions(deps),
    'close-idle-interactions': closeIdleInteractionsJob(deps),
    'finalize-interaction': finalizeInteractionJob(deps),
    'analyze-audio': analyzeAudioJob(deps),
    'import-audio': importAudioJob(deps),
    'run-sampling-plans': runSamplingPlansJob(deps),
  };
}
