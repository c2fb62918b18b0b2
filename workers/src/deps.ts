import type { DB, ObjectStore } from '@duet/core';
import type { Kysely } from 'kysely';

/**
 * What job handlers may use, built once by the process that runs them (the workers process, or
 * the server in embedded mode). Each handler takes only the parts it needs (Pick<WorkerDeps, ...>).
 */
export interface WorkerDeps {
  db: Kysely<DB>;
  store: ObjectStore;
  log: (msg: string) => void;
}
