/**
 * The Duet server under test, in its own process so its CPU and memory are its own: the
 * production server face (`runServer` without job handlers: it only enqueues, as in
 * docker-compose) on PostgreSQL + Redis + the filesystem object store. Driven over IPC by
 * index.ts: `provision` creates agents and recorder tokens, `stats` reports what the process saw.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { createRecorderToken } from '@duet/core';
import { runServer, type RunningServer } from '@duet/server';
import { serveRequests } from '../lib/child.js';

// Optional: time every SQL round trip and every pool checkout (BENCH_QUERY_TIMING=1). This wraps
// the driver's client, so it costs the server a little CPU; the ramp runs without it.
interface QueryStat {
  count: number;
  totalMs: number;
  samples: number[];
}
const queryStats = new Map<string, QueryStat>();
const poolWaits: number[] = [];
if (process.env.BENCH_QUERY_TIMING === '1') {
  const record = (key: string, ms: number) => {
    let s = queryStats.get(key);
    if (!s) queryStats.set(key, (s = { count: 0, totalMs: 0, samples: [] }));
    s.count++;
    s.totalMs += ms;
    if (s.samples.length < 200_000) s.samples.push(ms);
  };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 110);
    const t0 = performance.now();
    const out = query.apply(this, args);
    if (out instanceof Promise) void out.then(() => record(key, performance.now() - t0), () => record(key, performance.now() - t0));
    return out;
  };
  const poolProto = pg.Pool.prototype as unknown as { connect: (...args: unknown[]) => unknown };
  const connect = poolProto.connect;
  poolProto.connect = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const out = connect.apply(this, args);
    if (out instanceof Promise) void out.then(() => poolWaits.length < 400_000 && poolWaits.push(performance.now() - t0), () => {});
    return out;
  };
}

const errors: string[] = [];
let errorCount = 0;
/** once stopping, requests still queued fail with "driver destroyed": not the bench's business */
let stopping = false;
const log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => {
  if ((level === 'error' || level === 'warn') && !stopping) {
    errorCount++;
    if (errors.length < 20) errors.push(`${level}: ${msg.slice(0, 500)}`);
    if (errorCount <= 5) console.error(`[server] ${level} ${msg.slice(0, 500)}`);
  }
};

const running: RunningServer = await runServer({ env: process.env, log });
let elu = performance.eventLoopUtilization();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

/**
 * Creates `n` agents (bulk SQL with the demo users' precomputed password hash: hashing N
 * passwords would only measure argon2) and one recorder token each through core.
 */
async function provision(n: number): Promise<string[]> {
  const db = running.core.db;
  const template = await db.selectFrom('users').select('password_hash').where('username', '=', 'alex').executeTakeFirstOrThrow();
  const admin = await db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
  const teams = (await db.selectFrom('teams').select('id').orderBy('name').execute()).map((t) => t.id);
  const ids: string[] = [];
  for (let start = 0; start < n; start += 500) {
    const rows = Array.from({ length: Math.min(500, n - start) }, (_, k) => ({
      username: `bench-agent-${String(start + k).padStart(5, '0')}`,
      display_name: `Bench Agent ${start + k}`,
      password_hash: template.password_hash,
      employment_type: 'full_time' as const,
    }));
    const inserted = await db.insertInto('users').values(rows).returning(['id', 'username']).execute();
    const byName = new Map(inserted.map((r) => [r.username, r.id]));
    const batch = rows.map((r) => byName.get(r.username)!);
    await db.insertInto('user_roles').values(batch.map((user_id) => ({ user_id, role: 'agent' as const }))).execute();
    if (teams.length) await db.insertInto('team_members').values(batch.map((user_id, k) => ({ team_id: teams[(start + k) % teams.length]!, user_id }))).execute();
    ids.push(...batch);
  }
  const tokens = new Array<string>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        tokens[i] = (await createRecorderToken(db, ids[i]!, 'bench ingest', { id: admin.id })).token;
      }
    }),
  );
  return tokens;
}

// CPU profiles of chosen windows (BENCH_CPU_PROF=1 in index.ts): V8's sampling profiler through
// the inspector, so a profile covers one step's hold window and not start-up or provisioning.
let inspector: Session | undefined;

serveRequests(
  async (msg) => {
    switch (msg.type) {
      case 'profile-start':
        inspector ??= new Session();
        inspector.connect();
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
        await inspector.post('Profiler.start');
        return null;
      case 'profile-stop': {
        if (!inspector) throw new Error('no profile running');
        const { profile } = await inspector.post('Profiler.stop');
        await writeFile(msg.file as string, JSON.stringify(profile));
        inspector.disconnect();
        inspector = undefined;
        return msg.file;
      }
      case 'info':
        return { url: running.url, pid: process.pid, mode: running.core.mode, poolSize: running.config.DATABASE_POOL_SIZE };
      case 'provision':
        return provision(msg.n as number);
      case 'stats': {
        const now = performance.eventLoopUtilization();
        const window = performance.eventLoopUtilization(now, elu);
        elu = now;
        const queries = [...queryStats].map(([sql, s]) => ({ sql, count: s.count, totalMs: s.totalMs, samples: Float64Array.from(s.samples) }));
        queryStats.clear();
        const waits = Float64Array.from(poolWaits);
        poolWaits.length = 0;
        const delay = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
        loopDelay.reset();
        return { elu: window.utilization, loopDelay: delay, errorCount, errors: [...errors], queries, poolWaits: waits };
      }
      default:
        throw new Error(`unknown request ${msg.type}`);
    }
  },
  async () => {
    stopping = true;
    await running.close();
  },
);
process.send?.({ type: 'ready' });
