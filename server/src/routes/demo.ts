import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { createRecorderToken, revokeRecorderToken, type DB } from '@duet/core';
import type { Kysely } from 'kysely';
import { requireRole } from '../http/auth-context.js';
import { clientIp } from './auth.js';

const DEMO_DIR = fileURLToPath(new URL('../../demo', import.meta.url));
const RECORDER_BUNDLE = fileURLToPath(new URL('../../../recorder-agent/bundle/duet-recorder.iife.js', import.meta.url));
const DEMO_TOKEN_LABEL = 'demo pages';

/**
 * `/demo`: a softphone with a simulated customer and a small CRM, recorded by the real recorder
 * bundle, so a new user records an interaction with their own microphone in a minute and then
 * replays it. Static pages (no inline scripts: the app's CSP applies) plus the recorder bundle.
 */
export function demoPages(): Router {
  const r = express.Router();
  // Relative links need the trailing slash; '/demo/' itself must not redirect again.
  r.get('/demo', (req, res, next) => (req.originalUrl.split('?')[0] === '/demo' ? res.redirect(302, '/demo/') : next()));
  r.get('/demo/duet-recorder.iife.js', (_req, res) => {
    if (!existsSync(RECORDER_BUNDLE)) return void res.status(503).type('text').send('The recorder bundle is not built: run "npm run build".');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(RECORDER_BUNDLE);
  });
  r.use('/demo', express.static(DEMO_DIR, { index: 'index.html', maxAge: 0 }));
  return r;
}

/**
 * `POST /api/demo/recorder-token`: the signed-in agent gets a recorder token for the demo pages
 * (shown once, like any token). The previous demo token of the same agent is revoked, so trying
 * the demo again never leaves more than one behind. Audited like every token.
 */
export function demoApi(db: Kysely<DB>): Router {
  const r = express.Router();
  r.post('/demo/recorder-token', requireRole('agent'), async (req, res) => {
    const me = req.auth!.principal;
    const actor = { id: me.userId, ip: clientIp(req) };
    const old = await db.selectFrom('recorder_tokens').select('id').where('agent_id', '=', me.userId).where('label', '=', DEMO_TOKEN_LABEL).where('revoked_at', 'is', null).execute();
    for (const t of old) await revokeRecorderToken(db, t.id, actor);
    const created = await createRecorderToken(db, me.userId, DEMO_TOKEN_LABEL, actor);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ token: created.token });
  });
  return r;
}

