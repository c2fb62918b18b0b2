/**
 * bench/ingest: how many concurrent agents one machine's ingest holds.
 *
 * A real Duet server (PostgreSQL + Redis + filesystem object store, the production server face
 * without job handlers) runs in a child process; simulated recorders in 1–2 other child processes
 * each open an interaction and send one audio chunk and one screen chunk per second, open loop,
 * staggered over the second. N is ramped until a step fails: a step passes when p99 ack latency
 * is under 250 ms and nothing is lost (every chunk acked ok, and the database holds exactly the
 * acked rows). The same ramp against a bare socket.io echo server is the baseline.
 *
 * Knobs (environment): BENCH_STEPS="50,100,…", BENCH_BASELINE_STEPS, BENCH_HOLD_S,
 * BENCH_WARMUP_S, BENCH_CLIENT_PROCS, BENCH_BASELINE=0, BENCH_TIMELINE=1 (p50/p99 per second),
 * BENCH_QUERY_TIMING=1 (time every SQL round trip in the server), BENCH_CPU_PROF=1 (V8 profile of
 * the server per hold window), BENCH_EXPLAIN=1, BENCH_WRITE=1 (write the result file for a
 * non-default run), BENCH_PG=private|shared, BENCH_PG_SET="name=value,…". See BENCHMARKS.md.
 *
 * PostgreSQL: by default a private server started for the run from the Debian binaries
 * (test/harness/postgres.ts), fsync on, with the settings of docker-compose.yml's postgres
 * service (read from that file, so the bench measures what Duet ships); BENCH_PG_SET overrides
 * some of them for an experiment. BENCH_PG=shared uses the machine's shared PostgreSQL at
 * BENCH_PG_ADMIN_URL as it is configured (what the bench did before).
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { createTestDatabase, findPgBin, startPrivatePostgres } from '../../test/harness/postgres.js';
import { BenchChild } from '../lib/child.js';
import { describeMachine } from '../lib/machine.js';
import { parseSystemCpu, pidsByName, ProcessMonitor, SystemCpuMonitor, topProcesses, type ProcessUse } from '../lib/proc.js';
import { writeResult } from '../lib/results.js';
import { round, summarize } from '../lib/stats.js';
import { loadWorkload } from './workload.js';

const env = process.env;
const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
const DEFAULT_STEPS = [50, 100, 200, 300, 400, 600, 800, 1200, 1600, 2000, 2500, 3000];
const STEPS = env.BENCH_STEPS ? env.BENCH_STEPS.split(',').map(Number) : DEFAULT_STEPS;
const BASELINE_STEPS = env.BENCH_BASELINE_STEPS ? env.BENCH_BASELINE_STEPS.split(',').map(Number) : STEPS;
const HOLD_S = num(env.BENCH_HOLD_S, 20);
const WARMUP_S = num(env.BENCH_WARMUP_S, 5);
const BASELINE_HOLD_S = num(env.BENCH_BASELINE_HOLD_S, 10);
const BASELINE_WARMUP_S = num(env.BENCH_BASELINE_WARMUP_S, 3);
const CLIENT_PROCS = num(env.BENCH_CLIENT_PROCS, 2);
const BASELINE = env.BENCH_BASELINE !== '0';
const QUERY_TIMING = env.BENCH_QUERY_TIMING === '1';
const CPU_PROF = env.BENCH_CPU_PROF === '1';
const EXPLAIN = env.BENCH_EXPLAIN === '1';
const TIMELINE = env.BENCH_TIMELINE === '1';
const PG_MODE = (env.BENCH_PG ?? 'private') as 'private' | 'shared';
if (PG_MODE !== 'private' && PG_MODE !== 'shared') throw new Error(`BENCH_PG must be private or shared, not ${PG_MODE}`);
const PG_SET = Object.fromEntries((env.BENCH_PG_SET ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const DEFAULT_RUN =
  !env.BENCH_STEPS && !env.BENCH_BASELINE_STEPS && !env.BENCH_HOLD_S && !env.BENCH_CLIENT_PROCS && !QUERY_TIMING && !CPU_PROF && PG_MODE === 'private' && !env.BENCH_PG_SET;
const WRITE = DEFAULT_RUN || env.BENCH_WRITE === '1';
const PG_ADMIN_URL = env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TARGET_AGENTS = 2000;
/** other processes' CPU (% of one core) under which the machine counts as quiet */
const QUIET_PCT = 25;
const QUIET_MAX_WAIT_S = 45;
/** a failed step is measured again when other processes used this much during it */
const NOISY_OTHER_PCT = 25;
const TARGET_P99_MS = 250;

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `-c name=value` settings of docker-compose.yml's postgres service: what Duet ships. */
function composePostgresSettings(): Record<string, string> {
  const compose = parseYaml(readFileSync(here('../../docker-compose.yml'), 'utf8')) as { services: { postgres: { command?: string[] | string } } };
  const cmd = compose.services.postgres.command;
  const args = Array.isArray(cmd) ? cmd : (cmd ?? '').split(/\s+/);
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-c') continue;
    const kv = String(args[++i]);
    out[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
  }
  return out;
}

