import { Router } from 'express';
import { sql } from 'kysely';
import { PROTOCOL_VERSION, type Health } from '@duet/protocol';
import { migrationStatus, type CoreRuntime } from '@duet/core';

export const DUET_VERSION = '0.1.0';

/** What runs where: drivers, versions, migrations and a live check of each adapter. */
export function healthRouter(core: CoreRuntime): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const checks: Health['checks'] = {};
    const check = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        checks[name] = { ok: true };
      } catch (err) {
        checks[name] = { ok: false, detail: (err as Error).message };
      }
    };
    let dbVersion = 'unknown';
    await check('database', async () => {
      await sql`select 1`.execute(core.db);
      dbVersion = await core.database.serverVersion();
    });
    await check('objects', () => core.store.head('health/probe'));
    const migrations = await migrationStatus(core.db).catch(() => ({ applied: [], pending: [] }));
    const body: Health = {
      status: Object.values(checks).every((c) => c.ok) && migrations.pending.length === 0 ? 'ok' : 'degraded',
      version: DUET_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      mode: core.mode,
      drivers: { database: core.database.driver, objects: core.store.driver, jobs: core.jobs.driver },
      versions: { node: process.version, database: dbVersion },
      migrations,
      checks,
    };
    res.setHeader('Cache-Control', 'no-store');
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  return router;
}
