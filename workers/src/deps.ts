import type { JobDeps } from '@duet/core';

/**
 * What job handlers may use, built once by the process that runs them (the workers process, or
 * the server in embedded mode). Each handler takes only the parts it needs (Pick<WorkerDeps, ...>).
 * It is core's JobDeps, so the server can build it without importing workers.
 */
export type WorkerDeps = JobDeps;
