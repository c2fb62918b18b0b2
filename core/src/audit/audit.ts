import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface AuditEvent {
  actorId: string | null;
  /** dotted verb, e.g. `auth.login`, `user.create`, `recorder_token.revoke`, `media.play` */
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Appends to the audit log. Pass the transaction that makes the audited change so the change
 * and its audit row commit or roll back together.
 */
export async function audit(db: Kysely<DB>, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: event.actorId,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      ip: event.ip ?? null,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  limit: number;
  /** return entries older than this id (keyset pagination, newest first) */
  before?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
}

export async function listAudit(db: Kysely<DB>, q: AuditQuery) {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select((eb) => [
      eb.cast<string>('a.id', 'text').as('id'),
      'a.at',
      'a.actor_id',
      'u.display_name as actor_name',
      'a.action',
      'a.target_type',
      'a.target_id',
      'a.ip',
      'a.detail',
    ])
    .orderBy('a.id', 'desc')
    .limit(q.limit);
  if (q.before) query = query.where('a.id', '<', q.before);
  if (q.action) query = query.where('a.action', '=', q.action);
  if (q.targetType) query = query.where('a.target_type', '=', q.targetType);
  if (q.targetId) query = query.where('a.target_id', '=', q.targetId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    detail: r.detail,
  }));
}
