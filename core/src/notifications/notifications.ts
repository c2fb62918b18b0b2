import type { Kysely } from 'kysely';
import type { MarkNotificationsReadRequest, Notification, NotificationKind, NotificationList, NotificationListQuery } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import type { Principal } from '../auth/authorization.js';
import type { DB } from '../db/schema.js';

/**
 * In-app notifications. They are written inside the transaction of the change they announce
 * (an evaluation submitted, a dispute raised or decided), so a notification exists exactly when
 * its change does. Everyone reads and marks only their own: the recipient is the only reader,
 * so no other rule of the authorization module applies.
 */
export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  title: string;
  body?: string | null;
  link?: string | null;
  evaluationId?: string | null;
}

export async function notify(db: Kysely<DB>, n: NewNotification): Promise<void> {
  await db
    .insertInto('notifications')
    .values({
      user_id: n.userId,
      kind: n.kind,
      title: n.title.slice(0, 300),
      body: n.body ? n.body.slice(0, 2000) : null,
      link: n.link ?? null,
      evaluation_id: n.evaluationId ?? null,
    })
    .execute();
}

/** A user's display name for notification texts ("Sam Supervisor evaluated your call"). */
export async function displayNameOf(db: Kysely<DB>, userId: string): Promise<string> {
  const u = await db.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirst();
  return u?.display_name ?? 'Someone';
}

export async function listNotifications(db: Kysely<DB>, p: Principal, q: NotificationListQuery): Promise<NotificationList> {
  let query = db.selectFrom('notifications').selectAll().where('user_id', '=', p.userId);
  if (q.unreadOnly === 'true') query = query.where('read_at', 'is', null);
  const [rows, count] = await Promise.all([
    query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute(),
    db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', p.userId).where('read_at', 'is', null).executeTakeFirstOrThrow(),
  ]);
  return {
    notifications: rows.map(
      (r): Notification => ({
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        link: r.link,
        createdAt: r.created_at.toISOString(),
        readAt: r.read_at?.toISOString() ?? null,
      }),
    ),
    unread: Number(count.n),
  };
}

/** Marks the user's own notifications read; ids of others' notifications are simply not found. Returns how many changed. */
export async function markNotificationsRead(db: Kysely<DB>, ctx: { principal: Principal; ip?: string | null }, input: MarkNotificationsReadRequest): Promise<{ marked: number; unread: number }> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    let update = trx.updateTable('notifications').set({ read_at: new Date() }).where('user_id', '=', p.userId).where('read_at', 'is', null);
    if (input.ids) update = update.where('id', 'in', input.ids);
    const r = await update.executeTakeFirst();
    const marked = Number(r.numUpdatedRows);
    if (marked) await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'notifications.read', targetType: 'user', targetId: p.userId, detail: { marked, all: Boolean(input.all) } });
    const left = await trx.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', p.userId).where('read_at', 'is', null).executeTakeFirstOrThrow();
    return { marked, unread: Number(left.n) };
  });
}
