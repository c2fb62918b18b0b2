import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient } from '../harness/app.js';
import { freePort } from '../harness/ports.js';
import { productionEnv, removeRedisKeys, startProcess, waitFor, type Proc } from '../harness/processes.js';
import { createTestDatabase } from '../harness/postgres.js';
import { startS3, type S3TestServer } from '../harness/s3.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pgUrl = inject('postgresAdminUrl');
const redisUrl = inject('redisUrl');
const unavailable = !pgUrl || !redisUrl ? 'needs PostgreSQL and Redis (see the harness warning)' : null;

/**
 * The production topology of docker-compose.yml, run by hand: the server and the workers as two
 * separate processes (the built entry points) against PostgreSQL, Redis and an S3 server.
 */
describe.skipIf(unavailable)('production topology: server and workers as two processes', () => {
  let s3: S3TestServer;
  let database: { url: string; drop(): Promise<void> };
  let server: Proc;
  let workers: Proc;
  let url: string;
  let env: ReturnType<typeof productionEnv>;

  beforeAll(async () => {
    for (const built of ['server/dist/main.js', 'workers/dist/main.js']) {
      if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run "npm run build" (npm test does)`);
    }
    s3 = await startS3();
    database = await createTestDatabase(pgUrl!);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = productionEnv({ databaseUrl: database.url, redisUrl: redisUrl!, s3 });
    server = startProcess('server/dist/main.js', { ...env, PORT: String(port), ADMIN_PASSWORD: 'topology-admin-pw' });
    await waitFor('the server to answer /api/health', async () => ((await fetch(`${url}/api/health`)).ok ? true : undefined), [server]);
    workers = startProcess('workers/dist/main.js', env);
    await waitFor('the workers to be ready', async () => (workers.output.join('').includes('workers ready') ? true : undefined), [workers]);
  }, 90_000);

  afterAll(async () => {
    for (const p of [server, workers]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (env) await removeRedisKeys(redisUrl!, `bull:${env.JOB_QUEUE_PREFIX}-`);
    await database?.drop();
    await s3?.close();
  });

  it('uses the production drivers and bootstraps the first admin', async () => {
    const health = await (await fetch(`${url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', mode: 'production', drivers: { database: 'postgres', objects: 's3', jobs: 'bullmq' } });
    const admin = new ApiClient(url);
    expect((await admin.login('admin', 'topology-admin-pw')).status).toBe(200);
    // No demo people in production.
    expect((await admin.get('/api/admin/users')).body.users).toHaveLength(1);
  });

  it('runs a job enqueued by the server in the workers process', async () => {
    const admin = new ApiClient(url);
    await admin.login('admin', 'topology-admin-pw');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(
        `insert into sessions (id, user_id, csrf_token, expires_at) select 'expired-session', id, 'x', now() - interval '1 hour' from users limit 1`,
      );
      const started = await admin.post('/api/admin/maintenance/purge-sessions');
      expect(started.status).toBe(202);
      const job = await waitFor(
        'the purge job to finish',
        async () => {
          const r = await admin.get(`/api/admin/jobs/${encodeURIComponent(started.body.jobId)}`);
          return r.body.state === 'done' || r.body.state === 'failed' ? r.body : undefined;
        },
        [server, workers],
      );
      expect(job).toMatchObject({ state: 'done', attempts: 1, progress: 1 });
      const left = await client.query(`select id from sessions where id = 'expired-session'`);
      expect(left.rows).toEqual([]);
      expect(workers.output.join('')).toMatch(/purge-expired-sessions/);
    } finally {
      await client.end();
    }
  });

  it('both processes stop cleanly on SIGTERM', async () => {
    workers.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    expect(await workers.exited).toBe(0);
    expect(await server.exited).toBe(0);
  });
});
