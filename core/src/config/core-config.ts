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
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
};

/** Cross-key rules: S3 is all-or-nothing, so a half-configured store fails at boot, not at upload. */
export function checkCoreConfig(
  cfg: { S3_BUCKET?: string | undefined; S3_ACCESS_KEY_ID?: string | undefined; S3_SECRET_ACCESS_KEY?: string | undefined; S3_ENDPOINT?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  const s3Keys = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
  const anyS3 = s3Keys.some((k) => cfg[k] !== undefined) || cfg.S3_ENDPOINT !== undefined;
  if (!anyS3) return;
  for (const k of s3Keys) {
    if (cfg[k] === undefined) {
      ctx.addIssue({ code: 'custom', path: [k], message: 'is required when any S3_* key is set' });
    }
  }
}

export const coreConfigHints: ConfigHints = {
  DATABASE_URL: 'unset it to use the embedded PGlite database in DATA_DIR/db',
  REDIS_URL: 'unset it to run jobs in-process',
  S3_ENDPOINT: 'unset every S3_* key to store objects in DATA_DIR/objects',
  S3_BUCKET: 'the bucket must exist; docker-compose.yml creates it',
  S3_ACCESS_KEY_ID: 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together',
  S3_SECRET_ACCESS_KEY: 'set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together',
  SECRET_KEY: 'unset it in embedded mode: Duet then keeps one in DATA_DIR/secret.key',
};

const coreSchema = z.object(coreConfigShape);
export type CoreConfig = z.infer<typeof coreSchema>;
