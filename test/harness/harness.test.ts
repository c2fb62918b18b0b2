import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findPgBin, startPrivatePostgres } from './postgres.js';
import { startPrivateRedis } from './redis.js';

/**
 * The harness's fallback for machines where PostgreSQL and Redis do not run already: it starts
 * private ones from the binaries. Exercised here on purpose, since on this machine the usual
 * servers answer and the fallback would otherwise never run.
 */
describe('test harness fallbacks', () => {
  it('starts a private PostgreSQL from the binaries on a random port', async () => {
    const bin = await findPgBin();
    expect(bin, 'PostgreSQL server binaries (apt-get install postgresql)').not.toBeNull();
    const server = await startPrivatePostgres(bin!);
    try {
      expect(server.origin).toBe('started');
      expect(server.adminUrl).not.toContain(':5432/');
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      const r = await client.query<{ v: string }>(`select current_setting('server_version') as v`);
      expect(r.rows[0]!.v).toMatch(/^\d+/);
      await client.end();
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('starts a private redis-server on a random port', async () => {
    const server = await startPrivateRedis();
    if ('unavailable' in server) throw new Error(server.unavailable);
    try {
      expect(server.url).not.toContain(':6379');
      const redis = new Redis(server.url);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
    } finally {
      await server.stop();
    }
  });
});
