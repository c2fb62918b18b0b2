import { Router, type Request } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CreateCommentRequest, UpdateCommentRequest } from '@duet/protocol';
import { addComment, deleteComment, listComments, updateComment, type CommentContext, type DB } from '@duet/core';
import { requireAuth } from '../http/auth-context.js';
import { parseInput } from '../http/errors.js';
import { clientIp } from './auth.js';

const InteractionParam = z.object({ id: z.uuid('must be a UUID') });
const CommentParam = z.object({ id: z.uuid('must be a UUID'), commentId: z.uuid('must be a UUID') });

const ctxOf = (req: Request): CommentContext => ({ principal: requireAuth(req).principal, ip: clientIp(req) });

/**
 * Coaching comments pinned to moments: `/api/interactions/:id/comments[/:commentId]`. Who may
 * write, see, edit and delete is decided in core (the authorization module); an interaction or
 * comment one may not see answers 404, like the rest of the interactions API.
 */
export function commentsRouter(db: Kysely<DB>): Router {
  const router = Router();

  router.get('/interactions/:id/comments', async (req, res) => {
    const ctx = ctxOf(req);
    const { id } = parseInput(InteractionParam, req.params, 'path');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ comments: await listComments(db, ctx.principal, id) });
  });

  router.post('/interactions/:id/comments', async (req, res) => {
    const ctx = ctxOf(req);
    const { id } = parseInput(InteractionParam, req.params, 'path');
    res.status(201).json(await addComment(db, ctx, id, parseInput(CreateCommentRequest, req.body)));
  });

  router.patch('/interactions/:id/comments/:commentId', async (req, res) => {
    const ctx = ctxOf(req);
    const { id, commentId } = parseInput(CommentParam, req.params, 'path');
    res.json(await updateComment(db, ctx, id, commentId, parseInput(UpdateCommentRequest, req.body)));
  });

  router.delete('/interactions/:id/comments/:commentId', async (req, res) => {
    const ctx = ctxOf(req);
    const { id, commentId } = parseInput(CommentParam, req.params, 'path');
    await deleteComment(db, ctx, id, commentId);
    res.status(204).end();
  });

  return router;
}
