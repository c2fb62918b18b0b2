/**
 * bench/recorder, the measurements (index.ts registers the source loader and calls `main`).
 *
 * 1. Bundle: rebuilds recorder-agent/bundle when any source is newer than it, then gzip -9 (zlib)
 *    of the IIFE and the ESM bundle.
 * 2. A real Duet server in this process (`runServer` on PGlite in a temp DATA_DIR, demo seed, no
 *    job handlers: recordings are stored, finalization is only enqueued), a recorder token for
 *    agent `alex` from core, and a fake microphone (espeak-ng speech looped by Chromium).
 * 3. Rounds: each round runs the scripted scenario (scenario.ts, ~35 s) twice, each time in a
 *    fresh headless Chromium: without the recorder, then with it (script tag + start() at
 *    DOMContentLoaded, recording to the server). Long tasks come from a buffered PerformanceObserver
 *    installed before the page's first script; main-thread time from CDP Performance.getMetrics.
 *    Figures are medians over rounds; addedTbtMs = median(with) − median(without).
 * 4. Heap: one run of BENCH_RECORDER_MINUTES (10) with the recorder and one without, side by side,
 *    each looping the scenario; every 30 s CDP HeapProfiler.collectGarbage, then
 *    Runtime.getHeapUsage. heapGrowthMb10min = used heap after GC at 10 min − at 1 min.
 * 5. A CPU profile (profile.ts) of one run with the recorder when the added TBT is over target
 *    (or BENCH_RECORDER_PROFILE=1), attributed to original sources through the bundle's source map.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { createRecorderToken } from '../../core/src/index.js';
import { runServer, type RunningServer } from '../../server/src/index.js';
import { launchChromium } from '../../test/harness/browser.js';
import { fakeMicArgs, speechWav } from '../../test/recorder/crm-page.js';
import { describeMachine } from '../lib/machine.js';
import { clockTicksPerSecond, parseSystemCpu, readCpuTicks, topProcesses } from '../lib/proc.js';
import { writeResult } from '../lib/results.js';
import { round } from '../lib/stats.js';
import { serveCrmPage } from './page.js';
import { attributeProfile, type ProfileSummary } from './profile.js';
import { ensureSentryBundle, type SentryInbox } from './sentry.js';
import { afterLoad, LONG_TASK_OBSERVER, longTaskFigures, scenarioPass, type LongTaskFigures } from './scenario.js';

const env = process.env;
const ROUNDS = Math.max(1, Number(env.BENCH_RECORDER_ROUNDS ?? 5));
const MINUTES = Number(env.BENCH_RECORDER_MINUTES ?? 10);
const PROFILE = env.BENCH_RECORDER_PROFILE ?? 'auto';
/** another build of the IIFE bundle to measure (e.g. a copy made before a change), with its .map beside it */
const OTHER_BUNDLE = env.BENCH_RECORDER_BUNDLE;
/**
 * a second build measured in the same rounds as a third variant (`compare`), e.g. a copy of the
 * bundle from before a change: a before/after in one run, under the same machine load
 */
