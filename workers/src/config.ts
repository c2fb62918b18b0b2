import { z } from 'zod';
import { checkS3Complete, coreConfigHints, coreConfigShape, parseConfig, type ConfigCheck } from '@duet/core';

/** The workers' configuration: the shared core keys; a workers process needs Redis to receive jobs. */
export const workersConfigSchema = z
  .object({
    ...coreConfigShape,
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
    HEARTBEAT_FILE: z.string().optional(),
  });

/** A separate workers process cannot use the embedded drivers: they belong to one process. */
const checkSeparateProcess: ConfigCheck = (env) => [
  ...(env.REDIS_URL ? [] : [{ key: 'REDIS_URL', problem: 'is required for a separate workers process (without it, `npm start` runs jobs inside the server)' }]),
  ...(env.DATABASE_URL ? [] : [{ key: 'DATABASE_URL', problem: 'is required for a separate workers process (the embedded PGlite database belongs to one process)' }]),
];

export type WorkersConfig = z.infer<typeof workersConfigSchema>;

export function loadWorkersConfig(env: Record<string, string | undefined> = process.env): WorkersConfig {
  return parseConfig(workersConfigSchema, env, coreConfigHints, [checkS3Complete, checkSeparateProcess]);
}
