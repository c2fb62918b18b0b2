import { z } from 'zod';

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  protocolVersion: z.number(),
  mode: z.enum(['embedded', 'production']),
  drivers: z.object({
    database: z.enum(['pglite', 'postgres']),
    objects: z.enum(['filesystem', 's3']),
    jobs: z.enum(['in-process', 'bullmq']),
  }),
  versions: z.object({ node: z.string(), database: z.string() }),
  migrations: z.object({ applied: z.array(z.string()), pending: z.array(z.string()) }),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
export type Health = z.infer<typeof Health>;