/** A process and its descendants (the private PostgreSQL's postmaster and its backends). */
function pidsUnder(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

/** Cluster-wide WAL and buffer-write counters (PostgreSQL 15: all in pg_stat_bgwriter). */
interface PgCounters {
  checkpoints: number;
  checkpointsReq: number;
  walBytes: number;
  walFpi: number;
  buffersCheckpoint: number;
  buffersClean: number;
  buffersBackend: number;
}
async function pgCounters(c: pg.Client): Promise<PgCounters> {
  const r = await c.query(
    `select b.checkpoints_timed + b.checkpoints_req as ck, b.checkpoints_req as req, w.wal_bytes::bigint as wb, w.wal_fpi as fpi,
            b.buffers_checkpoint as bc, b.buffers_clean as bcl, b.buffers_backend as bb from pg_stat_bgwriter b, pg_stat_wal w`,
  );
  const x = r.rows[0] as Record<string, string>;
  return {
    checkpoints: Number(x.ck),
    checkpointsReq: Number(x.req),
    walBytes: Number(x.wb),
    walFpi: Number(x.fpi),
    buffersCheckpoint: Number(x.bc),
    buffersClean: Number(x.bcl),
    buffersBackend: Number(x.bb),
  };
}

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started is registered here and undone in reverse order, also on failure.

const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
function onCleanup(name: string, run: () => Promise<unknown>) {
  cleanups.push({ name, run });
}
async function cleanup(name?: string) {
  for (let i = cleanups.length - 1; i >= 0; i--) {
    const c = cleanups[i]!;
    if (name && c.name !== name) continue;
    cleanups.splice(i, 1);
    try {
      await c.run();
    } catch (err) {
      console.error(`cleanup of ${c.name} failed: ${(err as Error).message}`);
    }
  }
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

async function deleteRedisKeys(url: string, patterns: string[]): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  await redis.connect();
  let n = 0;
  try {
    for (const match of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length) n += await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  return n;
}

/** Files under `dir` modified at or after `sinceMs` (an object write creates or replaces a file). */
async function countFilesSince(dir: string, sinceMs: number): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += await countFilesSince(p, sinceMs);
    else if (e.isFile() && (await stat(p)).mtimeMs >= sinceMs) n++;
  }
  return n;
}

/**
 * Waits (up to QUIET_MAX_WAIT_S) until the bench's own processes are idle (an overloaded server
 * has drained its backlog) and processes other than ours use under QUIET_PCT % of a core.
 */
