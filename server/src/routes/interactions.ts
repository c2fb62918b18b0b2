import { Router } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { InteractionListQuery } from '@duet/protocol';
import { audioDownloadFor, audit, auditPlay, directoryFor, getInteraction, listInteractions, mediaFor, type DB, type ObjectStore } from '@duet/core';
import { requireAuth } from '../http/auth-context.js';
import { parseInput } from '../http/errors.js';
import { clientIp } from './auth.js';

const IdParam = z.object({ id: z.uuid('must be a UUID') });

/** The interaction library and detail; every answer is scoped by the authorization module. */
export function interactionsRouter(db: Kysely<DB>, store: ObjectStore): Router {
  const router = Router();

  router.get('/interactions', async (req, res) => {
    const auth = requireAuth(req);
    res.json(await listInteractions(db, auth.principal, parseInput(InteractionListQuery, req.query, 'query')));
  });

  // Filter options of the library: the agents and teams whose interactions this person may see.
  router.get('/directory', async (req, res) => {
    const auth = requireAuth(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await directoryFor(db, auth.principal));
  });

  // The summary is what the library already lists, so reading it is not audited; playing is.
  router.get('/interactions/:id', async (req, res) => {
    const auth = requireAuth(req);
    const { id } = parseInput(IdParam, req.params, 'path');
    res.json(await getInteraction(db, auth.principal, id));
  });

  // Every play and download is audited: who, which interaction, from where. A play is audited
  // once per viewing (renewed links and re-checks within the window are the same play); the
  // media files themselves are fetched by signed URL and write nothing.
  router.get('/interactions/:id/media', async (req, res) => {
    const auth = requireAuth(req);
    const { id } = parseInput(IdParam, req.params, 'path');
    const media = await mediaFor(db, store, auth.principal, id);
    await auditPlay(db, { actorId: auth.principal.userId, interactionId: id, ip: clientIp(req) });
    res.json(media);
  });

  router.get('/interactions/:id/download', async (req, res) => {
    const auth = requireAuth(req);
    const { id } = parseInput(IdParam, req.params, 'path');
    const link = await audioDownloadFor(db, store, auth.principal, id);
    await audit(db, { actorId: auth.principal.userId, ip: clientIp(req), action: 'media.download', targetType: 'interaction', targetId: id });
    res.json(link);
  });

  return router;
}
