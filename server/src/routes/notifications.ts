import { Router } from 'express';
import type { Kysely } from 'kysely';
import { MarkNotificationsReadRequest, NotificationListQuery } from '@duet/protocol';
import { listNotifications, markNotificationsRead, type DB } from '@duet/core';
import { requireAuth } from '../http/auth-context.js';
import { parseInput } from '../http/errors.js';
import { clientIp } from './auth.js';

/** The signed-in user's own notifications: the list (with the unread count) and marking read. */
export function notificationsRouter(db: Kysely<DB>): Router {
  const router = Router();
  router.get('/notifications', async (req, res) => {
    const { principal } = requireAuth(req);
    res.json(await listNotifications(db, principal, parseInput(NotificationListQuery, req.query, 'query')));
  });
  router.post('/notifications/read', async (req, res) => {
    const { principal } = requireAuth(req);
    res.json(await markNotificationsRead(db, { principal, ip: clientIp(req) }, parseInput(MarkNotificationsReadRequest, req.body)));
  });
  return router;
}