async function waitForQuiet(ours: () => number[]): Promise<{ quiet: boolean; otherPct: number; oursPct: number; waitedS: number }> {
  const t0 = performance.now();
  for (;;) {
    const sys = new SystemCpuMonitor();
    const own = new ProcessMonitor(ours);
    sys.start();
    own.start();
    await sleep(2000);
    const busy = sys.stop().busyPercent;
    const oursPct = own.stop().cpuPercent;
    const otherPct = Math.max(0, busy - oursPct);
    const waitedS = (performance.now() - t0) / 1000;
    if (otherPct < QUIET_PCT && oursPct < QUIET_PCT) {
      if (waitedS > 3) console.log(`   waited ${round(waitedS)} s for the machine to settle`);
      return { quiet: true, otherPct, oursPct, waitedS };
    }
    if (waitedS >= QUIET_MAX_WAIT_S) {
      console.log(`   not quiet after ${QUIET_MAX_WAIT_S} s (other processes ${round(otherPct)} %, ours ${round(oursPct)} % of a core); measuring anyway`);
      return { quiet: false, otherPct, oursPct, waitedS };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One ramp against one server.

interface HaltReport {
  sent: number;
  ok: number;
  duplicates: number;
  errorKinds: Record<string, number>;
  lostInFlight: number;
  disconnects: number;
  emitAt: Float64Array;
  latency: Float64Array;
  /** 1 where the chunk was acked ok, 0 for a refusal or a timeout (whose latency is the timeout) */
  acked: Uint8Array;
  sendLagP99: number;
  sendLagMax: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  stored: number;
  storedBytes: number;
  audioStored: number;
}

interface ServerStats {
  elu: number;
  loopDelay: { p99Ms: number; maxMs: number };
  errorCount: number;
  errors: string[];
  queries: { sql: string; count: number; totalMs: number; samples: Float64Array }[];
  poolWaits: Float64Array;
}

export interface StepRow {
  agents: number;
  offeredMsgsPerS: number;
  msgsPerS: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  errorKinds: Record<string, number>;
  dbRows?: number;
  dbExpected?: number;
  /** PostgreSQL WAL written per stored chunk in this step (cluster-wide WAL: an upper bound) */
  walKbPerChunk?: number;
  /** chunks stored per commit in this step (rows per distinct `received_at`, the transaction's time) */
  chunksPerCommit?: number;
  /** checkpoints started in PostgreSQL during the step (warm-up to verify), and how many were requested (WAL volume, CREATE/DROP DATABASE) */
  checkpoints?: number;
  checkpointsReq?: number;
  /** share of the step's WAL bytes that were full-page images (what wal_compression compresses) */
  walFpiShare?: number;
  /**
   * Seconds of the hold window: all of them, those whose chunks had p99 ≥ 250 ms ("slow"), those
   * in which the machine was saturated (≥ 97 % of all cores busy, in that second or the next), and
   * slow ones that were saturated. The stalls at 2,000 agents are CPU starvation, not I/O.
   */
  seconds?: { all: number; slow: number; saturated: number; slowSaturated: number };
  /** MB of shared buffers written by checkpointer / bgwriter / backends (eviction) during the step */
  bufWrittenMb?: { checkpointer: number; bgwriter: number; backends: number };
  serverCpuPct: number;
  serverRssMb: number;
  serverElu: number;
  serverLoopDelayP99Ms: number;
  serverCpuMsPerMsg: number;
  postgresCpuPct: number;
  clientCpuPct: number;
  clientLoopDelayP99Ms: number;
  sendLagP99Ms: number;
  machineBusyPct: number;
  otherCpuPct: number;
  connectSeconds: number;
  /** measured a second time because other processes were busy during the first run */
  retried?: boolean;
  /** the machine was not quiet when this step started (waited QUIET_MAX_WAIT_S in vain) */
  noisyStart?: boolean;
  pass: boolean;
  why: string;
}

interface DbState {
  rows: number;
  bytes: number;
  recording: number;
  /** WAL position (bytes); the WAL is cluster-wide, so other databases' writes count too */
  walLsnBytes: number;
  /** distinct `received_at` values: one per committing transaction that stored chunks */
  commits: number;
}

interface Target {
  name: string;
  /** write a CPU profile of the server per step's hold window into this directory */
  profileDir?: string;
  server: BenchChild;
  url: string;
  token: (i: number) => string;
  verify?: () => Promise<DbState>;
  counters?: () => Promise<PgCounters>;
  pgPids: () => number[];
  holdS: number;
  warmupS: number;
}

async function ramp(t: Target, steps: number[]) {
  const clients = Array.from({ length: CLIENT_PROCS }, (_, k) => new BenchChild(here('./client-proc.ts'), { name: `${t.name} client ${k}` }));
  const cleanupName = `${t.name} clients`;
  onCleanup(cleanupName, () => Promise.all(clients.map((c) => c.stop(10_000))));
  await Promise.all(clients.map((c) => c.ready()));
  const serverMon = new ProcessMonitor(() => [t.server.pid]);
  const clientMon = new ProcessMonitor(() => clients.map((c) => c.pid));
  const pgMon = new ProcessMonitor(t.pgPids);
  const sysMon = new SystemCpuMonitor();
  const rows: StepRow[] = [];
  const queryLog: { agents: number; stats: ServerStats }[] = [];
  let have = 0;
  let stored = 0;
  let storedBytes = 0;
  let audioStored = 0;
  let lastWal = t.verify ? (await t.verify()).walLsnBytes : 0;
  let lastRows = 0;
  let lastCommits = 0;
  let walKbPerChunk = Number.NaN;
  let chunksPerCommit = Number.NaN;
  /** One measured run of a step: start sending, warm up, hold, halt, verify. */
  async function measure(n: number, connectSeconds: number, connectFailures: string[]): Promise<{ row: StepRow; stats: ServerStats }> {
    const c0 = t.counters ? await t.counters() : undefined;
    await Promise.all(clients.map((c) => c.request('start')));
    await sleep(t.warmupS * 1000);
    await t.server.request<ServerStats>('stats');
    if (t.profileDir) await t.server.request('profile-start');
    const windowStart = performance.timeOrigin + performance.now();
    // machine busy % per second of the window (the 20 s average hides one-second saturation)
    const busyPerSecond: number[] = [];
    let lastCpu = parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
    const cpuTimer = setInterval(() => {
      const c = parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
      busyPerSecond.push(c.total > lastCpu.total ? ((c.busy - lastCpu.busy) / (c.total - lastCpu.total)) * 100 : 0);
      lastCpu = c;
    }, 1000);
    serverMon.start();
    clientMon.start();
    pgMon.start();
    sysMon.start();
    await sleep(t.holdS * 1000);
    const windowEnd = performance.timeOrigin + performance.now();
    clearInterval(cpuTimer);
    const sm = serverMon.stop();
    const cm = clientMon.stop();
    const pm = pgMon.stop();
    const sys = sysMon.stop();
    const stats = await t.server.request<ServerStats>('stats');
    if (t.profileDir) console.log(`   server CPU profile: ${await t.server.request<string>('profile-stop', { file: path.join(t.profileDir, `server-${n}-agents.cpuprofile`) })}`);
    const reports = await Promise.all(clients.map((c) => c.request<HaltReport>('halt', {}, 60_000)));

    const lat: number[] = [];
    let okInWindow = 0;
    const perSecond: number[][] = Array.from({ length: Math.ceil(t.holdS) }, () => []);
    for (const r of reports) {
      for (let i = 0; i < r.latency.length; i++) {
        if (r.emitAt[i]! < windowStart || r.emitAt[i]! >= windowEnd) continue;
        lat.push(r.latency[i]!);
        okInWindow += r.acked[i]!;
        perSecond[Math.floor((r.emitAt[i]! - windowStart) / 1000)]?.push(r.latency[i]!);
      }
    }
    const s = summarize(lat);
    const perSecondP99 = perSecond.map((v) => summarize(v).p99);
    // chunks emitted in second i are acked within it or the next: saturation in either counts
    const saturatedAt = (i: number) => (busyPerSecond[i] ?? 0) >= 97 || (busyPerSecond[i + 1] ?? 0) >= 97;
    const seconds = {
      all: perSecond.length,
      slow: perSecondP99.filter((p) => p >= TARGET_P99_MS).length,
      saturated: perSecond.filter((_, i) => saturatedAt(i)).length,
      slowSaturated: perSecondP99.filter((p, i) => p >= TARGET_P99_MS && saturatedAt(i)).length,
    };
    if (TIMELINE) console.log(`   machine busy % per second: ${busyPerSecond.map((b) => round(b)).join(' ')}`);
    if (TIMELINE) {
      console.log(`   per second of the window from ${new Date(windowStart).toISOString()} (p50/p99/max ms): ${perSecond.map((v) => { const x = summarize(v); return `${round(x.p50)}/${round(x.p99)}/${round(x.max)}`; }).join('  ')}`);
    }
    const errorKinds: Record<string, number> = {};
    for (const r of reports) {
      for (const [k, v] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
      if (r.lostInFlight) errorKinds.no_ack = (errorKinds.no_ack ?? 0) + r.lostInFlight;
      stored += r.stored;
      storedBytes += r.storedBytes;
      audioStored += r.audioStored;
    }
    if (connectFailures.length) errorKinds.connect_failed = connectFailures.length;
    const sent = reports.reduce((a, r) => a + r.sent, 0);
    const ok = reports.reduce((a, r) => a + r.ok, 0);
    const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
    const why: string[] = [];
    if (!(s.p99 < TARGET_P99_MS)) why.push(`p99 ${round(s.p99)} ms ≥ ${TARGET_P99_MS}`);
    if (errors) why.push(`errors ${JSON.stringify(errorKinds)}`);
    if (errorKinds['limit_exceeded:chunksPerSecond'] || Object.keys(errorKinds).some((k) => k.startsWith('limit_exceeded'))) why.push('a limit was exceeded');
    if (ok !== sent) why.push(`${sent - ok} of ${sent} chunks not acked ok`);
    let pgStep: Partial<StepRow> = {};
    if (t.counters && c0) {
      const c1 = await t.counters();
      const mb = (pages: number) => Math.round((pages * 8192) / 1e5) / 10;
      pgStep = {
        checkpoints: c1.checkpoints - c0.checkpoints,
        checkpointsReq: c1.checkpointsReq - c0.checkpointsReq,
        walFpiShare: c1.walBytes > c0.walBytes ? Math.round((((c1.walFpi - c0.walFpi) * 8192) / (c1.walBytes - c0.walBytes)) * 1000) / 1000 : 0,
        bufWrittenMb: { checkpointer: mb(c1.buffersCheckpoint - c0.buffersCheckpoint), bgwriter: mb(c1.buffersClean - c0.buffersClean), backends: mb(c1.buffersBackend - c0.buffersBackend) },
      };
    }
    let db: DbState | undefined;
    if (t.verify) {
      db = await t.verify();
      const walBytes = db.walLsnBytes - lastWal;
      const newRows = db.rows - lastRows;
      walKbPerChunk = newRows > 0 ? walBytes / 1024 / newRows : Number.NaN;
      chunksPerCommit = db.commits > lastCommits ? newRows / (db.commits - lastCommits) : Number.NaN;
      lastWal = db.walLsnBytes;
      lastRows = db.rows;
      lastCommits = db.commits;
      if (db.rows < stored) why.push(`LOSS: ${stored - db.rows} acked chunks missing from the database`);
      else if (db.rows > stored) why.push(`${db.rows - stored} chunks stored whose ack never arrived`);
      else if (db.bytes !== storedBytes) why.push(`database holds ${db.bytes} B, acked ${storedBytes} B`);
      if (db.recording !== n - connectFailures.length) why.push(`${db.recording} interactions recording, expected ${n}`);
    }
    if (stats.errorCount) why.push(`server logged ${stats.errorCount} error(s)`);
    const machineOurs = sm.cpuPercent + pm.cpuPercent + cm.cpuPercent;
    const row: StepRow = {
      agents: n,
      offeredMsgsPerS: 2 * n,
      msgsPerS: okInWindow / t.holdS,
      p50Ms: s.p50,
      p95Ms: s.p95,
      p99Ms: s.p99,
      maxMs: s.max,
      errors,
      errorKinds,
      ...(db ? { dbRows: db.rows, dbExpected: stored, walKbPerChunk, chunksPerCommit } : {}),
      ...pgStep,
      seconds,
      serverCpuPct: sm.cpuPercent,
      serverRssMb: sm.rssMaxMb,
      serverElu: stats.elu,
      serverLoopDelayP99Ms: stats.loopDelay.p99Ms,
      serverCpuMsPerMsg: okInWindow ? (sm.cpuPercent * 10 * sm.wallSeconds) / okInWindow : Number.NaN,
      postgresCpuPct: pm.cpuPercent,
      clientCpuPct: cm.cpuPercent,
      clientLoopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
      sendLagP99Ms: Math.max(...reports.map((r) => r.sendLagP99)),
      machineBusyPct: sys.busyPercent,
      otherCpuPct: Math.max(0, sys.busyPercent - machineOurs),
      connectSeconds,
      pass: why.length === 0,
      why: why.join('; '),
    };
    return { row, stats };
  }

  console.log(`\n${t.name}: ${steps.join(', ')} agents; warm-up ${t.warmupS} s, hold ${t.holdS} s per step; ${CLIENT_PROCS} client process(es)`);
  printHeader(!!t.verify);
  for (const n of steps) {
    // Add agents: connect (token check, clock exchange) and open one interaction each.
    const t0 = performance.now();
    const grown = await Promise.all(
      clients.map((c, k) => {
        const list = [];
        for (let i = have; i < n; i++) if (i % clients.length === k) list.push({ index: i, token: t.token(i) });
        return c.request<{ agents: number; failures: string[] }>('grow', { url: t.url, agents: list }, 600_000);
      }),
    );
    const connectSeconds = (performance.now() - t0) / 1000;
    const connectFailures = grown.flatMap((g) => g.failures);
    have = n;

    // Other engineers' jobs share this machine: wait for it to be quiet before measuring, and
    // measure a failed step once more when other processes were busy during it.
    const ours = () => [t.server.pid, ...clients.map((c) => c.pid), ...t.pgPids()];
    let quiet = await waitForQuiet(ours);
    let { row, stats } = await measure(n, connectSeconds, connectFailures);
    if (!row.pass && row.otherCpuPct >= NOISY_OTHER_PCT) {
      printRow(row, !!t.verify);
      console.log(`   other processes used ${round(row.otherCpuPct)} % of a core during this step: measuring it once more`);
      quiet = await waitForQuiet(ours);
      ({ row, stats } = await measure(n, connectSeconds, connectFailures));
      row.retried = true;
    }
    if (!quiet.quiet) row.noisyStart = true;
    rows.push(row);
    queryLog.push({ agents: n, stats });
    printRow(row, !!t.verify);
    if (stats.errors.length) console.log(`   server said: ${stats.errors.slice(0, 3).join(' | ')}`);
    if (connectFailures.length) console.log(`   connect failures: ${connectFailures.slice(0, 3).join(' | ')}`);
    if (!row.pass) break;
  }
  await cleanup(cleanupName);
  return { rows, stored, storedBytes, audioStored, queryLog };
}

const COLS = [
  ['agents', 6],
  ['msgs/s', 7],
  ['p50', 6],
  ['p95', 6],
  ['p99', 6],
  ['max', 6],
  ['errors', 6],
  ['srv CPU%', 8],
  ['RSS MB', 6],
  ['ELU', 5],
  ['srv lag', 7],
  ['PG CPU%', 7],
  ['cli CPU%', 8],
  ['cli lag', 7],
  ['busy%', 6],
  ['other%', 6],
  ['', 4],
] as const;
function printHeader(withDb: boolean) {
  console.log(COLS.map(([h, w]) => h.padStart(w)).join(' ') + (withDb ? '  db rows (held/acked), WAL per chunk, chunks per commit' : ''));
}
function printRow(r: StepRow, withDb: boolean) {
  const v = [r.agents, round(r.msgsPerS), round(r.p50Ms), round(r.p95Ms), round(r.p99Ms), round(r.maxMs), r.errors, round(r.serverCpuPct), round(r.serverRssMb), r.serverElu.toFixed(2), round(r.serverLoopDelayP99Ms), round(r.postgresCpuPct), round(r.clientCpuPct), round(Math.max(r.clientLoopDelayP99Ms, r.sendLagP99Ms)), round(r.machineBusyPct), round(r.otherCpuPct), r.pass ? 'ok' : 'FAIL'];
  console.log(v.map((x, i) => String(x).padStart(COLS[i]![1])).join(' ') + (withDb ? `  ${r.dbRows}/${r.dbExpected}, ${round(r.walKbPerChunk ?? Number.NaN)} KB, ${round(r.chunksPerCommit ?? Number.NaN)}/commit` : '') + (r.seconds ? `, ${r.seconds.slow}/${r.seconds.all} s with p99 ≥ ${TARGET_P99_MS} ms (${r.seconds.slowSaturated} of them with the machine saturated; ${r.seconds.saturated} s saturated)` : '') + (r.checkpoints !== undefined ? `, ${r.checkpoints} checkpoint(s) (${r.checkpointsReq} requested), FPI ${Math.round((r.walFpiShare ?? 0) * 100)} % of WAL, buffers written ckpt/bgw/backend ${r.bufWrittenMb?.checkpointer}/${r.bufWrittenMb?.bgwriter}/${r.bufWrittenMb?.backends} MB` : '') + (r.retried ? '  (measured twice: other load)' : '') + (r.pass ? '' : `  ${r.why}`));
}

function summarizeQueries(log: { agents: number; stats: ServerStats }[]) {
  for (const { agents, stats } of log) {
    if (!stats.queries.length) continue;
    const total = stats.queries.reduce((a, q) => a + q.totalMs, 0);
    console.log(`\nSQL round trips in the hold window at ${agents} agents (client-side time, incl. network and queueing in PostgreSQL):`);
    for (const q of [...stats.queries].sort((a, b) => b.totalMs - a.totalMs)) {
      const s = summarize(q.samples);
      console.log(`  ${String(q.count).padStart(7)} × mean ${round(s.mean).toString().padStart(5)} ms p50 ${round(s.p50).toString().padStart(5)} p99 ${round(s.p99).toString().padStart(6)}  ${((q.totalMs / total) * 100).toFixed(0).padStart(3)} %  ${q.sql}`);
    }
    const w = summarize(stats.poolWaits);
    console.log(`  pool checkout wait: ${w.count} × p50 ${round(w.p50)} ms, p95 ${round(w.p95)} ms, p99 ${round(w.p99)} ms, max ${round(w.max)} ms`);
  }
}

const fmtTop = (top: ProcessUse[]) => top.map((p) => `${p.name}(${p.pid}) ${round(p.cpuPercent)}%`).join(', ') || 'nothing busy';

// ---------------------------------------------------------------------------------------------

async function main() {
  const machine = describeMachine();
  const workload = await loadWorkload();
  console.log(`machine: ${machine}`);
  console.log(
    `per agent per second: 1 audio chunk (${round(workload.audioBytesAvg)} B avg, WebM/Opus) + 1 screen chunk (${workload.screenEventsPerChunk} rrweb events, ${round(workload.screenBytesAvg)} B avg)`,
  );
  const top = async () => (await topProcesses(3000)).map((p) => ({ ...p, cpuPercent: round(p.cpuPercent) }));
  const loadBefore = { loadavg: os.loadavg().map(round), top: await top() };
  console.log(`load before: loadavg ${loadBefore.loadavg.join(' ')}; busiest over 3 s: ${fmtTop(loadBefore.top)}`);

  // ---- PostgreSQL: a private one with docker-compose.yml's settings, or the shared one
  let pgAdminUrl = PG_ADMIN_URL;
  let pgPids = () => pidsByName('postgres');
  let pgLog: string | undefined;
  if (PG_MODE === 'private') {
    const bin = await findPgBin();
    if (!bin) throw new Error('BENCH_PG=private needs the Debian PostgreSQL binaries (/usr/lib/postgresql/<v>/bin); BENCH_PG=shared uses BENCH_PG_ADMIN_URL');
    const logDir = await mkdtemp(path.join(os.tmpdir(), 'duet-bench-pglog-'));
    pgLog = path.join(logDir, 'postgresql.log');
    // fsync on: acks mean durable, so the bench pays for durability as production does.
    const pgServer = await startPrivatePostgres(bin, { settings: { fsync: 'on', ...composePostgresSettings(), ...PG_SET }, logFile: pgLog });
    onCleanup('private postgres', async () => {
      await pgServer.stop();
      console.log(`private PostgreSQL stopped; its log stays in ${pgLog}`);
    });
    pgAdminUrl = pgServer.adminUrl;
    pgPids = () => pidsUnder(pgServer.pid);
  }
  const pgInfo = await (async () => {
    const c = new pg.Client({ connectionString: pgAdminUrl });
    await c.connect();
    try {
      const names = ['shared_buffers', 'wal_buffers', 'max_wal_size', 'min_wal_size', 'checkpoint_timeout', 'checkpoint_completion_target', 'wal_compression', 'synchronous_commit', 'fsync', 'full_page_writes'];
      const r = await c.query<{ name: string; setting: string; unit: string | null }>(`select name, setting, unit from pg_settings where name = any($1) order by name`, [names]);
      const v = await c.query<{ v: string }>(`select split_part(version(), ' ', 2) as v`);
      const settings = Object.fromEntries(
        r.rows.map((x) => {
          const n = Number(x.setting);
          const unit = x.unit === '8kB' ? `${Math.round((n * 8) / 1024)}MB` : x.unit === 'MB' ? `${n}MB` : x.unit === 's' ? `${n}s` : '';
          return [x.name, unit || x.setting];
        }),
      );
      return { kind: PG_MODE, version: v.rows[0]!.v, url: pgAdminUrl.replace(/\/[^/]*$/, ''), settings, ...(pgLog ? { log: pgLog } : {}) };
    } finally {
      await c.end();
    }
  })();
  console.log(
    `PostgreSQL ${pgInfo.version}, ${PG_MODE === 'private' ? "private (started for this run with docker-compose.yml's settings" + (env.BENCH_PG_SET ? ` + BENCH_PG_SET ${env.BENCH_PG_SET}` : '') + `), log ${pgLog}` : `shared (${pgInfo.url}, as configured)`}: ${Object.entries(pgInfo.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  );

  // ---- Duet: PostgreSQL + Redis + filesystem objects, server in a child process
  const database = await createTestDatabase(pgAdminUrl);
  onCleanup('database', () => database.drop());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-bench-ingest-'));
  onCleanup('data dir', () => rm(dataDir, { recursive: true, force: true }));
  const prefix = `bench-ingest-${randomBytes(4).toString('hex')}`;
  onCleanup('redis keys', async () => {
    const n = await deleteRedisKeys(REDIS_URL, [`bull:${prefix}-*`, `${prefix}*`]);
    console.log(`removed ${n} Redis key(s) of prefix ${prefix}`);
  });
  const profDir = CPU_PROF ? await mkdtemp(path.join(os.tmpdir(), 'duet-bench-ingest-prof-')) : undefined;
  const server = new BenchChild(here('./server-proc.ts'), {
    name: 'duet server',
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      REDIS_URL,
      JOB_QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      BENCH_QUERY_TIMING: QUERY_TIMING ? '1' : '0',
    },
  });
  onCleanup('duet server', () => server.stop(30_000));
  await server.ready();
  const info = await server.request<{ url: string; pid: number; mode: string; poolSize: number }>('info');
  console.log(`duet server pid ${info.pid} at ${info.url} (${info.mode} mode, DB pool ${info.poolSize}); data dir ${dataDir}; queue prefix ${prefix}`);
  const maxAgents0 = Math.max(...STEPS);
  const t0 = performance.now();
  const tokens = await server.request<string[]>('provision', { n: maxAgents0 }, 600_000);
  console.log(`provisioned ${tokens.length} agents with recorder tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const check = new pg.Client({ connectionString: database.url });
  await check.connect();
  onCleanup('check connection', () => check.end());
  const objectsDir = path.join(dataDir, 'objects');
  const rampStart = Date.now() - 1000; // mtime granularity
  const objectsBefore = await countFilesSince(objectsDir, 0);
  const duet = await ramp(
    {
      name: 'duet',
      server,
      url: info.url,
      token: (i) => tokens[i]!,
      ...(profDir ? { profileDir: profDir } : {}),
      holdS: HOLD_S,
      warmupS: WARMUP_S,
      pgPids,
      counters: () => pgCounters(check),
      verify: async () => {
        const r = await check.query<{ n: number; b: string; rec: number; wal: string; commits: number }>(
          `select (select count(*)::int from interaction_chunks) as n, (select coalesce(sum(bytes), 0)::bigint from interaction_chunks) as b,
                  (select count(distinct received_at)::int from interaction_chunks) as commits,
                  (select count(*)::int from interactions where status = 'recording') as rec,
                  pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint as wal`,
        );
        return { rows: r.rows[0]!.n, bytes: Number(r.rows[0]!.b), recording: r.rows[0]!.rec, walLsnBytes: Number(r.rows[0]!.wal), commits: r.rows[0]!.commits };
      },
    },
    STEPS,
  );
  const objectWrites = await countFilesSince(objectsDir, rampStart);
  const objectWritesPerAgentHour = duet.audioStored ? objectWrites / (duet.audioStored / 3600) : 0;
  console.log(
    `object store: ${objectWrites} file(s) written under DATA_DIR/objects during the ramp (${objectsBefore} there before) for ${round(duet.audioStored / 3600)} agent-hours recorded → ${round(objectWritesPerAgentHour)} writes per agent-hour`,
  );
  summarizeQueries(duet.queryLog);
  if (EXPLAIN) {
    const big = await check.query<{ interaction_id: string; stream: string; n: number }>(
      `select interaction_id, stream, count(*)::int as n from interaction_chunks group by 1, 2 order by 3 desc limit 1`,
    );
    const b = big.rows[0];
    if (b) {
      const plan = await check.query(
        `explain (analyze, buffers) select min(seq)::int as lo, max(seq)::int as hi from (select seq, seq - row_number() over (order by seq) as grp from interaction_chunks where interaction_id = $1 and stream = $2) t group by grp order by lo`,
        [b.interaction_id, b.stream],
      );
      console.log(`\nheld-ranges query on the longest stream (${b.n} chunks):\n${plan.rows.map((r: Record<string, string>) => '  ' + r['QUERY PLAN']).join('\n')}`);
    }
    const size = await check.query(`select pg_size_pretty(pg_total_relation_size('interaction_chunks')) as s, (select count(*) from interaction_chunks) as n`);
    console.log(`interaction_chunks: ${size.rows[0].n} rows, ${size.rows[0].s}`);
  }
  await cleanup('check connection');
  await cleanup('duet server');
  await cleanup('redis keys');
  await cleanup('database');
  if (pgLog) {
    const lines = readFileSync(pgLog, 'utf8').split('\n').filter((l) => /checkpoint (starting|complete)|FATAL|PANIC|ERROR/.test(l));
    console.log(`PostgreSQL log (${pgLog}): ${lines.length ? '\n  ' + lines.map((l) => l.slice(0, 220)).join('\n  ') : 'no checkpoint or error lines'}`);
  }
  await cleanup('private postgres');
  await cleanup('data dir');

  // ---- Baseline: bare socket.io echo, same clients, same steps (up to Duet's failing one)
  let baseline: Awaited<ReturnType<typeof ramp>> | undefined;
  if (BASELINE) {
    const echo = new BenchChild(here('./echo-proc.ts'), { name: 'echo server' });
    onCleanup('echo server', () => echo.stop(10_000));
    await echo.ready();
    const e = await echo.request<{ url: string; pid: number }>('info');
    baseline = await ramp(
      { name: 'baseline (bare socket.io echo)', server: echo, url: e.url, token: (i) => `duet_rt_echo_${i}`, holdS: BASELINE_HOLD_S, warmupS: BASELINE_WARMUP_S, pgPids: () => [] },
      BASELINE_STEPS,
    );
    await cleanup('echo server');
  }

  const loadAfter = { loadavg: os.loadavg().map(round), top: await top() };
  console.log(`\nload after: loadavg ${loadAfter.loadavg.join(' ')}; busiest over 3 s: ${fmtTop(loadAfter.top)}`);

  // ---- Figures
  const passed = duet.rows.filter((r) => r.pass);
  const best = passed.at(-1);
  const failed = duet.rows.find((r) => !r.pass);
  const baseAt = (n: number) => baseline?.rows.find((r) => r.agents === n);
  const cmp = best ? baseAt(best.agents) : undefined;
  const cmpFail = failed ? baseAt(failed.agents) : undefined;
  const r = (row: StepRow | undefined) =>
    row && {
      agents: row.agents,
      msgsPerS: round(row.msgsPerS),
      p50Ms: round(row.p50Ms),
      p95Ms: round(row.p95Ms),
      p99Ms: round(row.p99Ms),
      maxMs: round(row.maxMs),
      errors: row.errors,
      errorKinds: row.errorKinds,
      ...(row.dbRows !== undefined
        ? { dbRows: row.dbRows, dbExpected: row.dbExpected, walKbPerChunk: round(row.walKbPerChunk ?? Number.NaN), chunksPerCommit: round(row.chunksPerCommit ?? Number.NaN) }
        : {}),
      ...(row.seconds ? { seconds: row.seconds } : {}),
      ...(row.checkpoints !== undefined ? { checkpoints: row.checkpoints, checkpointsReq: row.checkpointsReq, walFpiShare: row.walFpiShare, bufWrittenMb: row.bufWrittenMb } : {}),
      serverCpuPct: round(row.serverCpuPct),
      serverRssMb: round(row.serverRssMb),
      serverElu: Math.round(row.serverElu * 100) / 100,
      serverLoopDelayP99Ms: round(row.serverLoopDelayP99Ms),
      serverCpuMsPerMsg: Math.round(row.serverCpuMsPerMsg * 1000) / 1000,
      postgresCpuPct: round(row.postgresCpuPct),
      clientCpuPct: round(row.clientCpuPct),
      clientLoopDelayP99Ms: round(row.clientLoopDelayP99Ms),
      sendLagP99Ms: round(row.sendLagP99Ms),
      machineBusyPct: round(row.machineBusyPct),
      otherCpuPct: round(row.otherCpuPct),
      pass: row.pass,
      ...(row.retried ? { retried: true } : {}),
      ...(row.noisyStart ? { noisyStart: true } : {}),
      ...(row.why ? { why: row.why } : {}),
    };
  const figures = {
    maxAgents: best?.agents ?? 0,
    p99AckMs: best ? round(best.p99Ms) : null,
    objectWritesPerAgentHour: round(objectWritesPerAgentHour),
    target: { agents: TARGET_AGENTS, p99AckMs: TARGET_P99_MS, met: (best?.agents ?? 0) >= TARGET_AGENTS },
    rampCeiling: Math.max(...STEPS),
    firstFailingStep: failed ? { agents: failed.agents, why: failed.why } : null,
    msgsPerSecAtMax: best ? round(best.msgsPerS) : null,
    serverCpuPctAtMax: best ? round(best.serverCpuPct) : null,
    serverRssMbAtMax: best ? round(best.serverRssMb) : null,
    serverCpuMsPerMsgAtMax: best ? Math.round(best.serverCpuMsPerMsg * 1000) / 1000 : null,
    baselineCpuMsPerMsgAtMax: cmp ? Math.round(cmp.serverCpuMsPerMsg * 1000) / 1000 : null,
    baselineP99AckMsAtMax: cmp ? round(cmp.p99Ms) : null,
    baselineP99AckMsAtFirstFailing: cmpFail ? round(cmpFail.p99Ms) : null,
    serverCpuRatioDuetToBaseline: best && cmp ? round(best.serverCpuMsPerMsg / cmp.serverCpuMsPerMsg) : null,
    // Server + PostgreSQL CPU per stored chunk at maxAgents: what one chunk costs the machine.
    postgresCpuMsPerMsgAtMax: best ? Math.round(((best.postgresCpuPct * 10) / best.msgsPerS) * 1000) / 1000 : null,
    serverPlusPostgresCpuMsPerMsgAtMax: best ? Math.round((((best.serverCpuPct + best.postgresCpuPct) * 10) / best.msgsPerS) * 1000) / 1000 : null,
    baselineMaxAgents: baseline ? (baseline.rows.filter((x) => x.pass).at(-1)?.agents ?? 0) : null,
    baselineP99AckMsAtCeiling: baseline?.rows.filter((x) => x.pass).at(-1) ? round(baseline.rows.filter((x) => x.pass).at(-1)!.p99Ms) : null,
    objectWrites,
    agentHoursRecorded: Math.round((duet.audioStored / 3600) * 1000) / 1000,
    chunksStored: duet.stored,
    bytesStored: duet.storedBytes,
    workload: {
      audioBytesAvg: round(workload.audioBytesAvg),
      screenBytesAvg: round(workload.screenBytesAvg),
      screenEventsPerChunk: workload.screenEventsPerChunk,
      chunksPerAgentPerSecond: 2,
    },
    method: { holdSeconds: HOLD_S, warmupSeconds: WARMUP_S, baselineHoldSeconds: BASELINE_HOLD_S, clientProcesses: CLIENT_PROCS, dbPoolSize: info.poolSize, postgres: pgInfo },
    steps: duet.rows.map(r),
    baselineSteps: baseline?.rows.map(r) ?? [],
    load: { before: loadBefore, after: loadAfter },
  };
  console.log(`\nmaxAgents ${figures.maxAgents} (target ≥ ${TARGET_AGENTS}: ${figures.target.met ? 'met' : 'NOT met'}), p99AckMs ${figures.p99AckMs}, objectWritesPerAgentHour ${figures.objectWritesPerAgentHour}`);
  if (best && cmp) console.log(`server CPU per chunk at ${best.agents} agents: duet ${figures.serverCpuMsPerMsgAtMax} ms, bare socket.io ${figures.baselineCpuMsPerMsgAtMax} ms (×${figures.serverCpuRatioDuetToBaseline})`);
  if (WRITE) console.log(`wrote ${await writeResult('ingest', figures)}`);
  else console.log('(non-default run: bench/results/ingest.json not written; BENCH_WRITE=1 writes it)');
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
