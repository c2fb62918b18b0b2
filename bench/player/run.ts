/**
 * bench/player, the measurements (index.ts registers the source loader and calls `main`).
 *
 * 1. The review UI is built into bench/.cache/player/ (the working tree; with
 *    BENCH_PLAYER_BEFORE=<ref> also a build whose player files come from that ref).
 * 2. A real Duet server in this process (PGlite in a temp DATA_DIR, demo seed, the workers' job
 *    handlers in process) receives the 60-minute beep fixture (fixture.ts) through `/ingest` and
 *    finalizes it with real ffmpeg. The finalized audio is read back from the store, decoded, and
 *    the beeps found in it (bench/lib/beeps.ts): where they really are in what the player plays.
 * 3. Per UI build, in headless Chromium as supervisor `sofia`:
 *    - first play (3 fresh browser contexts, median): navigation start → audio `playing` and the
 *      first frame showing the right screen, Play pressed the moment it exists;
 *    - 50 seeks by clicking the timeline at seeded random points, paused: click (pointerdown) →
 *      the first frame where the audio is seeked with data to play and the replayed counter is
 *      the one for that time;
 *    - skew: windows over the hour (start, middle, end, after seeks, across the PCI pause, at
 *      0.5×–3×, a speed change while playing, a 60 s stretch); at each counter change the audio
 *      clock is read and compared with where that beep is in the audio.
 * 4. Baseline, same run: rrweb's own Replayer holding the whole hour's events (as a player
 *    without a seek index), seeking with pause(offset) to the same points.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import type { Manifest } from '@duet/protocol';
import { runServer, type RunningServer } from '../../server/src/index.js';
import type { TestServer } from '../../test/harness/app.js';
import { launchChromium } from '../../test/harness/browser.js';
import { manifestOf } from '../../test/harness/recorded-interactions.js';
import { createHandlers } from '../../workers/src/index.js';
import { FFMPEG } from '../../workers/src/finalize/ffmpeg.js';
import { beepOnsets, beepsBefore, screenVoiceSkew, type ScreenChange } from '../lib/beeps.js';
import { describeMachine } from '../lib/machine.js';
import { SystemCpuMonitor, topProcesses } from '../lib/proc.js';
import { writeResult } from '../lib/results.js';
import { round, summarize } from '../lib/stats.js';
import { sendFixture, TIMELINE_MS, xorshift, type SentFixture } from './fixture.js';
import { BASELINE_SCRIPT, PROBE_SCRIPT } from './probe.js';
import { buildUi } from './ui-build.js';

const run = promisify(execFile);
const env = process.env;
const SEEKS = Number(env.BENCH_PLAYER_SEEKS ?? 50);
const FIRST_PLAYS = Number(env.BENCH_PLAYER_FIRST_PLAYS ?? 3);
const BEFORE = env.BENCH_PLAYER_BEFORE;
/** 0: skip the skew windows (a quick run) */
const SKEW = env.BENCH_PLAYER_SKEW !== '0';
const REUSE = env.BENCH_PLAYER_REUSE === '1';
/** comma-separated indexes into WINDOWS: only those skew windows (a quick run) */
const ONLY_WINDOWS = env.BENCH_PLAYER_WINDOWS?.split(',').map(Number);
const WRITE = env.BENCH_WRITE !== '0' && SEEKS === 50 && SKEW && !REUSE && !ONLY_WINDOWS;
const TARGETS = { firstPlayMs: 1000, seekP95Ms: 200, skewMaxLeadMs: 20, skewMaxLagMs: 40 };
const RRWEB_UMD = fileURLToPath(new URL('../../node_modules/rrweb/dist/rrweb.umd.min.cjs', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => console.log(m);

interface Window {
  label: string;
  atMs: number;
  rate: number;
  wallMs: number;
  /** change the speed to this after `switchAfterMs` of playing (collected only after it) */
  switchTo?: number;
  switchAfterMs?: number;
}

/** The skew windows: beginning, middle, end, after seeks, across the pause, every speed, a speed change, a long stretch. */
const WINDOWS: Window[] = [
  { label: 'start 1×', atMs: 0, rate: 1, wallMs: 12_000 },
  { label: 'seek 14:55, 2×', atMs: 14 * 60_000 + 55_000, rate: 2, wallMs: 10_000 },
  { label: 'across the PCI pause 19:48, 3×', atMs: 19 * 60_000 + 48_000, rate: 3, wallMs: 20_000 },
  { label: 'middle 29:50, 1×', atMs: 29 * 60_000 + 50_000, rate: 1, wallMs: 15_000 },
  { label: '40:00, 1× then 1.5× while playing', atMs: 40 * 60_000, rate: 1, wallMs: 12_000, switchTo: 1.5, switchAfterMs: 4000 },
  { label: 'seek 45:00, 0.5×', atMs: 45 * 60_000, rate: 0.5, wallMs: 16_000 },
  { label: 'long stretch 05:00, 1× (60 s)', atMs: 5 * 60_000, rate: 1, wallMs: 60_000 },
  { label: 'end 59:35, 1×', atMs: 59 * 60_000 + 35_000, rate: 1, wallMs: 26_000 },
];

async function readObject(server: RunningServer, key: string): Promise<Buffer> {
  const got = await server.core.store.get(key);
  const parts: Buffer[] = [];
  for await (const c of got.body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Beep onsets (ms) in the finalized audio, as the player will play it. */
async function beepsInAudio(server: RunningServer, manifest: Manifest, work: string): Promise<number[]> {
  if (!manifest.audio) throw new Error('the finalized interaction has no audio');
  const file = path.join(work, 'final-audio');
  await writeFile(file, await readObject(server, manifest.audio.key));
  const { stdout } = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-ac', '1', '-ar', '8000', '-f', 's16le', 'pipe:1'], { encoding: 'buffer', maxBuffer: 200 * 1024 * 1024 });
  const pcm = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.byteLength / 2));
  return beepOnsets(pcm, 8000, { threshold: 0.1, minGapMs: 1000 });
}

/** Every event of the screen stream, rebased exactly as the player rebases each segment. */
async function allScreenEvents(server: RunningServer, manifest: Manifest): Promise<{ events: { timestamp: number }[]; firstMs: number }> {
  const epochBase = Date.parse(manifest.startedAt);
  const screen = manifest.screens[0]!;
  const events: { timestamp: number }[] = [];
  for (const seg of screen.segments) {
    const list = JSON.parse(gunzipSync(await readObject(server, seg.key)).toString('utf8')) as { timestamp: number }[];
    const shift = epochBase + seg.startMs - list[0]!.timestamp;
    for (const e of list) events.push({ ...e, timestamp: e.timestamp + shift });
  }
  return { events, firstMs: screen.segments[0]!.startMs };
}

async function signedInContext(browser: Browser, url: string, beeps: readonly number[]) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const r = await context.request.post(`${url}/api/auth/login`, { data: { username: 'sofia', password: 'welcome-to-duet' } });
  if (!r.ok()) throw new Error(`login failed: HTTP ${r.status()}`);
  await context.addInitScript({ content: `${PROBE_SCRIPT}\nwindow.__bench.beeps = ${JSON.stringify(beeps)};` });
  return context;
}

type Bench = { playingAt: number | null; screenAt: number | null; clickedPlayAt: number | null; presses: number; changes: (ScreenChange & { rate: number })[] };
const benchState = (page: Page) => page.evaluate('({ playingAt: __bench.playingAt, screenAt: __bench.screenAt, clickedPlayAt: __bench.clickedPlayAt, presses: __bench.presses, changes: __bench.changes })') as Promise<Bench>;

async function waitStarted(page: Page) {
  try {
    await page.waitForFunction(() => {
      const b = (window as unknown as { __bench: Bench }).__bench;
      return b.playingAt != null && b.screenAt != null;
    }, null, { timeout: 30_000, polling: 50 });
  } catch (error) {
    const shot = path.join(os.tmpdir(), `duet-bench-player-stuck-${process.pid}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    const state = await page.evaluate(`JSON.stringify({ url: location.href, playingAt: __bench.playingAt, screenAt: __bench.screenAt, clickedPlayAt: __bench.clickedPlayAt, log: __bench.log, shown: __bench.shownBeep(), audio: (() => { const a = document.querySelector('[data-testid=player-audio]'); return a && { t: a.currentTime, paused: a.paused, rs: a.readyState, err: a.error && a.error.message }; })(), overlay: document.querySelector('.stage-overlay')?.textContent ?? null })`).catch((e: Error) => e.message);
    throw new Error(`the player did not start within 30 s: ${String(state)} (screenshot ${shot})`, { cause: error });
  }
}

/** The screen follower's counters (sync.ts keeps them on the replay root; 0 in builds without them). */
async function followerCounts(page: Page): Promise<{ rebuilds: number; playbacks: number; finishes: number; rewrites: number; rebuiltSteps: number }> {
  return (await page.evaluate(`(() => { const d = document.querySelector('[data-testid=replay-root]')?.dataset ?? {}; return { rebuilds: Number(d.rebuilds ?? 0), playbacks: Number(d.playbacks ?? 0), finishes: Number(d.finishes ?? 0), rewrites: __bench.repositions, rebuiltSteps: __bench.rebuilt }; })()`)) as { rebuilds: number; playbacks: number; finishes: number; rewrites: number; rebuiltSteps: number };
}

type CpuProfile = { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]; samples: number[]; timeDeltas: number[] };

/** BENCH_PLAYER_PROFILE=1: where the page's main thread spent the first play, by script and by function (self time). */
function profileSummary(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byScript = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    const script = f.url ? f.url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '') : `(${f.functionName || 'native'})`;
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
    const fn = `${f.functionName || '(anonymous)'} ${script}:${f.lineNumber}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(0)} ms ${k}`).join('\n     ');
  return `   profile by script:\n     ${top(byScript, 12)}\n   by function:\n     ${top(byFn, 25)}`;
}

async function firstPlay(browser: Browser, url: string, id: string, beeps: readonly number[]) {
  const context = await signedInContext(browser, url, beeps);
  try {
    const page = await context.newPage();
    const cdp = env.BENCH_PLAYER_PROFILE ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(`${url}/interactions/${id}`, { waitUntil: 'commit' });
    await waitStarted(page);
    if (cdp) log(profileSummary(((await cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile));
    const s = await benchState(page);
    const nav = (await page.evaluate(`JSON.stringify(performance.getEntriesByType('navigation')[0])`)) as string;
    // Object URLs are long (signed): named by their key's last two parts.
    const resources = (await page.evaluate(`JSON.stringify(performance.getEntriesByType('resource').map((r) => { const u = new URL(r.name); const p = u.pathname.startsWith('/api/objects/') ? u.pathname.split('/').slice(-2).join('/') : u.pathname + u.search; return [p.slice(0, 60), Math.round(r.startTime), Math.round(r.responseEnd), r.encodedBodySize]; }))`)) as string;
    const audioLog = (await page.evaluate('JSON.stringify(__bench.log)')) as string;
    if (env.BENCH_PLAYER_DEBUG) log(`   navigation ${nav}\n   resources ${resources}\n   audio events ${audioLog}`);
    return { ms: Math.max(s.playingAt!, s.screenAt!), playButtonMs: s.clickedPlayAt!, presses: s.presses, playingMs: s.playingAt!, screenMs: s.screenAt! };
  } finally {
    await context.close();
  }
}

async function timelineBox(page: Page) {
  const box = await page.getByRole('slider', { name: 'Position' }).boundingBox();
  if (!box) throw new Error('no timeline');
  return box;
}

async function clickAt(page: Page, ms: number) {
  const box = await timelineBox(page);
  await page.mouse.click(box.x + Math.min(box.width - 0.5, (box.width * ms) / TIMELINE_MS), box.y + box.height / 2);
}

async function setRate(page: Page, rate: number) {
  await page.getByLabel('Speed').selectOption(String(rate));
}

async function ensurePlaying(page: Page, playing: boolean) {
  const want = playing ? 'Play' : 'Pause';
  const button = page.locator(`button[aria-label="${want}"]`);
  if (await button.count()) await button.click();
  // Function predicates: the review UI's CSP forbids the eval a string predicate needs.
  await page.waitForFunction((paused) => (document.querySelector('[data-testid=player-audio]') as HTMLAudioElement | null)?.paused === paused, !playing, { timeout: 10_000 });
}

interface SeekResult {
  ms: number;
  audioMs: number;
  screenMs: number;
  atMs: number;
}

async function measureVariant(browser: Browser, url: string, fixture: SentFixture, beepAudio: number[], seekPoints: number[], label: string) {
  log(`\n-- player (${label})`);
  const firsts: Awaited<ReturnType<typeof firstPlay>>[] = [];
  for (let i = 0; i < FIRST_PLAYS; i++) {
    const f = await firstPlay(browser, url, fixture.interactionId, fixture.beepsTimeline);
    firsts.push(f);
    log(`   first play ${i + 1}: ${f.ms.toFixed(0)} ms (Play available at ${f.playButtonMs.toFixed(0)}, pressed ${f.presses}×, playing at ${f.playingMs.toFixed(0)}, screen at ${f.screenMs.toFixed(0)})`);
  }
  const context = await signedInContext(browser, url, fixture.beepsTimeline);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${url}/interactions/${fixture.interactionId}`);
    await waitStarted(page);
    await ensurePlaying(page, false);
    const seeks: SeekResult[] = [];
    const failures: unknown[] = [];
    const seekCdp = env.BENCH_PLAYER_PROFILE ? await context.newCDPSession(page) : null;
    if (seekCdp) {
      await seekCdp.send('Profiler.enable');
      await seekCdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await seekCdp.send('Profiler.start');
    }
    for (const [i, t] of seekPoints.entries()) {
      await page.evaluate('__bench.downAt = null');
      const wait = page.evaluate('__bench.waitSeek(5000)') as Promise<SeekResult & { error?: string }>;
      await clickAt(page, t);
      const r = await wait;
      if (r.error) failures.push({ t, ...r });
      else seeks.push(r);
      if (i % 10 === 9) log(`   seek ${i + 1}/${seekPoints.length}: last ${r.error ? r.error : `${r.ms.toFixed(0)} ms`}`);
      await sleep(500);
    }
    if (seekCdp) log(`   seeks' main thread (500 ms idle between seeks included):\n${profileSummary(((await seekCdp.send('Profiler.stop')) as { profile: CpuProfile }).profile)}`);
    const seek = summarize(seeks.map((s) => s.ms));
    log(`   seeks: p50 ${seek.p50.toFixed(0)} ms, p95 ${seek.p95.toFixed(0)} ms, max ${seek.max.toFixed(0)} ms (${failures.length} not ready within 5 s)`);

    const changes: (ScreenChange & { rate: number })[] = [];
    /** what the replayer did while the skew windows played (the follower's counters; absent in builds before them) */
    const playCounts = { rebuilds: 0, playbacks: 0, finishes: 0 };
    if (SKEW) {
      for (const w of WINDOWS.filter((_, i) => !ONLY_WINDOWS || ONLY_WINDOWS.includes(i))) {
        await page.evaluate('__bench.collect = null; __bench.changes = []');
        await setRate(page, w.rate);
        await clickAt(page, w.atMs);
        await ensurePlaying(page, true);
        const before = await followerCounts(page);
        if (w.switchTo !== undefined) {
          await page.evaluate(`__bench.collect = ${JSON.stringify(`${w.label} (before the switch)`)}`);
          await sleep(w.switchAfterMs ?? 0);
          await setRate(page, w.switchTo);
          await page.evaluate(`__bench.collect = ${JSON.stringify(`${w.label} (after the switch)`)}`);
          await sleep(w.wallMs - (w.switchAfterMs ?? 0));
        } else {
          await page.evaluate(`__bench.collect = ${JSON.stringify(w.label)}`);
          await sleep(w.wallMs);
        }
        await page.evaluate('__bench.collect = null');
        const after = await followerCounts(page);
        const got = (await benchState(page)).changes;
        changes.push(...got);
        const s = screenVoiceSkew(beepAudio, got).summary;
        const during = { rebuilds: after.rebuilds - before.rebuilds, playbacks: after.playbacks - before.playbacks, finishes: after.finishes - before.finishes };
        for (const k of ['rebuilds', 'playbacks', 'finishes'] as const) playCounts[k] += during[k];
        log(`   skew ${w.label}: ${s.count} changes, lead ≤ ${s.maxLeadMs.toFixed(1)} ms, lag ≤ ${s.maxLagMs.toFixed(1)} ms, mean ${s.meanMs.toFixed(1)} ms; page builds ${during.rebuilds}, rewinds ${during.playbacks}, ran out ${during.finishes}; rewrites / rebuilt steps set apart ${after.rewrites - before.rewrites} / ${after.rebuiltSteps - before.rebuiltSteps}`);
        if (env.BENCH_PLAYER_DEBUG) for (const c of screenVoiceSkew(beepAudio, got).samples) log(`     beep ${c.beep}: ${c.skewMs.toFixed(1)} ms ${JSON.stringify(c)}`);
        await ensurePlaying(page, false);
      }
    }
    const repositions = (await page.evaluate('__bench.repositions')) as number;
    const rebuilt = (await page.evaluate('__bench.rebuilt')) as number;
    const skew = screenVoiceSkew(beepAudio, changes);
    const byPhase: Record<string, { count: number; maxLeadMs: number; maxLagMs: number; meanMs: number }> = {};
    for (const phase of new Set(changes.map((c) => c.phase))) {
      const s = screenVoiceSkew(beepAudio, changes.filter((c) => c.phase === phase)).summary;
      byPhase[phase] = { count: s.count, maxLeadMs: round(s.maxLeadMs), maxLagMs: round(s.maxLagMs), meanMs: round(s.meanMs) };
    }
    const first = summarize(firsts.map((f) => f.ms));
    return {
      firstPlayMs: round(first.p50),
      firstPlayRunsMs: firsts.map((f) => round(f.ms)),
      firstPlayButtonMs: round(summarize(firsts.map((f) => f.playButtonMs)).p50),
      seekP50Ms: round(seek.p50),
      seekP95Ms: round(seek.p95),
      seekMaxMs: round(seek.max),
      seekAudioP95Ms: round(summarize(seeks.map((s) => s.audioMs)).p95),
      seekScreenP95Ms: round(summarize(seeks.map((s) => s.screenMs)).p95),
      seekFailures: failures.length,
      seekFailureDetails: failures.slice(0, 5),
      skewMaxLeadMs: round(skew.summary.maxLeadMs),
      skewMaxLagMs: round(skew.summary.maxLagMs),
      skewMeanMs: round(skew.summary.meanMs),
      skewSamples: skew.summary.count,
      skewUnmatched: skew.summary.unmatched,
      skewRepositionsIgnored: repositions,
      skewRebuildStepsIgnored: rebuilt,
      /** during the skew windows: page builds from a snapshot (a segment boundary played through is one), rewinds, replayer out of events */
      playPageBuilds: playCounts.rebuilds,
      playRewinds: playCounts.playbacks,
      playRanOut: playCounts.finishes,
      skewByPhase: byPhase,
      pageErrors: errors.slice(0, 5),
      landed: seeks.map((s) => s.atMs),
    };
  } finally {
    await context.close();
  }
}

