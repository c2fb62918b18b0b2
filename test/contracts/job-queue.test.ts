import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../core/src/db/database.js';
import type { JobRunRow } from '../../core/src/db/schema.js';
import { bullQueueName } from '../../core/src/jobs/bullmq.js';
import { createJobQueue } from '../../core/src/jobs/index.js';
import { JobLedger } from '../../core/src/jobs/ledger.js';
import type { JobPolicies } from '../../core/src/jobs/policy.js';
import { JobTimeoutError, UnrecoverableJobError, type JobHandlers, type JobQueue } from '../../core/src/jobs/queue.js';
import { reconcileJobs } from '../../core/src/jobs/reconciler.js';
import { databaseDrivers } from '../harness/databases.js';

/** Test-only job types, so the contract does not depend on the application's jobs. */
interface TestJobs {
  work: { tag: string };
  narrow: { tag: string };
  slow: { tag: string };
}
const POLICY: JobPolicies<TestJobs> = {
  work: { attempts: 3, backoffMs: 20, concurrency: 4, timeoutMs: 5_000 },
  narrow: { attempts: 1, backoffMs: 20, concurrency: 2, timeoutMs: 5_000 },
  slow: { attempts: 2, backoffMs: 20, concurrency: 1, timeoutMs: 150 },
};
const TYPES = Object.keys(POLICY);

const redisUrl = inject('redisUrl');
const [pglite, postgres] = databaseDrivers();
const bullDatabase = postgres!.unavailable ? pglite! : postgres!;
const cases = [
  { name: 'in-process on PGlite', unavailable: null, database: pglite!, redisUrl: undefined },
  {
    name: `bullmq on ${bullDatabase.name}`,
    unavailable: redisUrl ? null : 'no Redis (see the harness warning above)',
    database: bullDatabase,
    redisUrl: redisUrl ?? undefined,
  },
];

