import { JOB_POLICY, migrateToLatest, openDatabase, type Database, type JobContext } from '@duet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerDeps } from './deps.js';
import { createHandlers } from './registry.js';

/** Handlers only touch what their test gives them; the rest stays an empty stand-in. */
function depsWith(parts: Partial<WorkerDeps> = {}): WorkerDeps {
  return { db: {}, store: {}, log: () => {}, ...parts } as WorkerDeps;
}

// The types already make the registry exhaustive; this catches what types cannot see (a key
// spelled differently at runtime, a policy entry added through a cast), as immich checks at boot.
describe('job handler registry', () => {
  it('has a handler for every job type in the policy table, and nothing else', () => {
    const handlers = createHandlers(depsWith());
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(JOB_POLICY).sort());
    for (const handler of Object.values(handlers)) expect(typeof handler).toBe('function');
  });

  it('has a sane policy for every job type', () => {
    for (const [type, policy] of Object.entries(JOB_POLICY)) {
      expect(Number.isInteger(policy.attempts) && policy.attempts >= 1, `${type}.attempts`).toBe(true);
      expect(Number.isInteger(policy.concurrency) && policy.concurrency >= 1, `${type}.concurrency`).toBe(true);
      expect(policy.backoffMs >= 0 && policy.timeoutMs > 0, `${type} backoff/timeout`).toBe(true);
    }
  });
});

describe('purge-expired-sessions', () => {
  let database: Database;
  const logs: string[] = [];
  const ctx: JobContext = {
    jobId: 'purge-test',
    attempt: 1,
    signal: new AbortController().signal,
    progress: async () => {},
    log: (msg) => void logs.push(msg),
  };

  beforeAll(async () => {
    database = await openDatabase({ pgliteDir: 'memory://' });
    await migrateToLatest(database.db);
  });
  afterAll(async () => database?.close());

  it('deletes expired sessions and login attempts older than 24 h, nothing else', async () => {
    const { db } = database;
    const user = await db
      .insertInto('users')
      .values({ username: 'purge', display_name: 'P', password_hash: 'x', employment_type: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const minutes = (n: number) => new Date(Date.now() + n * 60_000);
    await db
      .insertInto('sessions')
      .values([
        { id: 'expired-long-ago', user_id: user.id, csrf_token: 'c', ip: null, user_agent: null, expires_at: minutes(-120) },
        { id: 'expired-just-now', user_id: user.id, csrf_token: 'c', ip: null, user_agent: null, expires_at: minutes(-1) },
        { id: 'alive', user_id: user.id, csrf_token: 'c', ip: null, user_agent: null, expires_at: minutes(60) },
      ])
      .execute();
    await db
      .insertInto('login_attempts')
      .values([
        { username: 'purge', ip: '10.0.0.1', success: false, at: minutes(-25 * 60) },
        { username: 'purge', ip: '10.0.0.1', success: false, at: minutes(-23 * 60) },
      ])
      .execute();
    const purge = createHandlers(depsWith({ db }))['purge-expired-sessions'];

    await purge({ olderThanMinutes: 60 }, ctx);
    const left = async () => (await db.selectFrom('sessions').select('id').orderBy('id').execute()).map((s) => s.id);
    expect(await left()).toEqual(['alive', 'expired-just-now']);
    expect(await db.selectFrom('login_attempts').select('id').execute()).toHaveLength(1);

    await purge({}, ctx);
    expect(await left()).toEqual(['alive']);
    expect(logs.at(-1)).toMatch(/purged 1 expired sessions and 0 old login attempts/);
  });

  it('refuses a payload that can never work, without retries', async () => {
    const purge = createHandlers(depsWith({ db: database.db }))['purge-expired-sessions'];
    await expect(purge({ olderThanMinutes: -5 }, ctx)).rejects.toMatchObject({ name: 'UnrecoverableJobError' });
  });
});
