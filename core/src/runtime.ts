import path from 'node:path';
import type { Kysely } from 'kysely';
import type { CoreConfig } from './config/core-config.js';
import { resolveSecret } from './config/secret.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { DB } from './db/schema.js';
import { createAppJobQueue, type AppJobQueue, type JobHandlers, type JobPayloads } from './jobs/index.js';
import { createObjectStore, type ObjectStore } from './storage/index.js';

/**
 * What job handlers may use, built once by the process that runs them (the workers process, or
 * the server in embedded mode). The server hands these to the workers' registry without
 * importing workers: the launcher composes the two.
 */
export interface JobDeps {
  db: Kysely<DB>;
  store: ObjectStore;
  /** for follow-up work a job requests (e.g. finalizing interactions it closed) */
  jobs: AppJobQueue;
  log: (msg: string) => void;
}

export type AppJobHandlers = JobHandlers<JobPayloads>;

export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/** The adapters every Duet process shares, chosen from config: one code path, two run modes. */
export interface CoreRuntime {
  config: CoreConfig;
  database: Database;
  db: Kysely<DB>;
  store: ObjectStore;
  jobs: AppJobQueue;
  secret: string;
  /** embedded when database, objects and jobs all use their embedded drivers */
  mode: 'embedded' | 'production';
  appliedMigrations: string[];
  close(): Promise<void>;
}

export async function openCore(config: CoreConfig, log: Logger, opts: { shutdownTimeoutMs?: number } = {}): Promise<CoreRuntime> {
  const dataDir = path.resolve(config.DATA_DIR);
  const secret = await resolveSecret(config.SECRET_KEY, dataDir);
  const database = await openDatabase({
    url: config.DATABASE_URL,
    pgliteDir: path.join(dataDir, 'db'),
    poolSize: config.DATABASE_POOL_SIZE,
    onIdleError: (err) => log('warn', `database connection lost (${err.message}); reconnecting on next query`),
  });
  try {
    const appliedMigrations = await migrateToLatest(database.db);
    if (appliedMigrations.length) log('info', `migrations applied: ${appliedMigrations.join(', ')}`);
    const store = config.S3_BUCKET
      ? createObjectStore({
          kind: 's3',
          endpoint: config.S3_ENDPOINT,
          region: config.S3_REGION,
          bucket: config.S3_BUCKET,
          accessKeyId: config.S3_ACCESS_KEY_ID!,
          secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
          forcePathStyle: config.S3_FORCE_PATH_STYLE ?? !!config.S3_ENDPOINT,
        })
      : createObjectStore({ kind: 'filesystem', root: path.join(dataDir, 'objects'), secret });
    const jobs = createAppJobQueue({
      db: database.db,
      redisUrl: config.REDIS_URL,
      prefix: config.JOB_QUEUE_PREFIX,
      log: (msg) => log('info', msg),
      ...(opts.shutdownTimeoutMs !== undefined ? { closeTimeoutMs: opts.shutdownTimeoutMs } : {}),
    });
    const mode = !config.DATABASE_URL && !config.S3_BUCKET && !config.REDIS_URL ? 'embedded' : 'production';
    return {
      config,
      database,
      db: database.db,
      store,
      jobs,
      secret,
      mode,
      appliedMigrations,
      // Order matters: stop jobs (they use the DB and the store) before closing what they use.
      close: async () => {
        await jobs.close();
        await store.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