for (const c of cases) {
  describe.skipIf(c.unavailable)(`job queue contract: ${c.name}`, () => {
    let database: Database & { dispose(): Promise<void> };
    let prefix: string;
    let opened: JobQueue<TestJobs>[] = [];
    const ledger = () => new JobLedger(database.db);

    /** A queue as a fresh process would create it; closed after the test. */
    function newQueue(): JobQueue<TestJobs> {
      const queue = createJobQueue<TestJobs>({ db: database.db, policy: POLICY, redisUrl: c.redisUrl, prefix, closeTimeoutMs: 5_000 });
      opened.push(queue);
      return queue;
    }

    /** Every handler must be given (the registry is exhaustive); unused ones fail the test loudly. */
    function handlers(some: Partial<JobHandlers<TestJobs>>): JobHandlers<TestJobs> {
      const unexpected = async () => {
        throw new Error('handler not expected in this test');
      };
      return { work: unexpected, narrow: unexpected, slow: unexpected, ...some };
    }

    async function finished(jobId: string): Promise<JobRunRow> {
      return waitFor(async () => {
        const row = await ledger().get(jobId);
        return row && (row.state === 'done' || row.state === 'failed') ? row : undefined;
      }, `job ${jobId} to finish`);
    }

    beforeAll(async () => {
      database = await c.database.open();
    });
    afterAll(async () => database?.dispose());

    beforeEach(async () => {
      await database.db.deleteFrom('job_runs').execute();
      prefix = `duet-test-${randomUUID().slice(0, 8)}`;
      opened = [];
    });

    afterEach(async () => {
      await Promise.all(opened.map((q) => q.close()));
      if (c.redisUrl) await removeOwnQueues(c.redisUrl, prefix);
    });

    it('runs a job once with its payload and records it', async () => {
      const calls: unknown[] = [];
      const queue = newQueue();
      await queue.start(handlers({ work: async (payload, ctx) => void calls.push({ payload, jobId: ctx.jobId, attempt: ctx.attempt }) }));
      // ':' is BullMQ's key separator; the driver must accept it in our ids.
      expect(await queue.enqueue('work', { tag: 'a' }, { jobId: 'work:a' })).toEqual({ enqueued: true });
      const row = await finished('work:a');
      expect(calls).toEqual([{ payload: { tag: 'a' }, jobId: 'work:a', attempt: 1 }]);
      expect(row).toMatchObject({ type: 'work', payload: { tag: 'a' }, state: 'done', attempts: 1, progress: 1, last_error: null });
      expect(row.finished_at).toBeInstanceOf(Date);
    });

    it('runs the same jobId once, requested concurrently or after completion', async () => {
      let runs = 0;
      // The job stays running until every concurrent request has been answered: on a loaded
      // machine a 50 ms job could otherwise finish before the last request reads the ledger, and
      // that request would rightly say "already done".
      let allAnswered!: () => void;
      const answered = new Promise<void>((r) => (allAnswered = r));
      const queue = newQueue();
      await queue.start(handlers({ work: async () => void (runs++, await answered) }));
      const results = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue('work', { tag: 'x' }, { jobId: 'same' })));
      allAnswered();
      expect(results.every((r) => r.enqueued)).toBe(true);
      await finished('same');
      expect(await queue.enqueue('work', { tag: 'x' }, { jobId: 'same' })).toEqual({ enqueued: false });
      await sleep(200);
      expect(runs).toBe(1);
      expect(await ledger().get('same')).toMatchObject({ state: 'done', attempts: 1 });
    });

    it('retries a failing handler with exponential backoff until it succeeds', async () => {
      const starts: number[] = [];
      const queue = newQueue();
      await queue.start(
        handlers({
          work: async (_p, ctx) => {
            starts.push(Date.now());
            if (ctx.attempt < 3) throw new Error(`boom on attempt ${ctx.attempt}`);
          },
        }),
      );
      await queue.enqueue('work', { tag: 'r' }, { jobId: 'flaky' });
      const row = await finished('flaky');
      expect(row).toMatchObject({ state: 'done', attempts: 3 });
      expect(row.last_error).toContain('boom on attempt 2');
      expect(starts).toHaveLength(3);
      // backoffMs 20: 20 ms before attempt 2, 40 ms before attempt 3 (a little slack for timer granularity).
      expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(18);
      expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(38);
    });

    it('ends failed with last_error when attempts run out, and runs again when requested again', async () => {
      let broken = true;
      let runs = 0;
      const queue = newQueue();
      await queue.start(
        handlers({
          work: async () => {
            runs++;
            if (broken) throw new Error('always broken');
          },
        }),
      );
      await queue.enqueue('work', { tag: 'f' }, { jobId: 'doomed' });
      const row = await finished('doomed');
      expect(row).toMatchObject({ state: 'failed', attempts: 3 });
      expect(row.last_error).toMatch(/^Error: always broken/);
      expect(row.finished_at).toBeInstanceOf(Date);
      await sleep(150);
      expect(runs).toBe(3);

      broken = false;
      expect(await queue.enqueue('work', { tag: 'f2' }, { jobId: 'doomed' })).toEqual({ enqueued: true });
      const again = await waitFor(async () => {
        const r = await ledger().get('doomed');
        return r?.state === 'done' ? r : undefined;
      }, 'the re-requested job to finish');
      expect(again).toMatchObject({ attempts: 1, payload: { tag: 'f2' } });
      expect(runs).toBe(4);
    });

    it('fails at once on UnrecoverableJobError', async () => {
      let runs = 0;
      const queue = newQueue();
      await queue.start(
        handlers({
          work: async () => {
            runs++;
            throw new UnrecoverableJobError('payload can never work');
          },
        }),
      );
      await queue.enqueue('work', { tag: 'u' }, { jobId: 'hopeless' });
      const row = await finished('hopeless');
      expect(row).toMatchObject({ state: 'failed', attempts: 1 });
      expect(row.last_error).toContain('UnrecoverableJobError: payload can never work');
      await sleep(150);
      expect(runs).toBe(1);
    });

    it('aborts the signal on timeout and counts the attempt as failed', async () => {
      const reasons: unknown[] = [];
      const queue = newQueue();
      await queue.start(
        handlers({
          slow: async (_p, ctx) => {
            if (ctx.attempt > 1) return;
            await new Promise<void>((_, reject) =>
              ctx.signal.addEventListener('abort', () => {
                reasons.push(ctx.signal.reason);
                reject(ctx.signal.reason as Error);
              }),
            );
          },
        }),
      );
      const t0 = Date.now();
      await queue.enqueue('slow', { tag: 't' }, { jobId: 'sleepy' });
      const row = await finished('sleepy');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toBeInstanceOf(JobTimeoutError);
      expect(row).toMatchObject({ state: 'done', attempts: 2 });
      expect(row.last_error).toContain('timed out after 150 ms');
    });

    it('never runs more jobs of a type at once than its concurrency', async () => {
      let active = 0;
      let peak = 0;
      const queue = newQueue();
      await queue.start(
        handlers({
          narrow: async () => {
            peak = Math.max(peak, ++active);
            await sleep(60);
            active--;
          },
        }),
      );
      const ids = Array.from({ length: 6 }, (_, i) => `narrow-${i}`);
      await Promise.all(ids.map((jobId) => queue.enqueue('narrow', { tag: jobId }, { jobId })));
      for (const id of ids) expect(await finished(id)).toMatchObject({ state: 'done' });
      expect(peak).toBe(POLICY.narrow.concurrency);
    });

    it('persists progress, clamped to 0..1 and throttled', async () => {
      const step = gate();
      const end = gate();
      const queue = newQueue();
      await queue.start(
        handlers({
          work: async (_p, ctx) => {
            await ctx.progress(1.7);
            await step.wait;
            await ctx.progress(0.1);
            await ctx.progress(0.25); // within the throttle interval: only the latest value is written
            await end.wait;
          },
        }),
      );
      await queue.enqueue('work', { tag: 'p' }, { jobId: 'progressing' });
      await waitFor(async () => (await ledger().get('progressing'))?.progress === 1, 'clamped progress 1');
      expect((await ledger().get('progressing'))?.state).toBe('running');
      step.open();
      await waitFor(async () => (await ledger().get('progressing'))?.progress === 0.25, 'progress 0.25');
      end.open();
      expect(await finished('progressing')).toMatchObject({ state: 'done', progress: 1 });
    });

    it('hands a job over only after its transaction commits, and never after a rollback', async () => {
      const ran: string[] = [];
      const queue = newQueue();
      await queue.start(handlers({ work: async (p) => void ran.push(p.tag) }));

      await expect(
        queue.transaction(async (trx) => {
          await trx.insertInto('teams').values({ name: 'rolled back team' }).execute();
          await queue.enqueue('work', { tag: 'rolled back' }, { jobId: 'tx-rollback' }, trx);
          throw new Error('domain failure');
        }),
      ).rejects.toThrow('domain failure');

      await queue.transaction(async (trx) => {
        await trx.insertInto('teams').values({ name: 'committed team' }).execute();
        await queue.enqueue('work', { tag: 'committed' }, { jobId: 'tx-commit' }, trx);
        await sleep(100);
        expect(ran).toEqual([]); // recorded, but not handed over yet
      });
      await finished('tx-commit');
      await sleep(100);
      expect(ran).toEqual(['committed']);
      expect(await ledger().get('tx-rollback')).toBeUndefined();
      const teams = await database.db.selectFrom('teams').select('name').where('name', 'like', '% team').execute();
      expect(teams.map((t) => t.name)).toEqual(['committed team']);

      // A transaction the queue did not open: it cannot know when it commits, so it refuses.
      await expect(
        database.db.transaction().execute((trx) => queue.enqueue('work', { tag: 'x' }, { jobId: 'tx-foreign' }, trx)),
      ).rejects.toThrow(/queue\.transaction\(\)/);
      await database.db.deleteFrom('teams').execute();
    });

    it('delays a job by delayMs', async () => {
      let startedAt = 0;
      const queue = newQueue();
      await queue.start(handlers({ work: async () => void (startedAt = Date.now()) }));
      const t0 = Date.now();
      await queue.enqueue('work', { tag: 'd' }, { jobId: 'later', delayMs: 250 });
      await finished('later');
      expect(startedAt - t0).toBeGreaterThanOrEqual(245);
    });

    it('reconciles unfinished ledger rows left by a crashed process, running each once', async () => {
      const rows = [
        { job_id: 'left-queued', type: 'work', state: 'queued' as const, attempts: 0 },
        { job_id: 'left-running', type: 'work', state: 'running' as const, attempts: 1 },
        { job_id: 'left-done', type: 'work', state: 'done' as const, attempts: 1 },
        { job_id: 'left-failed', type: 'work', state: 'failed' as const, attempts: 3 },
        { job_id: 'newer-version', type: 'retired-or-future', state: 'queued' as const, attempts: 0 },
      ];
      await database.db
        .insertInto('job_runs')
        .values(rows.map((r) => ({ ...r, payload: JSON.stringify({ tag: r.job_id }) })))
        .execute();

      const ran: string[] = [];
      const hold = gate();
      const queue = newQueue();
      await queue.start(handlers({ work: async (p) => void (await hold.wait, ran.push(p.tag)) }));
      const extra = async () => [
        { type: 'work' as const, payload: { tag: 'left-done' }, jobId: 'left-done' },
        { type: 'work' as const, payload: { tag: 'from-domain' }, jobId: 'from-domain' },
      ];
      // Every process runs it at start-up; running it twice must not duplicate anything.
      expect(await reconcileJobs(database.db, queue, [extra])).toBe(3);
      expect(await reconcileJobs(database.db, queue, [extra])).toBe(3);
      hold.open();

      for (const id of ['left-queued', 'left-running', 'from-domain']) expect(await finished(id)).toMatchObject({ state: 'done' });
      await sleep(200);
      expect(ran.sort()).toEqual(['from-domain', 'left-queued', 'left-running']);
      expect(await ledger().get('left-running')).toMatchObject({ attempts: 2 });
      expect(await ledger().get('left-failed')).toMatchObject({ state: 'failed', attempts: 3 });
      expect(await ledger().get('newer-version')).toMatchObject({ state: 'queued', attempts: 0 });
    });

    it('close() waits for a running job; waiting ones stay queued for the reconciler', async () => {
      const started = gate();
      let finishedAt = 0;
      const queue = newQueue();
      await queue.start(
        handlers({
          work: async () => {
            started.open();
            await sleep(300);
            finishedAt = Date.now();
          },
        }),
      );
      await queue.enqueue('work', { tag: 'c' }, { jobId: 'in-flight' });
      await queue.enqueue('work', { tag: 'w' }, { jobId: 'not-yet', delayMs: 60_000 });
      await started.wait;
      await queue.close();
      expect(finishedAt).toBeGreaterThan(0);
      expect(Date.now()).toBeGreaterThanOrEqual(finishedAt);
      expect(await ledger().get('in-flight')).toMatchObject({ state: 'done' });
      expect(await ledger().get('not-yet')).toMatchObject({ state: 'queued', attempts: 0 });
    });

    it('lets a producer-only process enqueue for a separate consumer', async () => {
      const ran: string[] = [];
      const producer = newQueue(); // the server: never started
      const consumer = newQueue(); // the workers process
      await consumer.start(handlers({ work: async (p) => void ran.push(p.tag) }));
      await producer.enqueue('work', { tag: 'across' }, { jobId: 'cross-process' });
      if (!c.redisUrl) {
        // In-process queues share no memory across processes: the job waits in the ledger
        // until a consuming process reconciles, which is what every start-up does.
        await sleep(100);
        expect(await ledger().get('cross-process')).toMatchObject({ state: 'queued', attempts: 0 });
        expect(await reconcileJobs(database.db, consumer)).toBe(1);
      }
      await finished('cross-process');
      expect(ran).toEqual(['across']);
    });
  });
}

/** Obliterates this test's queues (only its own prefix) and checks that no key is left behind. */
async function removeOwnQueues(url: string, prefix: string): Promise<void> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  try {
    for (const type of TYPES) {
      const queue = new Queue(bullQueueName(prefix, type), { connection });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    const left = await connection.keys(`bull:${prefix}-*`);
    expect(left, 'Redis keys left behind by this test').toEqual([]);
  } finally {
    await connection.quit();
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(15);
  }
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
