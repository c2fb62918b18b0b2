import { Router, type Request } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  CreateGrantRequest,
  CreateIntegrationTokenRequest,
  CreateRecorderTokenRequest,
  CreateTeamRequest,
  CreateUserRequest,
  UpdateTeamRequest,
  UpdateUserRequest,
} from '@duet/protocol';
import {
  createGrant,
  createIntegrationToken,
  createRecorderToken,
  createTeam,
  createUser,
  deleteGrant,
  listAudit,
  listGrants,
  listIntegrationTokens,
  listRecorderTokens,
  listTeams,
  listUsers,
  getUser,
  NotFound,
  revokeIntegrationToken,
  revokeRecorderToken,
  updateTeam,
  updateUser,
  audit,
  type Actor,
  type AppJobQueue,
  type DB,
} from '@duet/core';
import { requireAuth, requireRole } from '../http/auth-context.js';
import { parseInput } from '../http/errors.js';
import { clientIp } from './auth.js';

const IdParam = z.object({ id: z.uuid('must be a UUID') });
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().regex(/^\d+$/, 'must be an audit entry id').optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(100).optional(),
});

const actorOf = (req: Request): Actor => ({ id: requireAuth(req).principal.userId, ip: clientIp(req) });
const idOf = (req: Request) => parseInput(IdParam, req.params, 'path').id;

/** Administration: users, teams, grants, recorder and integration tokens, and the audit log. Admins only. */
export function adminRouter(db: Kysely<DB>, jobs: AppJobQueue): Router {
  const router = Router();
  router.use('/admin', requireRole('admin'));

  router.get('/admin/users', async (_req, res) => {
    res.json({ users: await listUsers(db) });
  });
  router.get('/admin/users/:id', async (req, res) => {
    res.json(await getUser(db, idOf(req)));
  });
  router.post('/admin/users', async (req, res) => {
    res.status(201).json(await createUser(db, parseInput(CreateUserRequest, req.body), actorOf(req)));
  });
  router.patch('/admin/users/:id', async (req, res) => {
    res.json(await updateUser(db, idOf(req), parseInput(UpdateUserRequest, req.body), actorOf(req)));
  });

  router.get('/admin/teams', async (_req, res) => {
    res.json({ teams: await listTeams(db) });
  });
  router.post('/admin/teams', async (req, res) => {
    res.status(201).json(await createTeam(db, parseInput(CreateTeamRequest, req.body), actorOf(req)));
  });
  router.patch('/admin/teams/:id', async (req, res) => {
    res.json(await updateTeam(db, idOf(req), parseInput(UpdateTeamRequest, req.body), actorOf(req)));
  });

  router.get('/admin/grants', async (_req, res) => {
    res.json({ grants: await listGrants(db) });
  });
  router.post('/admin/grants', async (req, res) => {
    const body = parseInput(CreateGrantRequest, req.body);
    res.status(201).json(await createGrant(db, body.userId, body.teamId, actorOf(req)));
  });
  router.delete('/admin/grants/:id', async (req, res) => {
    await deleteGrant(db, idOf(req), actorOf(req));
    res.status(204).end();
  });

  router.get('/admin/recorder-tokens', async (_req, res) => {
    res.json({ tokens: await listRecorderTokens(db) });
  });
  router.post('/admin/recorder-tokens', async (req, res) => {
    const body = parseInput(CreateRecorderTokenRequest, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(await createRecorderToken(db, body.agentId, body.label, actorOf(req)));
  });
  router.delete('/admin/recorder-tokens/:id', async (req, res) => {
    res.json(await revokeRecorderToken(db, idOf(req), actorOf(req)));
  });

  // Integration tokens: for systems (a phone system uploading recordings, a CTI connector), scoped.
  router.get('/admin/integration-tokens', async (_req, res) => {
    res.json({ tokens: await listIntegrationTokens(db) });
  });
  router.post('/admin/integration-tokens', async (req, res) => {
    const body = parseInput(CreateIntegrationTokenRequest, req.body);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(await createIntegrationToken(db, body.label, body.scopes, actorOf(req)));
  });
  router.delete('/admin/integration-tokens/:id', async (req, res) => {
    res.json(await revokeIntegrationToken(db, idOf(req), actorOf(req)));
  });

  router.get('/admin/audit', async (req, res) => {
    res.json({ entries: await listAudit(db, parseInput(AuditQuery, req.query, 'query')) });
  });

  // Maintenance runs as a job like any other work, so it shows in the job ledger with progress.
  router.post('/admin/maintenance/purge-sessions', async (req, res) => {
    const jobId = `purge-expired-sessions:${new Date().toISOString().slice(0, 16)}`;
    const { enqueued } = await jobs.enqueue('purge-expired-sessions', {}, { jobId });
    await audit(db, { ...actorLog(req), action: 'maintenance.purge_sessions', targetType: 'job', targetId: jobId });
    res.status(202).json({ jobId, enqueued });
  });
  router.get('/admin/jobs/:jobId', async (req, res) => {
    const jobId = parseInput(z.object({ jobId: z.string().min(1).max(200) }), req.params, 'path').jobId;
    const row = await db.selectFrom('job_runs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    if (!row) throw new NotFound('Job');
    res.json({
      jobId: row.job_id,
      type: row.type,
      state: row.state,
      attempts: row.attempts,
      progress: row.progress,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
    });
  });

  return router;
}

const actorLog = (req: Request) => {
  const a = actorOf(req);
  return { actorId: a.id, ip: a.ip ?? null };
};
