import { z } from 'zod';
import { checkCoreConfig, coreConfigHints, coreConfigShape, parseConfig } from '@duet/core';

/** The workers' configuration: the shared core keys; a workers process needs Redis to receive jobs. */
export const workersConfigSchema = z
  .object({
    ...coreConfigShape,
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
    HEARTBEAT_FILE: z.string().optional(),
  })
  .superRefine(checkCoreConfig)
  .superRefine((cfg, ctx) => {
    if (!cfg.REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'is required for a separate workers process (without it, `npm start` runs jobs inside the server)',
      });
    }
    if (!cfg.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required for a separate workers process (the embedded PGlite database belongs to one process)',
      });
    }
  });

export type WorkersConfig = z.infer<typeof workersConfigSchema>;

export function loadWorkersConfig(env: Record<string, string | undefined> = process.env): WorkersConfig {
  return parseConfig(workersConfigSchema, env, coreConfigHints);
}
