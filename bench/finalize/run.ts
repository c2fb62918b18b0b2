/**
 * bench/finalize, the measurements (index.ts registers the source loader and calls `main`).
 *
 * 1. Input: a 60-minute interaction (input.ts), cached under bench/.cache/finalize/.
 * 2. Loads it as an `ended` interaction into a fresh database (PGlite in memory; then PostgreSQL
 *    if one answers) with a filesystem object store in a temp dir.
 * 3. A breakdown pass on the first copy calls the job's parts from outside one by one
 *    (loadFinalizeInput, eventsOf, buildSegments, computeScreenFacts, buildTimelineAudio, a plain
 *    PCM decode, the analysis's one decode + PcmAnalyzer) and then the re-encode baseline: ffmpeg with
 *    reencodeArgs on the timeline audio buildTimelineAudio wrote (reencodeSeconds60min), beside a
 *    plain packet-copy remux of the same file.
 * 4. secondsToPlayable60min: the finalize job handler from call to resolve (status `ready`), on
 *    that copy and then on fresh copies, up to BENCH_FINALIZE_RUNS (3) while the time budget
 *    (BENCH_FINALIZE_BUDGET_S, 300 s) allows; median. Inside each run, phase boundaries come from
 *    the job's own ctx.progress calls (after load, after screen ∥ audio), every ffmpeg/ffprobe it
 *    spawns is timed (trace.ts), and every store put is timed. The job enqueues analyze-audio in a
 *    real in-process queue that is never started; on run 1 that handler is then timed on its own
 *    (analysisSeconds60min: off the playable path). Then one run on PostgreSQL if one answers and
 *    the budget allows.
 * 5. Storage per recorded hour from the manifest of run 1; 6. correctness of its audio (checks.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { analyzeJobId, createAppJobQueue, createObjectStore, migrateToLatest, openDatabase, type DB, type JobContext, type ObjectStore, readManifest, readObject } from '../../core/src/index.js';
import type { Manifest } from '../../protocol/src/index.js';
import { buildTimelineAudio, splitIntoPieces } from '../../workers/src/finalize/audio.js';
import { analyzeAudioFile } from '../../workers/src/analysis/analyze-audio-file.js';
import { pcmArgs, reencodeArgs } from '../../workers/src/finalize/audio-args.js';
import { FFMPEG, probeAudio, runMedia } from '../../workers/src/finalize/ffmpeg.js';
import { loadFinalizeInput } from '../../workers/src/finalize/load.js';
import { eventsOf } from '../../workers/src/finalize/screen.js';
import { analyzeAudioJob } from '../../workers/src/jobs/analyze-audio.js';
import { finalizeInteractionJob } from '../../workers/src/jobs/finalize-interaction.js';
import { buildSegments, computeScreenFacts, encodeSegment, orderEvents, parseEvents } from '../../workers/src/screen/index.js';
import { loadRecordedSession } from '../../test/fixtures/recorded.js';
import { createTestDatabase } from '../../test/harness/postgres.js';
import { describeMachine } from '../lib/machine.js';
import { SystemCpuMonitor, topProcesses } from '../lib/proc.js';
import { writeResult } from '../lib/results.js';
import { round } from '../lib/stats.js';
import { insertInteraction, seedAgent } from './db.js';
import { prepareInput, SCREEN_STREAM } from './input.js';
import { checkAudio, type AudioChecks } from './checks.js';
import { SpawnTracer, timedStore, type PutRecord } from './trace.js';

const env = process.env;
const RUNS = Math.max(1, Number(env.BENCH_FINALIZE_RUNS ?? 3));
const POSTGRES = env.BENCH_FINALIZE_POSTGRES !== '0';
const REENCODE = env.BENCH_FINALIZE_REENCODE !== '0';
const BUDGET_S = Number(env.BENCH_FINALIZE_BUDGET_S ?? 300);
const WRITE = env.BENCH_WRITE !== '0';
const PG_ADMIN_URL = env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-finalize-object-url-signing-secret-0123456789';
/** targets (issue: finalize): call end → playable ≤ 5 s for 60 min; ≤ 15 MB per recorded hour */
const TARGET_SECONDS = 5;
const TARGET_MB_PER_HOUR = 15;
/** other processes' CPU (% of one core) under which the machine counts as quiet */
const QUIET_PCT = 30;
const QUIET_MAX_WAIT_S = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => ms / 1000;
const median = (xs: readonly number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const n = v.length;
  return n === 0 ? Number.NaN : n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
};
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `loadavg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
  }
};

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error(`cleanup failed: ${(err as Error).message}`);
    }
  }
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Other processes' CPU over 2 s while the bench is idle; waits up to QUIET_MAX_WAIT_S for quiet. */
async function otherLoad(): Promise<{ otherPct: number; waitedS: number }> {
  const t0 = performance.now();
  for (;;) {
    const m = new SystemCpuMonitor();
    m.start();
    await sleep(2000);
    const busy = m.stop().busyPercent;
    const waitedS = s(performance.now() - t0);
    if (busy < QUIET_PCT || waitedS >= QUIET_MAX_WAIT_S) return { otherPct: round(busy), waitedS: round(waitedS) };
  }
}

async function readManifestOf(db: Kysely<DB>, store: ObjectStore, id: string): Promise<Manifest> {
  const key = (await db.selectFrom('interactions').select('manifest_key').where('id', '=', id).executeTakeFirstOrThrow()).manifest_key!;
  return readManifest(store, key);
}

interface JobRun {
  driver: string;
  seconds: number;
  insertSeconds: number;
  phases: { load: number; media: number; manifestCommit: number };
  /** analyze-audio on its own after the run (run 1 only), or null */
  analysisSeconds: number | null;
  ffmpeg: Record<string, { count: number; seconds: number }>;
  uploads: { count: number; seconds: number; bytes: number };
  machineBusyPct: number;
  benchProcessCpuPct: number;
  otherBefore: { otherPct: number; waitedS: number };
  store: ObjectStore;
  storeRoot: string;
  id: string;
}

/** One fresh copy finalized by the job handler, timed from call to `ready`. */
async function runJob(db: Kysely<DB>, driver: string, copy: { id: string; insertSeconds: number }, tracer: SpawnTracer, analyse = false): Promise<JobRun> {
  const { id, insertSeconds } = copy;
  const storeRoot = await tempDir('duet-bench-finalize-store-');
  const puts: PutRecord[] = [];
  const store = createObjectStore({ kind: 'filesystem', root: storeRoot, secret: SECRET });
  // A real queue, never started: the job's enqueue writes its ledger row, nothing runs behind the timer.
  const jobs = createAppJobQueue({ db, prefix: 'bench-finalize', log: () => {} });
  const handler = finalizeInteractionJob({ db, store: timedStore(store, puts), jobs, log: () => {} });
  const logs: string[] = [];
  const marks: { fraction: number; at: number }[] = [];
  const ctx: JobContext = {
    jobId: `finalize-interaction:${id}`,
    attempt: 1,
    signal: new AbortController().signal,
    progress: async (fraction) => void marks.push({ fraction, at: performance.now() }),
    log: (m) => void logs.push(m),
  };
  const otherBefore = await otherLoad();
  tracer.reset();
  const sys = new SystemCpuMonitor();
  sys.start();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  await handler({ interactionId: id }, ctx);
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const machine = sys.stop();
  const row = await db.selectFrom('interactions').select(['status', 'finalize_error']).where('id', '=', id).executeTakeFirstOrThrow();
  if (row.status !== 'ready') throw new Error(`finalize left ${id} ${row.status}: ${row.finalize_error}`);
  const at = (f: number) => marks.find((m) => m.fraction === f)?.at ?? Number.NaN;
  const seconds = s(end - t);
  const ffmpeg = tracer.summary(t, end);
  let analysisSeconds: number | null = null;
  if (analyse) {
    const audioSha256 = (await readManifestOf(db, store, id)).audio!.sha256;
    const requested = await db.selectFrom('job_runs').select('state').where('job_id', '=', analyzeJobId(id, audioSha256)).executeTakeFirst();
    if (requested?.state !== 'queued') throw new Error(`finalize did not request the analysis of ${id}`);
    const a = performance.now();
    await analyzeAudioJob({ db, store, log: () => {} })({ interactionId: id, audioSha256 }, { ...ctx, jobId: analyzeJobId(id, audioSha256) });
    analysisSeconds = s(performance.now() - a);
  }
  await jobs.close();
  return {
    driver,
    seconds,
    insertSeconds,
    analysisSeconds,
    phases: {
      load: s(at(0.1) - t),
      media: s(at(0.9) - at(0.1)),
      manifestCommit: s(end - at(0.9)),
    },
    ffmpeg,
    uploads: { count: puts.length, seconds: s(puts.reduce((a, p) => a + (p.endMs - p.startMs), 0)), bytes: puts.reduce((a, p) => a + p.bytes, 0) },
    machineBusyPct: round(machine.busyPercent),
    benchProcessCpuPct: round(((cpu.user + cpu.system) / 1000 / (end - t)) * 100),
    otherBefore,
    store,
    storeRoot,
    id,
  };
}

const timeIt = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const v = await fn();
  return [v, s(performance.now() - t)];
};

/**
 * The job's parts called one by one from outside on the copy `id` (read-only: the job runs on the
 * same copy afterwards), then the re-encode baseline on the timeline audio buildTimelineAudio wrote.
 */
async function breakdown(db: Kysely<DB>, id: string) {
  const [loaded, loadS] = await timeIt(() => loadFinalizeInput(db, id));
  const screenChunks = loaded.streams.get(SCREEN_STREAM) ?? [];
  const audioChunks = loaded.streams.get('audio') ?? [];
  const [events, parseS] = await timeIt(() => eventsOf(SCREEN_STREAM, screenChunks));
  const toTimeline = (agentMs: number) => Math.round(agentMs - loaded.clockOffsetMs - loaded.startedAt.getTime());
  const [{ segments, report }, segmentsS] = await timeIt(() => buildSegments(events, { toTimeline, pauses: loaded.pauses }));
  const [, factsS] = await timeIt(() => computeScreenFacts(events, { toTimeline, pauses: loaded.pauses, endMs: screenChunks.at(-1)?.endMs ?? 0 }));
  const scratch = createObjectStore({ kind: 'filesystem', root: await tempDir('duet-bench-finalize-scratch-'), secret: SECRET });
  const [, screenUploadS] = await timeIt(async () => {
    for (const seg of segments) await scratch.put(`bench/screen/${seg.index}.json.br`, seg.body, { contentType: 'application/json', contentLength: seg.body.byteLength });
  });
  const [pieces, splitS] = await timeIt(() => splitIntoPieces(audioChunks));
  const dir = await tempDir('duet-bench-finalize-audio-');
  const [built, timelineS] = await timeIt(() => buildTimelineAudio(dir, loaded, audioChunks));
  const [, decodeS] = await timeIt(() => runMedia(FFMPEG, pcmArgs(built.file, built.channels), { onStdout: () => {} }));
  const [analysis, analysisS] = await timeIt(() => analyzeAudioFile(built.file, built.channels));
  const audioBytes = (await readFile(built.file)).byteLength;
  const [, audioUploadS] = await timeIt(async () => {
    const bytes = await readFile(built.file);
    await scratch.put('bench/audio.ogg', bytes, { contentType: 'audio/ogg', contentLength: bytes.byteLength });
  });
  const copyOut = path.join(dir, 'copy-again.ogg');
  const [, copyRemuxS] = await timeIt(() => runMedia(FFMPEG, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'ogg', '-i', built.file, '-map', '0:a:0', '-c', 'copy', '-f', 'ogg', copyOut]));
  let reencode: { seconds: number; durationMs: number; bytes: number } | null = null;
  if (REENCODE) {
    const out = path.join(dir, 'reencoded.ogg');
    const [, reencodeS] = await timeIt(() => runMedia(FFMPEG, reencodeArgs(built.file, out)));
    const probe = await probeAudio(out);
    reencode = { seconds: reencodeS, durationMs: probe.durationMs, bytes: (await readFile(out)).byteLength };
  }
  await rm(dir, { recursive: true, force: true });
  return {
    loadS,
    screen: {
      parseS,
      segmentsS,
      factsS,
      uploadS: screenUploadS,
      events: events.length,
      segments: segments.length,
      rawBytes: segments.reduce((a, x) => a + x.rawBytes, 0),
      bytes: segments.reduce((a, x) => a + x.bytes, 0),
      report,
    },
    audio: {
      splitS,
      pieces: pieces.length,
      timelineS,
      probe: built.probe,
      decodeOnlyS: decodeS,
      analysisS,
      analysisSpeechIntervals: analysis.speech.map((x) => x.length),
      uploadS: audioUploadS,
      bytes: audioBytes,
      copyRemuxS,
    },
    reencode,
  };
}

/** Compression the segment encoder gets on the real fixture (no clones): the conservative ratio. */
async function fixtureScreenRatio(): Promise<number> {
  const { events } = await loadRecordedSession();
  const { body, rawBytes } = await encodeSegment(orderEvents(parseEvents(events)));
  return rawBytes / body.byteLength;
}

export async function main(): Promise<number> {
  const t0 = performance.now();
  const machine = describeMachine();
  const uptimeStart = uptime();
  console.log(`machine: ${machine}`);
  console.log(`load at start: ${uptimeStart}`);
  const topStart = await topProcesses(2000, 6);
  console.log(`busiest processes at start (% of one core): ${topStart.map((p) => `${p.name} ${round(p.cpuPercent)}`).join(', ')}`);
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interrupted) return;
      interrupted = true;
      void cleanup().then(() => process.exit(130));
    });
  }
  const tracer = new SpawnTracer();
  tracer.install();
  try {
    const input = await prepareInput();
    const timelineS = s(input.endMs);
    const screenMinutes = s(input.endMs - (input.params.pause.endMs - input.params.pause.startMs)) / 60;
    const inputFacts = {
      timelineS: round(timelineS),
      audioMediaS: r3(s(input.audioMediaMs)),
      audioChunks: input.audioChunks.length,
      audioChunkBytesAvg: Math.round(input.audioBytes / input.audioChunks.length),
      audioKbps: round((input.audioBytes * 8) / s(input.audioMediaMs) / 1000),
      screenChunks: input.screenChunks.length,
      screenEvents: input.screenEvents,
      screenEventsPerMin: Math.round(input.screenEvents / screenMinutes),
      screenRawKbPerMin: Math.round(input.screenRawBytes / 1000 / screenMinutes),
      dialoguePeriodS: round(s(input.dialogue.periodMs)),
      generatedNow: input.generated,
      prepareSeconds: round(input.generateSeconds),
    };
    console.log(`input: ${JSON.stringify(inputFacts)}`);

    // ---- PGlite: the breakdown on copy 1, then the job on it and on fresh copies
    const pglite = await openDatabase({ pgliteDir: 'memory://' });
    cleanups.push(() => pglite.close());
    await migrateToLatest(pglite.db);
    const agent = await seedAgent(pglite.db);
    const insertCopy = async (db: Kysely<DB>, agentId: string) => {
      const [id, insertSeconds] = await timeIt(() => insertInteraction(db, agentId, input));
      return { id, insertSeconds };
    };
    const copy1 = await insertCopy(pglite.db, agent);
    console.log(`breakdown: the job’s parts one by one on copy 1, then the re-encode baseline (1–2 minutes)…`);
    const bd = await breakdown(pglite.db, copy1.id);
    console.log(`breakdown: ${JSON.stringify({ ...bd, screen: { ...bd.screen, report: undefined } })}`);
    const fixtureRatio = await fixtureScreenRatio();

    const runs: JobRun[] = [];
    const report = (r: JobRun, label: string) => {
      console.log(
        `${label}: ${r.seconds.toFixed(2)} s to ready (load ${r.phases.load.toFixed(2)}, screen ∥ audio ${r.phases.media.toFixed(2)}, manifest+commit ${r.phases.manifestCommit.toFixed(2)})` +
          `${r.analysisSeconds !== null ? `, then analysis ${r.analysisSeconds.toFixed(2)} s` : ''}; ` +
          `insert ${r.insertSeconds.toFixed(1)} s; other load before ${r.otherBefore.otherPct} % of a core; machine busy during ${r.machineBusyPct} % (this process ${r.benchProcessCpuPct} %)`,
      );
      console.log(`   ffmpeg: ${Object.entries(r.ffmpeg).map(([k, v]) => `${k} ${v.count}× ${v.seconds.toFixed(2)} s`).join(', ')}; uploads ${r.uploads.count}× ${r.uploads.seconds.toFixed(2)} s`);
    };
    const first = await runJob(pglite.db, 'pglite', copy1, tracer, true);
    runs.push(first);
    report(first, 'run 1 (PGlite)');

    // ---- storage, from the manifest of run 1
    const manifestKey = (await pglite.db.selectFrom('interactions').select('manifest_key').where('id', '=', first.id).executeTakeFirstOrThrow()).manifest_key!;
    const manifestBytes = await readObject(first.store, manifestKey);
    const manifest = await readManifest(first.store, manifestKey);
    if (manifest.analysis !== 'done') throw new Error(`run 1's analysis is ${manifest.analysis}`);
    const perHour = (bytes: number) => (bytes / 1e6) * (3_600_000 / manifest.timelineMs);
    const screenBytes = manifest.screens.flatMap((x) => x.segments).reduce((a, x) => a + x.bytes, 0);
    const audioBytes = manifest.audio?.bytes ?? 0;
    const peaksBytes = manifest.peaks?.bytes ?? 0;
    const totalBytes = audioBytes + peaksBytes + screenBytes + manifestBytes.byteLength;

    // ---- correctness of run 1's audio
    const checkDir = await tempDir('duet-bench-finalize-check-');
    const audioFile = path.join(checkDir, 'audio.ogg');
    await writeFile(audioFile, await readObject(first.store, manifest.audio!.key));
    const checks: AudioChecks = await checkAudio(audioFile, manifest.timelineMs, input);
    console.log(`checks: ${JSON.stringify(checks)}`);
    await rm(checkDir, { recursive: true, force: true });

    // ---- more runs while the budget allows (each needs about the last run's time plus an insert)
    const elapsed = () => s(performance.now() - t0);
    const nextRunCost = () => (runs.at(-1)?.seconds ?? 60) + (runs.at(-1)?.insertSeconds ?? 10) + 3;
    let budgetNote = '';
    while (runs.length < RUNS) {
      if (elapsed() + nextRunCost() > BUDGET_S) {
        budgetNote = `stopped after ${runs.length} PGlite run(s): another would pass the ${BUDGET_S} s budget`;
        console.log(budgetNote);
        break;
      }
      const r = await runJob(pglite.db, 'pglite', await insertCopy(pglite.db, agent), tracer);
      await rm(r.storeRoot, { recursive: true, force: true });
      runs.push(r);
      report(r, `run ${runs.length} (PGlite)`);
    }

    // ---- PostgreSQL
    let postgres: { seconds: number; phases: JobRun['phases']; insertSeconds: number; otherBefore: JobRun['otherBefore']; machineBusyPct: number; version: string } | { skipped: string } = { skipped: 'BENCH_FINALIZE_POSTGRES=0' };
    if (POSTGRES && elapsed() + nextRunCost() > BUDGET_S) postgres = { skipped: `time budget (${BUDGET_S} s, BENCH_FINALIZE_BUDGET_S)` };
    else if (POSTGRES) {
      try {
        const created = await createTestDatabase(PG_ADMIN_URL);
        cleanups.push(() => created.drop());
        const pgdb = await openDatabase({ url: created.url, poolSize: 4 });
        cleanups.push(() => pgdb.close());
        await migrateToLatest(pgdb.db);
        const pgAgent = await seedAgent(pgdb.db);
        const r = await runJob(pgdb.db, 'postgres', await insertCopy(pgdb.db, pgAgent), tracer);
        await rm(r.storeRoot, { recursive: true, force: true });
        postgres = { seconds: r.seconds, phases: r.phases, insertSeconds: r.insertSeconds, otherBefore: r.otherBefore, machineBusyPct: r.machineBusyPct, version: await pgdb.serverVersion() };
        report(r, `run (${postgres.version})`);
      } catch (err) {
        postgres = { skipped: `PostgreSQL at ${PG_ADMIN_URL}: ${(err as Error).message}` };
        console.log(`PostgreSQL run skipped: ${postgres.skipped}`);
      }
    }
    if ('skipped' in postgres) console.log(`PostgreSQL run skipped: ${postgres.skipped}`);

    const uptimeEnd = uptime();
    const seconds = median(runs.map((r) => r.seconds));
    const med = (f: (r: JobRun) => number) => r3(median(runs.map(f)));
    const kinds = [...new Set(runs.flatMap((r) => Object.keys(r.ffmpeg)))].sort();
    const ffmpegMedian = Object.fromEntries(kinds.map((k) => [k, med((r) => r.ffmpeg[k]?.seconds ?? 0)]));
    const reencodeSeconds = bd.reencode?.seconds ?? Number.NaN;
    const figures = {
      secondsToPlayable60min: r3(seconds),
      reencodeSeconds60min: r3(reencodeSeconds),
      /** peaks and talk metrics, after the interaction is playable (run 1) */
      analysisSeconds60min: r3(first.analysisSeconds!),
      mbPerHour: r3(perHour(totalBytes)),
      mbPerHourScreen: r3(perHour(screenBytes)),
      mbPerHourAudio: r3(perHour(audioBytes)),
      // ---- targets and ratios
      targetSecondsToPlayable60min: TARGET_SECONDS,
      targetMbPerHour: TARGET_MB_PER_HOUR,
      realtimeFactor: Math.round(timelineS / seconds),
      playableOverReencode: r3(seconds / reencodeSeconds),
      timelineAudioCopyOverReencode: r3(bd.audio.timelineS / reencodeSeconds),
      copyRemuxOverReencode: r3(bd.audio.copyRemuxS / reencodeSeconds),
      reencodeRealtimeFactor: Math.round(timelineS / reencodeSeconds),
      secondsToPlayableRuns: runs.map((r) => r3(r.seconds)),
      runsNote: budgetNote || null,
      // ---- where the job's time goes (median of the runs; phases from the job's own progress calls)
      phaseLoadSeconds: med((r) => r.phases.load),
      phaseScreenAndAudioSeconds: med((r) => r.phases.media),
      phaseManifestCommitSeconds: med((r) => r.phases.manifestCommit),
      ffmpegSecondsInJob: ffmpegMedian,
      uploadSecondsInJob: med((r) => r.uploads.seconds),
      uploadsInJob: first.uploads.count,
      // ---- the parts called one by one (breakdown pass)
      partLoadFinalizeInputSeconds: r3(bd.loadS),
      partScreenParseSeconds: r3(bd.screen.parseS),
      partScreenSegmentsSeconds: r3(bd.screen.segmentsS),
      partScreenFactsSeconds: r3(bd.screen.factsS),
      partScreenUploadSeconds: r3(bd.screen.uploadS),
      partAudioSplitSeconds: r3(bd.audio.splitS),
      partBuildTimelineAudioSeconds: r3(bd.audio.timelineS),
      partCopyRemuxSeconds: r3(bd.audio.copyRemuxS),
      partPcmDecodeOnlySeconds: r3(bd.audio.decodeOnlyS),
      partAnalysisDecodeAndAnalyseSeconds: r3(bd.audio.analysisS),
      partAudioUploadSeconds: r3(bd.audio.uploadS),
      // ---- storage detail
      mbPerHourPeaks: r3(perHour(peaksBytes)),
      mbPerHourManifest: r3(perHour(manifestBytes.byteLength)),
      audioKbpsStored: round((audioBytes * 8) / s(manifest.timelineMs) / 1000),
      screenSegments: bd.screen.segments,
      screenRawMbPerHour: r3(perHour(bd.screen.rawBytes)),
      screenCompression: round(bd.screen.rawBytes / bd.screen.bytes),
      fixtureScreenCompression: round(fixtureRatio),
      mbPerHourScreenAtFixtureCompression: r3(perHour(bd.screen.rawBytes / fixtureRatio)),
      reencodedMbPerHourAudio: bd.reencode ? r3(perHour(bd.reencode.bytes)) : null,
      // ---- correctness
      durationDeltaMs: checks.durationDeltaMs,
      pauseSilent: checks.pauseSilent,
      pauseMaxVolumeDb: checks.pauseMaxVolumeDb,
      speechOnsetMaxDeltaMs: checks.onsetMaxDeltaMs,
      speechOnsetsChecked: checks.onsetsChecked,
      speechOnsetsUnmatched: checks.onsetsUnmatched,
      speechOnsetMedianDeltaMs: checks.onsetMedianDeltaMs,
      speechOnsetMedianSignedBeforePauseMs: checks.onsetMedianSignedBeforePauseMs,
      speechOnsetMedianSignedAfterPauseMs: checks.onsetMedianSignedAfterPauseMs,
      // ---- PostgreSQL
      secondsToPlayable60minPostgres: 'seconds' in postgres ? r3(postgres.seconds) : null,
      phaseLoadSecondsPostgres: 'seconds' in postgres ? r3(postgres.phases.load) : null,
      phaseScreenAndAudioSecondsPostgres: 'seconds' in postgres ? r3(postgres.phases.media) : null,
      otherLoadBeforePostgresRunPct: 'seconds' in postgres ? postgres.otherBefore.otherPct : null,
      postgres: 'seconds' in postgres ? postgres.version : postgres.skipped,
      // ---- input and machine load
      input: inputFacts,
      insertSecondsPglite: med((r) => r.insertSeconds),
      otherLoadBeforeRunsPct: runs.map((r) => r.otherBefore.otherPct),
      machineBusyDuringRunsPct: runs.map((r) => r.machineBusyPct),
      benchProcessCpuDuringRunsPct: runs.map((r) => r.benchProcessCpuPct),
      uptimeStart,
      uptimeEnd,
      busiestAtStart: topStart.map((p) => `${p.name} ${round(p.cpuPercent)}%`),
      benchSeconds: Math.round(s(performance.now() - t0)),
    };
    console.log('\nfigures:');
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    const okTime = seconds <= TARGET_SECONDS;
    const okSize = perHour(totalBytes) <= TARGET_MB_PER_HOUR;
    console.log(`\ncall end → playable: ${seconds.toFixed(2)} s for ${round(timelineS / 60)} min (${figures.realtimeFactor}× realtime), target ≤ ${TARGET_SECONDS} s: ${okTime ? 'met' : 'MISSED'}`);
    console.log(`storage: ${figures.mbPerHour} MB per recorded hour, target ≤ ${TARGET_MB_PER_HOUR}: ${okSize ? 'met' : 'MISSED'}`);
    console.log(`load at end: ${uptimeEnd}`);
    if (WRITE) console.log(`wrote ${path.relative(process.cwd(), await writeResult('finalize', figures, { machine }))}`);
    const checksOk = checks.durationOk && checks.pauseSilent;
    return checksOk ? 0 : 1;
  } finally {
    tracer.uninstall();
    await cleanup();
  }
}