async function rrwebBaseline(browser: Browser, events: { timestamp: number }[], firstMs: number, beeps: readonly number[], points: number[]) {
  log('\n-- baseline: rrweb Replayer holding the whole hour');
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.setContent('<!doctype html><html><body><div id="root"></div></body></html>');
    await page.addScriptTag({ content: readFileSync(RRWEB_UMD, 'utf8') });
    await page.addScriptTag({ content: BASELINE_SCRIPT });
    const loadMs = (await page.evaluate((evs) => (window as unknown as { __baseline: { load(e: unknown): number } }).__baseline.load(evs), events)) as number;
    log(`   Replayer built from ${events.length} events in ${loadMs.toFixed(0)} ms`);
    const times: number[] = [];
    let failures = 0;
    for (const t of points) {
      // Clear of a beep by 3 ms either side, so the expected counter is unambiguous.
      const n = beepsBefore(beeps, t);
      if (beepsBefore(beeps, t - 3) !== n || beepsBefore(beeps, t + 3) !== n) continue;
      const r = (await page.evaluate(([offset, expected]) => (window as unknown as { __baseline: { seek(o: number, e: number, t: number): Promise<unknown> } }).__baseline.seek(offset, expected, 10_000), [t - firstMs, n] as const)) as { ms?: number; error?: string };
      if (r.ms === undefined) failures++;
      else times.push(r.ms);
      await sleep(100);
    }
    const s = summarize(times);
    log(`   seeks: p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms over ${times.length} points (${failures} wrong screen)`);
    return { rrwebBaselineSeekP50Ms: round(s.p50), rrwebBaselineSeekP95Ms: round(s.p95), rrwebBaselineSeekCount: times.length, rrwebBaselineFailures: failures, rrwebBaselineLoadMs: round(loadMs) };
  } finally {
    await context.close();
  }
}

