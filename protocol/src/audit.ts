import { z } from 'zod';

/** One row of the append-only audit log, as the admin API shows it. */
export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.uuid().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const GrantSummary = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  teamId: z.uuid(),
  createdAt: z.string(),
});
export type GrantSummary = z.infer<typeof GrantSummary>;
