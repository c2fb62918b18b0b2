import { z } from 'zod';
import { envBool, type ConfigHints } from './env.js';

/**
 * Keys shared by every Duet process (server and workers). Unset keys mean the embedded default:
 * PGlite under DATA_DIR, objects on the filesystem under DATA_DIR, jobs in-process.
 */
export const coreConfigShape = {
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL')
    .optional(),
  JOB_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'use lower-case letters, digits and dashes')
    .default('duet'),
  S3_ENDPOINT: z.url('must be a URL such as http://minio:9000').optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name (3-63 chars)')
    .optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: envBool.optional(),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  INGEST_IDLE_MINUTES: z.coerce.number().int().min(1, 'must be at least 1').max(24 * 60).default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};

/** A problem found by a cross-key rule, reported beside the per-key ones. */
export interface ConfigProblem {
  key: string;
  problem: string;
}

/** A rule over several keys; it sees the raw environment so it runs even when other keys are bad. */
export type ConfigCheck = (env: Record<string, string>) => ConfigProblem[];

/** S3 is all-or-nothing, so a half-configured store fails at boot, not at the first upload. */
export const checkS3Complete: ConfigCheck = (env) => {
  const required = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'];
  const anyS3 = [...required, 'S3_ENDPOINT'].some((k) => env[k] !== undefined);
  return anyS3 ? required.filter((k) => env[k] === undefined).map((key) => ({ key, problem: 'is required when any S3_* key is set' })) : [];
};

export const coreConfigHints: ConfigHints = {
  DATABASE_URL: 'unset it to use the embedded PGlite database in DATA_DIR/db',
  REDIS_URL: 'unset it to run jobs in-process',
  S3_ENDPOINT: 'unset every S3_* key to store objects in DATA_DIR/objects',
  S3_BUCKET: 'the bucket must exist; docker-compose.yml creates it',
  S3_ACCESS_KEY_ID: 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together',
  S3_SECRET_ACCESS_KEY: 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together',
  SECRET_KEY: 'unset it in embedded mode: Duet then keeps one in DATA_DIR/secret.key',
};

export type CoreConfig = z.infer<z.ZodObject<typeof coreConfigShape>>;