const COMPARE_BUNDLE = env.BENCH_RECORDER_COMPARE;
/** Sentry's Session Replay on the same page in the same rounds (sentry.ts); 0 leaves it out */
const SENTRY = env.BENCH_RECORDER_SENTRY !== '0';
const DEFAULT_RUN = SENTRY && !env.BENCH_RECORDER_ROUNDS && !env.BENCH_RECORDER_MINUTES && PROFILE === 'auto' && !OTHER_BUNDLE && !COMPARE_BUNDLE;
const WRITE = DEFAULT_RUN || env.BENCH_WRITE === '1';
/** targets (issue: recorder) */
const TARGET_ADDED_TBT_MS = 90;
const TARGET_BUNDLE_GZIP_KB = 80;
/** Sentry's published heavy scenario: +374 ms for Replay; the target is about a quarter of that */
const SENTRY_PUBLISHED_ADDED_TBT_MS = 374;
const TARGET_RATIO_TO_SENTRY = TARGET_ADDED_TBT_MS / SENTRY_PUBLISHED_ADDED_TBT_MS;
const SAMPLE_EVERY_MS = 30_000;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_DIR = path.join(ROOT, 'recorder-agent');
const BUNDLE_DIR = path.join(AGENT_DIR, 'bundle');
const IIFE = path.join(BUNDLE_DIR, 'duet-recorder.iife.js');
const ESM = path.join(BUNDLE_DIR, 'duet-recorder.js');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
const mb = (bytes: number) => bytes / 1024 / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- bundle ------------------------------------------------------------------------------------

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Rebuilds the bundle when a source it is built from is newer; returns whether it did. */
function ensureBundle(): boolean {
  const sources = Math.max(
    newestMtime(path.join(AGENT_DIR, 'src')),
    newestMtime(path.join(ROOT, 'protocol', 'src')),
    statSync(path.join(AGENT_DIR, 'vite.config.ts')).mtimeMs,
    statSync(path.join(ROOT, 'node_modules', 'rrweb', 'package.json')).mtimeMs,
  );
  let built = 0;
  try {
    built = Math.min(statSync(IIFE).mtimeMs, statSync(ESM).mtimeMs);
  } catch {
    /* not built */
  }
  if (built > sources) return false;
  console.log('building recorder-agent/bundle (sources are newer) …');
  execFileSync('npm', ['run', 'bundle', '-w', 'recorder-agent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}

function bundleSizes() {
  const size = (file: string) => {
    const raw = readFileSync(file);
    return { kb: raw.length / 1024, gzipKb: gzipSync(raw, { level: 9 }).length / 1024 };
  };
  return { iife: size(IIFE), esm: size(ESM) };
}

// ---- machine load --------------------------------------------------------------------------------

/** This process and every process below it (Chromium's), by /proc ppid. */
function ownTreeTicks(): number {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  let ticks = 0;
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    for (let hops = 0; p && p > 1 && hops < 50; hops++) {
      if (p === process.pid) {
        ticks += readCpuTicks(pid) ?? 0;
        break;
      }
      p = parent.get(p);
    }
  }
  return ticks;
}

/** Machine CPU and this bench's own CPU (this process + Chromium) over a window, % of one core. */
class LoadWindow {
  private readonly sys0 = parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
  private readonly own0 = ownTreeTicks();
  private readonly t0 = performance.now();
  /** call before the window's processes exit (their ticks leave the tree with them) */
  stop(): { machinePct: number; benchPct: number; otherPct: number; load1: number } {
    const sys = parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
    const own = ownTreeTicks();
    const seconds = (performance.now() - this.t0) / 1000;
    const machinePct = ((sys.busy - this.sys0.busy) / Math.max(1, sys.total - this.sys0.total)) * sys.cores * 100;
    const benchPct = ((own - this.own0) / clockTicksPerSecond() / seconds) * 100;
    return { machinePct, benchPct, otherPct: Math.max(0, machinePct - benchPct), load1: os.loadavg()[0]! };
  }
}

// ---- one run -------------------------------------------------------------------------------------

interface Ctx {
  crmUrl: string;
  wav: string;
  server: RunningServer;
  bundle: string;
  sentry: SentryInbox;
}

/** without the recorder, with the bundle measured, with the comparison bundle, with Sentry's Session Replay instead */
type Variant = 'without' | 'with' | 'compare' | 'sentry';

interface RunFigures extends LongTaskFigures {
  variant: Variant;
  /** TBT of the long tasks that start after the load event (the scenario without the page load) */
  tbtAfterLoadMs: number;
  longTasksAfterLoad: number;
  /** the load event's end, ms from navigation start */
  loadMs: number;
  /** CDP Performance.getMetrics at the end, ms (cumulative for the page's renderer) */
  scriptMs: number;
  taskMs: number;
  layoutMs: number;
  styleMs: number;
  renders: number;
  navigations: number;
  /** elements the page's renders added to the DOM (the recorder serializes each of them) */
  nodesAdded: number;
  wallSeconds: number;
  /** sentry: replay recordings Sentry sent during the run */
  sentryRecordings?: number;
  /** with: screen / audio chunks the server stored for this run's interaction */
  screenChunks?: number;
  audioChunks?: number;
  screenKb?: number;
  machinePct: number;
  benchPct: number;
  otherPct: number;
  load1: number;
  profile?: ProfileSummary;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function openPage(ctx: Ctx): Promise<{ browser: Browser; page: Page; cdp: CDPSession }> {
  const browser = await launchChromium([...fakeMicArgs(ctx.wav), '--window-size=1400,900']);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error(`[page] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[page] ${m.text()}`));
  await page.addInitScript(LONG_TASK_OBSERVER);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return { browser, page, cdp };
}

async function recorderStarted(page: Page): Promise<string> {
  await page.waitForFunction(() => (window as unknown as { __rec?: { started: string | null; error: string | null } }).__rec?.started || (window as unknown as { __rec?: { error: string | null } }).__rec?.error, null, { timeout: 20_000 });
  const rec = await page.evaluate(() => (window as unknown as { __rec: { started: string | null; error: string | null } }).__rec);
  if (!rec.started) throw new Error(`the recorder did not start: ${rec.error}`);
  return rec.started;
}

async function storedChunks(server: RunningServer, interactionId: string) {
  const rows = await server.core.db
    .selectFrom('interaction_chunks')
    .select(['stream', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.sum<string>('bytes').as('bytes')])
    .where('interaction_id', '=', interactionId)
    .groupBy('stream')
    .execute();
  const screen = rows.find((r) => r.stream.startsWith('screen:'));
  const audio = rows.find((r) => r.stream === 'audio');
  return { screenChunks: Number(screen?.n ?? 0), audioChunks: Number(audio?.n ?? 0), screenKb: Number(screen?.bytes ?? 0) / 1024 };
}

async function runOnce(ctx: Ctx, variant: Variant, profile = false): Promise<RunFigures> {
  const withRecorder = variant === 'with' || variant === 'compare';
  const sentryBefore = ctx.sentry.replayRecordings;
  const load = new LoadWindow();
  const t0 = performance.now();
  const { browser, page, cdp } = await openPage(ctx);
  try {
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(`${ctx.crmUrl}/customers${variant === 'with' ? '?rec=1' : variant === 'without' ? '' : `?rec=${variant}`}`, { waitUntil: 'load' });
    const mark = () => page.evaluate(() => (window as unknown as { __benchClockMark(): void }).__benchClockMark());
    if (profile) await mark();
    await scenarioPass(page);
    await page.waitForTimeout(3000); // as Sentry's web-benchmark: let the last flush happen
    if (profile) await mark();
    const tasks = await page.evaluate(() => (window as unknown as { __perf: { longTasks: [number, number][]; marks: number[]; error?: string } }).__perf);
    if (tasks.error) throw new Error(`long task observer: ${tasks.error}`);
    const loadMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
    const m = await metrics(cdp);
    const counters = await page.evaluate(() => (window as unknown as { __crm: { renders: number; navigations: number; nodesAdded: number } }).__crm);
    let summary: ProfileSummary | undefined;
    if (profile) {
      const { profile: p } = (await cdp.send('Profiler.stop')) as { profile: Parameters<typeof attributeProfile>[0] };
      summary = await attributeProfile(p, `${ctx.crmUrl}/duet-recorder.iife.js`, `${ctx.bundle}.map`, { marks: tasks.marks, longTasks: tasks.longTasks });
    }
    let chunks: Awaited<ReturnType<typeof storedChunks>> | undefined;
    if (withRecorder) {
      const id = await recorderStarted(page);
      await page.evaluate(() => (window as unknown as { __rec: { recorder: { stop(ms: number): Promise<void> } } }).__rec.recorder.stop(3000));
      chunks = await storedChunks(ctx.server, id);
      if (chunks.screenChunks === 0 || chunks.audioChunks === 0) throw new Error(`the recording reached the server incompletely: ${JSON.stringify(chunks)}`);
    }
    let sentryRecordings: number | undefined;
    if (variant === 'sentry') {
      sentryRecordings = ctx.sentry.replayRecordings - sentryBefore;
      if (sentryRecordings === 0) throw new Error('Sentry Replay sent no recording: the baseline would measure an idle SDK');
    }
    const machine = load.stop();
    return {
      variant,
      ...(sentryRecordings !== undefined ? { sentryRecordings } : {}),
      ...longTaskFigures(tasks.longTasks),
      ...afterLoad(tasks.longTasks, loadMs),
      loadMs,
      scriptMs: (m.ScriptDuration ?? 0) * 1000,
      taskMs: (m.TaskDuration ?? 0) * 1000,
      layoutMs: (m.LayoutDuration ?? 0) * 1000,
      styleMs: (m.RecalcStyleDuration ?? 0) * 1000,
      renders: counters.renders,
      navigations: counters.navigations,
      nodesAdded: counters.nodesAdded,
      wallSeconds: (performance.now() - t0) / 1000,
      ...chunks,
      ...machine,
      ...(summary ? { profile: summary } : {}),
    };
  } finally {
    await browser.close();
  }
}

// ---- heap ----------------------------------------------------------------------------------------

interface HeapSample {
  atS: number;
  usedMb: number;
  embedderMb: number | null;
  domNodes: number;
  listeners: number;
  queuedKb?: number;
}

interface HeapRun {
  variant: 'without' | 'with';
  samples: HeapSample[];
  passes: number;
  growthMb: number;
  growthFromS: number;
  growthToS: number;
  slopeMbPerHour: number;
}

async function heapRun(ctx: Ctx, withRecorder: boolean, minutes: number): Promise<HeapRun> {
  const { browser, page, cdp } = await openPage(ctx);
  const samples: HeapSample[] = [];
  try {
    await page.goto(`${ctx.crmUrl}/customers${withRecorder ? '?rec=1' : ''}`, { waitUntil: 'load' });
    const t0 = performance.now();
    const endAt = t0 + minutes * 60_000;
    const sample = async () => {
      const atS = Math.round((performance.now() - t0) / 1000);
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number; embedderHeapUsedSize?: number };
      const m = await metrics(cdp);
      const queued = withRecorder ? await page.evaluate(() => (window as unknown as { __rec: { recorder: { queuedBytes: number } } }).__rec.recorder.queuedBytes) : undefined;
      samples.push({
        atS,
        usedMb: mb(heap.usedSize),
        embedderMb: heap.embedderHeapUsedSize !== undefined ? mb(heap.embedderHeapUsedSize) : null,
        domNodes: m.Nodes ?? 0,
        listeners: m.JSEventListeners ?? 0,
        ...(queued !== undefined ? { queuedKb: queued / 1024 } : {}),
      });
    };
    // The sampler runs beside the scenario on the same page, on a fixed 30 s grid.
    let stop = false;
    const sampler = (async () => {
      for (let k = 0; !stop; k++) {
        const due = t0 + k * SAMPLE_EVERY_MS;
        if (due > endAt + 1000) break;
        await sleep(Math.max(0, due - performance.now()));
        await sample();
      }
    })();
    let passes = 0;
    while (performance.now() < endAt) {
      await scenarioPass(page);
      passes++;
    }
    await sampler;
    stop = true;
    if (withRecorder) await recorderStarted(page);
    const from = samples.find((s) => s.atS >= Math.min(60, (minutes * 60) / 2)) ?? samples[0]!;
    const to = samples.at(-1)!;
    const tail = samples.filter((s) => s.atS >= from.atS);
    return { variant: withRecorder ? 'with' : 'without', samples, passes, growthMb: to.usedMb - from.usedMb, growthFromS: from.atS, growthToS: to.atS, slopeMbPerHour: slope(tail) * 3600 };
  } finally {
    await browser.close();
  }
}

/** least-squares slope of usedMb over atS, MB per second */
function slope(s: HeapSample[]): number {
  const n = s.length;
  if (n < 2) return 0;
  const mx = s.reduce((a, x) => a + x.atS, 0) / n;
  const my = s.reduce((a, x) => a + x.usedMb, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of s) {
    num += (x.atS - mx) * (x.usedMb - my);
    den += (x.atS - mx) ** 2;
  }
  return den ? num / den : 0;
}

// ---- main ----------------------------------------------------------------------------------------

export async function main(): Promise<number> {
  const started = new Date();
  console.log(`recorder bench: ${ROUNDS} round(s), heap ${MINUTES} min, profile ${PROFILE}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const others = await topProcesses(3000, 5);
  console.log(`busiest processes before the run: ${others.map((p) => `${p.name} ${p.cpuPercent.toFixed(0)}%`).join(', ') || 'none'}`);

  const code = codeState();
  if (code.recorderAgentUncommitted.length) console.log(`note: uncommitted changes in ${code.recorderAgentUncommitted.join(', ')} are in the bundle measured (HEAD ${code.commit})`);
  const rebuilt = ensureBundle();
  const sizes = bundleSizes();
  console.log(`bundle: IIFE ${sizes.iife.kb.toFixed(1)} KB, ${sizes.iife.gzipKb.toFixed(1)} KB gzip -9; ESM ${sizes.esm.kb.toFixed(1)} KB, ${sizes.esm.gzipKb.toFixed(1)} KB gzip -9${rebuilt ? ' (rebuilt)' : ''}`);

  const work = await mkdtemp(path.join(os.tmpdir(), 'duet-bench-recorder-'));
  let server: RunningServer | undefined;
  let crm: Awaited<ReturnType<typeof serveCrmPage>> | undefined;
  try {
    server = await runServer({ env: { DATA_DIR: path.join(work, 'data'), PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', LOG_LEVEL: 'warn' }, log: (level, msg) => level === 'error' && console.error(`[duet] ${msg}`) });
    const alex = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    const { token } = await createRecorderToken(server.core.db, alex.id, 'bench-recorder', { id: null });
    const wav = await speechWav(work, 'agent', 'Thank you for calling Acme, this is Alex. How can I help you today?', 'en-us+m3');
    const bundle = OTHER_BUNDLE ? path.resolve(OTHER_BUNDLE) : IIFE;
    if (OTHER_BUNDLE) console.log(`measuring ${bundle} (BENCH_RECORDER_BUNDLE), not the working tree's bundle`);
    if (COMPARE_BUNDLE) console.log(`comparing with ${path.resolve(COMPARE_BUNDLE)} (BENCH_RECORDER_COMPARE) in the same rounds`);
    const sentryBundle = SENTRY ? await ensureSentryBundle() : undefined;
    crm = await serveCrmPage(COMPARE_BUNDLE ? { current: bundle, compare: path.resolve(COMPARE_BUNDLE) } : bundle, { serverUrl: server.url, token }, sentryBundle);
    const ctx: Ctx = { crmUrl: crm.url, wav, server, bundle, sentry: crm.sentry };

    const runs: RunFigures[] = [];
    const variants: Variant[] = ['without', 'with', ...(COMPARE_BUNDLE ? (['compare'] as const) : []), ...(SENTRY ? (['sentry'] as const) : [])];
    for (let r = 1; r <= ROUNDS; r++) {
      // the order turns every round, so no variant always runs first (or right after another)
      for (const variant of variants.map((_, i) => variants[(i + r - 1) % variants.length]!)) {
        const f = await runOnce(ctx, variant);
        runs.push(f);
        console.log(
          `round ${r} ${f.variant.padEnd(7)}: TBT ${f.tbtMs.toFixed(0)} ms (after load ${f.tbtAfterLoadMs.toFixed(0)}; load ${f.loadMs.toFixed(0)} ms), ${f.nodesAdded} nodes added, long tasks ${f.longTasks} (Σ ${f.longTaskMs.toFixed(0)} ms, max ${f.maxLongTaskMs.toFixed(0)}), script ${f.scriptMs.toFixed(0)} ms, tasks ${f.taskMs.toFixed(0)} ms` +
            `${f.sentryRecordings !== undefined ? `, Sentry sent ${f.sentryRecordings} replay recordings` : ''}${f.screenChunks !== undefined ? `, stored ${f.screenChunks} screen (${f.screenKb!.toFixed(0)} KB) + ${f.audioChunks} audio chunks` : ''}; machine ${f.machinePct.toFixed(0)} %, other ${f.otherPct.toFixed(0)} %, load ${f.load1.toFixed(2)}`,
        );
      }
    }
    const of = (v: Variant, k: keyof LongTaskFigures | 'tbtAfterLoadMs' | 'loadMs' | 'scriptMs' | 'taskMs' | 'layoutMs' | 'styleMs') => median(runs.filter((x) => x.variant === v).map((x) => x[k] as number));
    const med = (v: Variant) => ({
      tbtMs: of(v, 'tbtMs'),
      tbtAfterLoadMs: of(v, 'tbtAfterLoadMs'),
      loadMs: of(v, 'loadMs'),
      longTaskMs: of(v, 'longTaskMs'),
      longTasks: of(v, 'longTasks'),
      maxLongTaskMs: of(v, 'maxLongTaskMs'),
      scriptMs: of(v, 'scriptMs'),
      taskMs: of(v, 'taskMs'),
      layoutMs: of(v, 'layoutMs'),
      styleMs: of(v, 'styleMs'),
    });
    const without = med('without');
    const withRec = med('with');
    const addedTbtMs = withRec.tbtMs - without.tbtMs;
    // the same difference taken within each round (both runs under that round's machine load)
    const pairedAdded = (v: Variant) => median(Array.from({ length: ROUNDS }, (_, i) => runs.filter((x) => x.variant === v)[i]!.tbtMs - runs.filter((x) => x.variant === 'without')[i]!.tbtMs));
    const compared = COMPARE_BUNDLE ? med('compare') : undefined;
    const sentry = SENTRY ? med('sentry') : undefined;
    const sentryAdded = sentry ? sentry.tbtMs - without.tbtMs : undefined;
    const ratio = sentryAdded !== undefined && sentryAdded > 0 ? addedTbtMs / sentryAdded : undefined;
    if (sentry) console.log(`Sentry Session Replay (same page, same rounds): TBT ${sentry.tbtMs.toFixed(0)} ms, added ${sentryAdded!.toFixed(0)} ms (per-round ${pairedAdded('sentry').toFixed(0)}); Duet / Sentry = ${ratio?.toFixed(2) ?? 'n/a'} (target ≤ ${TARGET_RATIO_TO_SENTRY.toFixed(2)}: 90 against Sentry's published 374)`);
    if (compared) console.log(`comparison bundle: TBT ${compared.tbtMs.toFixed(0)} ms, added ${(compared.tbtMs - without.tbtMs).toFixed(0)} ms (median of per-round differences ${pairedAdded('compare').toFixed(0)}); this bundle: added ${addedTbtMs.toFixed(0)} ms (per-round ${pairedAdded('with').toFixed(0)})`);
    console.log(`medians over ${ROUNDS} round(s): TBT ${without.tbtMs.toFixed(0)} → ${withRec.tbtMs.toFixed(0)} ms (added ${addedTbtMs.toFixed(0)} ms; target ≤ ${TARGET_ADDED_TBT_MS}); after load ${without.tbtAfterLoadMs.toFixed(0)} → ${withRec.tbtAfterLoadMs.toFixed(0)} ms; Σ long tasks ${without.longTaskMs.toFixed(0)} → ${withRec.longTaskMs.toFixed(0)} ms; script ${without.scriptMs.toFixed(0)} → ${withRec.scriptMs.toFixed(0)} ms`);

    let profile: RunFigures | undefined;
    if (PROFILE === '1' || (PROFILE === 'auto' && addedTbtMs > TARGET_ADDED_TBT_MS)) {
      profile = await runOnce(ctx, 'with', true);
      console.log(`profile run (with, sampling 200 µs): TBT ${profile.tbtMs.toFixed(0)} ms`);
      for (const c of profile.profile!.byOwner.slice(0, 12)) console.log(`  ${c.ms.toFixed(0).padStart(6)} ms  ${c.name}`);
      const pr = profile.profile!;
      console.log(`  ${pr.longTaskSource} (clock check ${pr.clockCheckMs} ms): ${pr.busyPeriods}, blocking ${pr.blockingMs} ms, without the recorder's samples in them ${pr.blockingWithoutRecorderMs} ms`);
      console.log('  recorder by phase (total / inside long tasks):');
      for (const c of pr.recorderByPhase) console.log(`  ${c.ms.toFixed(0).padStart(6)} / ${c.inLongMs.toFixed(0).padStart(5)} ms  ${c.name}`);
      console.log('  recorder functions (self + native callees):');
      for (const c of profile.profile!.topRecorderFunctions.slice(0, 15)) console.log(`  ${c.ms.toFixed(0).padStart(6)} ms  ${c.name}`);
      console.log('  recorder functions inside long tasks:');
      for (const c of pr.topRecorderFunctionsInLong.slice(0, 15)) console.log(`  ${c.ms.toFixed(1).padStart(6)} ms  ${c.name}`);
      console.log('  long tasks the recorder spent over 5 ms in:');
      for (const t of pr.recorderLongTasks) console.log(`  at ${t.startMs} ms, ${t.durationMs} ms long, recorder ${t.recorderMs} ms: ${t.top.join(', ')}`);
    }

    let heap: { with: HeapRun; without: HeapRun } | undefined;
    let heapLoad: ReturnType<LoadWindow['stop']> | undefined;
    if (MINUTES > 0) {
      console.log(`heap: ${MINUTES} min with and without the recorder, side by side …`);
      const load = new LoadWindow();
      const [w, wo] = await Promise.all([heapRun(ctx, true, MINUTES), heapRun(ctx, false, MINUTES)]);
      heapLoad = load.stop();
      heap = { with: w, without: wo };
      for (const h of [w, wo]) console.log(`heap ${h.variant.padEnd(7)}: ${h.samples.map((s) => s.usedMb.toFixed(1)).join(' ')} MB; growth ${h.growthFromS}→${h.growthToS} s ${h.growthMb.toFixed(2)} MB (${h.slopeMbPerHour.toFixed(1)} MB/h), ${h.passes} passes`);
    }

    const machineDuring = { medianMachinePct: median(runs.map((r) => r.machinePct)), medianOtherPct: median(runs.map((r) => r.otherPct)), maxOtherPct: Math.max(...runs.map((r) => r.otherPct)), load1Start: runs[0]!.load1, load1End: os.loadavg()[0]! };
    const figures: Record<string, unknown> = {
      addedTbtMs: round(addedTbtMs),
      bundleGzipKb: round(sizes.iife.gzipKb),
      heapGrowthMb10min: heap ? round(heap.with.growthMb) : null,
      targets: { addedTbtMs: TARGET_ADDED_TBT_MS, bundleGzipKb: TARGET_BUNDLE_GZIP_KB },
      met: { addedTbt: addedTbtMs <= TARGET_ADDED_TBT_MS, bundle: sizes.iife.gzipKb <= TARGET_BUNDLE_GZIP_KB, ...(ratio !== undefined ? { addedTbtRatioToSentry: ratio <= TARGET_RATIO_TO_SENTRY } : {}) },
      ...(sentry
        ? {
            sentryAddedTbtMs: round(sentryAdded!),
            addedTbtRatioToSentry: ratio !== undefined ? round(ratio) : null,
            targetRatioToSentry: round(TARGET_RATIO_TO_SENTRY),
            sentry: { package: '@sentry/browser', version: sentryVersion(), addedTbtMedianOfRoundsMs: round(pairedAdded('sentry')), addedTbtAfterLoadMs: round(sentry.tbtAfterLoadMs - without.tbtAfterLoadMs), ...roundAll(sentry) },
          }
        : {}),
      baselineHeapGrowthMb10min: heap ? round(heap.without.growthMb) : null,
      rounds: ROUNDS,
      heapMinutes: MINUTES,
      without: roundAll(without),
      with: roundAll(withRec),
      addedTbtMedianOfRoundsMs: round(pairedAdded('with')),
      ...(compared
        ? { compare: { bundle: path.relative(ROOT, path.resolve(COMPARE_BUNDLE!)), addedTbtMs: round(compared.tbtMs - without.tbtMs), addedTbtMedianOfRoundsMs: round(pairedAdded('compare')), addedTbtAfterLoadMs: round(compared.tbtAfterLoadMs - without.tbtAfterLoadMs), ...roundAll(compared) } }
        : {}),
      addedTbtAfterLoadMs: round(withRec.tbtAfterLoadMs - without.tbtAfterLoadMs),
      addedLongTaskMs: round(withRec.longTaskMs - without.longTaskMs),
      addedScriptMs: round(withRec.scriptMs - without.scriptMs),
      addedTaskMs: round(withRec.taskMs - without.taskMs),
      bundle: { iifeKb: round(sizes.iife.kb), iifeGzipKb: round(sizes.iife.gzipKb), esmKb: round(sizes.esm.kb), esmGzipKb: round(sizes.esm.gzipKb) },
      runs: runs.map((r) => roundAll(r as unknown as Record<string, unknown>)),
      ...(heap
        ? {
            heap: Object.fromEntries(
              (['with', 'without'] as const).map((v) => [v, { growthMb: round(heap[v].growthMb), fromS: heap[v].growthFromS, toS: heap[v].growthToS, slopeMbPerHour: round(heap[v].slopeMbPerHour), passes: heap[v].passes, samples: heap[v].samples.map((s) => roundAll(s as unknown as Record<string, unknown>)) }]),
            ),
            heapMachine: heapLoad ? roundAll(heapLoad) : null,
          }
        : {}),
      ...(profile ? { profile: { tbtMs: round(profile.tbtMs), ...profile.profile } } : {}),
      machineDuring: roundAll(machineDuring),
      startedAt: started.toISOString(),
      ...codeState(),
    };
    console.log(`addedTbtMs ${figures.addedTbtMs} (≤ ${TARGET_ADDED_TBT_MS}: ${addedTbtMs <= TARGET_ADDED_TBT_MS ? 'met' : 'missed'}), bundleGzipKb ${figures.bundleGzipKb} (≤ ${TARGET_BUNDLE_GZIP_KB}: ${sizes.iife.gzipKb <= TARGET_BUNDLE_GZIP_KB ? 'met' : 'missed'}), heapGrowthMb10min ${figures.heapGrowthMb10min} (without recorder ${figures.baselineHeapGrowthMb10min})`);
    if (WRITE) console.log(`wrote ${await writeResult('recorder', figures, { machine: describeMachine() })}`);
    else console.log('(non-default run: bench/results/recorder.json not written; BENCH_WRITE=1 writes it)');
    // A missed target is a figure, not a failure: the exit code reports errors only.
    return 0;
  } finally {
    await crm?.close();
    await server?.close();
    await rm(work, { recursive: true, force: true });
  }
}

function sentryVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@sentry', 'browser', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The commit measured, and whether the recorder's sources differed from it (a shared working tree). */
function codeState(): { commit: string; recorderAgentUncommitted: string[] } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    // against HEAD, not the index: the shared index may be stale for files committed from another index
    const dirty = execFileSync('git', ['diff', 'HEAD', '--name-only', '--', 'recorder-agent/src', 'protocol/src'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const f of execFileSync('git', ['ls-files', '--others', '--exclude-standard', '--', 'recorder-agent/src', 'protocol/src'], { cwd: ROOT, encoding: 'utf8' }).split('\n')) if (f) dirty.push(f);
    return { commit, recorderAgentUncommitted: dirty };
  } catch {
    return { commit: 'unknown', recorderAgentUncommitted: [] };
  }
}

function roundAll<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));
}
