import { z } from 'zod';

/**
 * In-app notifications: what happened to someone's work while they were away (an evaluation of
 * their call was submitted, a dispute was given to them to review, their dispute was decided).
 * Each carries a link into the app; the top bar shows the unread count.
 */
export const NotificationKind = z.enum(['evaluation_submitted', 'dispute_raised', 'dispute_resolved']);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const Notification = z.object({
  id: z.uuid(),
  kind: NotificationKind,
  title: z.string(),
  body: z.string().nullable(),
  /** an in-app path, e.g. `/interactions/<id>?evaluation=<id>` */
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof Notification>;

export const NotificationList = z.object({
  notifications: z.array(Notification),
  unread: z.number().int(),
});
export type NotificationList = z.infer<typeof NotificationList>;

export const NotificationListQuery = z.object({
  unreadOnly: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

/** Marks some (ids) or all of one's notifications read. */
export const MarkNotificationsReadRequest = z
  .object({ ids: z.array(z.uuid()).min(1).max(200).optional(), all: z.literal(true).optional() })
  .refine((r) => Boolean(r.ids) !== Boolean(r.all), { message: 'send either ids (the notifications to mark read) or all: true', path: ['ids'] });
export type MarkNotificationsReadRequest = z.infer<typeof MarkNotificationsReadRequest>;
