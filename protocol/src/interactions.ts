import { z } from 'zod';

export const InteractionStatus = z.enum(['recording', 'ended', 'finalizing', 'ready', 'failed']);
export type InteractionStatus = z.infer<typeof InteractionStatus>;

export const InteractionSummary = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  agentName: z.string(),
  teamId: z.uuid().nullable(),
  teamName: z.string().nullable(),
  callId: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound']).nullable(),
  status: InteractionStatus,
  endReason: z.enum(['ended', 'idle-timeout']).nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** from start to end; null while recording */
  durationMs: z.number().int().nullable(),
});
export type InteractionSummary = z.infer<typeof InteractionSummary>;

export const InteractionSort = z.enum(['newest', 'oldest', 'longest', 'shortest', 'agent']);
export type InteractionSort = z.infer<typeof InteractionSort>;

/** Filters of the interaction library; every one optional, combined with AND. */
export const InteractionListQuery = z.object({
  agentId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  status: InteractionStatus.optional(),
  /** ISO date-times: started at or after `from`, before `to` */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  minDurationMs: z.coerce.number().int().min(0).optional(),
  maxDurationMs: z.coerce.number().int().min(0).optional(),
  callId: z.string().max(128).optional(),
  /**
   * Order of the list: `newest` (default) or `oldest` start first; `longest` or `shortest` first
   * (calls still recording, whose length is unknown, come last either way); `agent` by agent
   * name A→Z, each agent's newest first. The cursor belongs to one order.
   */
  sort: InteractionSort.default('newest'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** opaque: the `nextCursor` of the previous page */
  cursor: z.string().max(200).optional(),
});
export type InteractionListQuery = z.infer<typeof InteractionListQuery>;

export const InteractionList = z.object({
  interactions: z.array(InteractionSummary),
  /** pass as `cursor` for the next page; null on the last page */
  nextCursor: z.string().nullable(),
  /** interactions matching the filters, all pages together */
  total: z.number().int().min(0),
});
export type InteractionList = z.infer<typeof InteractionList>;

/**
 * `GET /api/directory`: the agents and teams someone may filter the library by — exactly those
 * whose interactions they may see (an agent: themselves; a supervisor: their teams; admins: all).
 */
export const Directory = z.object({
  agents: z.array(z.object({ id: z.uuid(), displayName: z.string(), teamIds: z.array(z.uuid()) })),
  teams: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
export type Directory = z.infer<typeof Directory>;