export async function main(): Promise<number> {
  const t0 = performance.now();
  const work = await mkdtemp(path.join(os.tmpdir(), 'duet-bench-player-'));
  const quiet = (() => {
    try {
      return readFileSync('/tmp/duet-quiet', 'utf8').trim();
    } catch {
      return null;
    }
  })();
  const others = await topProcesses(3000, 6);
  const load1Start = os.loadavg()[0]!;
  log(`machine: ${describeMachine()}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; quiet lock: ${quiet ?? 'none'}`);
  log(`busiest processes before the run: ${others.map((p) => `${p.name} ${p.cpuPercent.toFixed(0)}%`).join(', ') || 'none'}`);

  const variants = [{ label: 'current' as const, ref: undefined as string | undefined }];
  if (BEFORE) variants.unshift({ label: 'before' as never, ref: BEFORE });
  const uiDirs = new Map<string, string>();
  for (const v of variants) uiDirs.set(v.label, await buildUi(v, log));

  // BENCH_PLAYER_REUSE=1 keeps the server's data (and the finalized fixture) between runs in a
  // fixed temp directory: for working on the player, not for the recorded figures.
  const reuseDir = path.join(os.tmpdir(), 'duet-bench-player-data');
  const dataDir = REUSE ? path.join(reuseDir, 'data') : path.join(work, 'data');
  const start = (uiDir: string) =>
    runServer({
      env: { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', LOG_LEVEL: 'warn', UI_DIR: uiDir },
      jobHandlers: createHandlers,
      log: (level, msg) => level === 'error' && console.error(`[duet] ${msg}`),
    });
  let server = await start(uiDirs.get(variants[0]!.label)!);
  let browser: Browser | undefined;
  const cpu = new SystemCpuMonitor();
  try {
    log('\n-- fixture: 60 min of beeps and screen through /ingest, finalized by the real job');
    const saved = path.join(reuseDir, 'fixture.json');
    const fixture: SentFixture = REUSE && existsSync(saved) ? (JSON.parse(readFileSync(saved, 'utf8')) as SentFixture) : await sendFixture(server, log);
    if (REUSE) await writeFile(saved, JSON.stringify(fixture));
    const manifest = await manifestOf(server as TestServer, fixture.interactionId);
    const beepAudio = await beepsInAudio(server, manifest, work);
    if (beepAudio.length !== fixture.beepsTimeline.length) throw new Error(`found ${beepAudio.length} beeps in the finalized audio, expected ${fixture.beepsTimeline.length}`);
    const placement = beepAudio.map((b, i) => b - fixture.beepsTimeline[i]!);
    const placementMax = Math.max(...placement.map(Math.abs));
    log(`   ${beepAudio.length} beeps in the finalized audio; placement vs the recorder's timeline: ${Math.min(...placement).toFixed(1)} … ${Math.max(...placement).toFixed(1)} ms`);
    const { events, firstMs } = await allScreenEvents(server, manifest);

    const rand = xorshift(0xbeef);
    const seekPoints = Array.from({ length: SEEKS }, () => Math.round(2000 + rand() * (TIMELINE_MS - 4000)));

    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    cpu.start();
    const results: Record<string, Awaited<ReturnType<typeof measureVariant>>> = {};
    for (const [i, v] of variants.entries()) {
      if (i > 0) {
        await server.close();
        server = await start(uiDirs.get(v.label)!);
      }
      results[v.label] = await measureVariant(browser, server.url, fixture, beepAudio, seekPoints, v.label);
    }
    const current = results.current!;
    const baseline = await rrwebBaseline(browser, events, firstMs, fixture.beepsTimeline, current.landed);
    const machineCpu = cpu.stop();
    const load1End = os.loadavg()[0]!;

    const { landed: _landed, ...figuresCurrent } = current;
    const figures: Record<string, unknown> = {
      ...figuresCurrent,
      ...baseline,
      targets: TARGETS,
      met: {
        firstPlay: current.firstPlayMs <= TARGETS.firstPlayMs,
        seekP95: current.seekP95Ms <= TARGETS.seekP95Ms,
        skew: current.skewMaxLeadMs <= TARGETS.skewMaxLeadMs && current.skewMaxLagMs <= TARGETS.skewMaxLagMs,
      },
      pipelineBeepPlacementMaxMs: round(placementMax),
      fixture: {
        timelineMs: TIMELINE_MS,
        beeps: fixture.beepsTimeline.length,
        audioChunks: fixture.audioChunks,
        screenChunks: fixture.screenChunks,
        screenEvents: fixture.screenEvents,
        segments: manifest.screens[0]?.segments.length ?? 0,
        ingestSeconds: round(fixture.ingestSeconds),
        finalizeSeconds: round(fixture.finalizeSeconds),
      },
      load: {
        quietLock: quiet,
        loadAverageStart: round(load1Start),
        loadAverageEnd: round(load1End),
        machineCpuPercentDuringBrowserRuns: round(machineCpu.busyPercent),
        busiestBefore: others.map((p) => ({ name: p.name, cpuPercent: round(p.cpuPercent) })),
      },
      ...(results.before ? { before: (({ landed: _l, ...rest }) => rest)(results.before), beforeRef: BEFORE } : {}),
      seconds: round((performance.now() - t0) / 1000),
    };
    log(`\nfirst play ${current.firstPlayMs} ms (target ≤ ${TARGETS.firstPlayMs}); seek p50 ${current.seekP50Ms} / p95 ${current.seekP95Ms} ms (target ≤ ${TARGETS.seekP95Ms}; rrweb baseline p95 ${baseline.rrwebBaselineSeekP95Ms} ms); skew lead ≤ ${current.skewMaxLeadMs} ms, lag ≤ ${current.skewMaxLagMs} ms (target +${TARGETS.skewMaxLeadMs}/−${TARGETS.skewMaxLagMs})`);
    if (results.before) log(`before (${BEFORE}): first play ${results.before.firstPlayMs} ms; seek p50 ${results.before.seekP50Ms} / p95 ${results.before.seekP95Ms} ms; skew lead ≤ ${results.before.skewMaxLeadMs}, lag ≤ ${results.before.skewMaxLagMs} ms`);
    log(`machine CPU during the browser runs: ${machineCpu.busyPercent.toFixed(0)} % of ${machineCpu.cores * 100} %; load average ${load1Start.toFixed(2)} → ${load1End.toFixed(2)}`);
    if (WRITE) log(`wrote ${await writeResult('player', figures)}`);
    else {
      const file = path.join(work, '..', `duet-bench-player-${process.pid}.json`);
      await writeFile(file, JSON.stringify(figures, null, 2));
      log(`(a non-default run: figures in ${file}, bench/results/player.json untouched)`);
    }
    return 0;
  } finally {
    await browser?.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

