/**
 * The 60-minute interaction bench/finalize feeds to the finalize job, built once and cached under
 * bench/.cache/finalize/<version>/ (gitignored): the audio encode takes about a minute, everything
 * else is cheap.
 *
 * - Audio: two-voice dialogue spoken by espeak-ng (agent left, customer right, with pauses, one
 *   overtalk and one dead air, laid out with sox like test/fixtures/record-fixtures.ts), looped by
 *   ffmpeg to the recorded length and encoded as Chrome's MediaRecorder does: WebM (live: unknown
 *   sizes, no cues, no duration), Opus 48 kHz stereo, 32 kbit/s VBR, 60 ms frames. The WebM is then
 *   cut into ~1-second chunks BY BYTES, so only chunk 0 has the header and chunks split elements
 *   anywhere, as MediaRecorder's timeslice chunks do.
 * - PCI pause: MediaRecorder.pause() stops the media clock, so the audio is 30 s shorter than the
 *   timeline and chunk times after the pause jump by 30 s; pause/resume markers at 20:00/20:30.
 * - Screen (`screen:crm`): the real Chromium rrweb fixture, repeated in 30-s windows that each start
 *   with a Meta + FullSnapshot (as rrweb's checkoutEveryNms: 30_000 makes them), every fixture
 *   incremental event once per window plus clones (+1..+3 ms) of its small ones (≤ 210 bytes:
 *   mouse, input, scroll, small mutations) up to ~1,300 events/min, none inside the pause; cut
 *   into 1-second chunks (UTF-8 JSON arrays), numbered densely.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadRecordedSession } from '../../test/fixtures/recorded.js';

const run = promisify(execFile);

export const CACHE_ROOT = fileURLToPath(new URL('../.cache/finalize/', import.meta.url));

export const SCREEN_STREAM = 'screen:crm';
/** Timeline zero of the interaction, server time (= agent time: clock offset 0). */
export const STARTED_AT_MS = Date.UTC(2026, 10, 23, 9, 0, 0);

export interface InputParams {
  timelineMs: number;
  pause: { startMs: number; endMs: number };
  audioKbps: number;
  opusFrameMs: number;
  chunkMs: number;
  eventsPerMinute: number;
  checkoutMs: number;
  cloneMaxEventBytes: number;
}

export const DEFAULT_PARAMS: InputParams = {
  timelineMs: 60 * 60_000,
  pause: { startMs: 20 * 60_000, endMs: 20 * 60_000 + 30_000 },
  audioKbps: 32,
  opusFrameMs: 60,
  chunkMs: 1000,
  eventsPerMinute: 1300,
  checkoutMs: 30_000,
  cloneMaxEventBytes: 210,
};

export interface Chunk {
  seq: number;
  startMs: number;
  endMs: number;
  eventCount: number | null;
  payload: Buffer;
}

/** One spoken line of the dialogue, on the dialogue WAV's own time (ms). */
export interface Cue {
  speaker: 'agent' | 'customer';
  text: string;
  startMs: number;
  endMs: number;
}

export interface BenchInput {
  params: InputParams;
  cacheDir: string;
  /** what the WebM decodes to (ms): the timeline minus the pause */
  audioMediaMs: number;
  audioBytes: number;
  audioChunks: Chunk[];
  screenChunks: Chunk[];
  screenEvents: number;
  screenRawBytes: number;
  dialogue: { periodMs: number; cues: Cue[] };
  /** the later of the last audio and the last screen chunk's end */
  endMs: number;
  markers: { kind: 'pause' | 'resume'; atMs: number; reason: string | null }[];
  /** whether this call generated the input (false: read from the cache) */
  generated: boolean;
  generateSeconds: number;
}

const AGENT_VOICE = { voice: 'en-us+m3', speed: 180, pitch: 45 };
const CUSTOMER_VOICE = { voice: 'en-gb+f3', speed: 180, pitch: 60 };
const RATE = 48_000;

/**
 * A billing call, turn by turn. `gapMs` is the silence before the turn (negative: the turn starts
 * before the previous one ends, i.e. overtalk).
 */
const SCRIPT: { speaker: 'agent' | 'customer'; text: string; gapMs: number }[] = [
  { speaker: 'agent', text: 'Thank you for calling Northwind support, my name is Sam. How can I help you today?', gapMs: 500 },
  { speaker: 'customer', text: 'Hi Sam. I was charged twice for my last order and I would like a refund.', gapMs: 450 },
  { speaker: 'agent', text: 'I am sorry to hear that. Can I have your account number, please?', gapMs: 600 },
  { speaker: 'customer', text: 'Yes, it is four seven two, nine nine one, zero eight.', gapMs: 900 },
  { speaker: 'agent', text: 'Thank you. And for security, can you confirm your date of birth?', gapMs: 350 },
  { speaker: 'customer', text: 'The third of March, nineteen eighty six.', gapMs: 700 },
  { speaker: 'agent', text: 'Thanks, that matches. One moment while I pull up your orders.', gapMs: 400 },
  { speaker: 'agent', text: 'Okay, I can see the order from Tuesday.', gapMs: 4000 },
  { speaker: 'customer', text: 'Right, the one with the blue headphones.', gapMs: 500 },
  { speaker: 'agent', text: 'Yes. I see two payments of eighty nine dollars on the same day.', gapMs: 650 },
  { speaker: 'customer', text: 'Exactly, and my bank says both went through.', gapMs: -700 },
  { speaker: 'agent', text: 'That is our mistake. I will refund the second payment right away.', gapMs: 800 },
  { speaker: 'customer', text: 'How long will it take to show up?', gapMs: 550 },
  { speaker: 'agent', text: 'Usually three to five business days, depending on your bank.', gapMs: 450 },
  { speaker: 'customer', text: 'Okay. While I have you, can I change the card on file?', gapMs: 1200 },
  { speaker: 'agent', text: 'Of course. I will pause the recording while you read me the new number.', gapMs: 500 },
  { speaker: 'customer', text: 'Sure, go ahead.', gapMs: 2500 },
  { speaker: 'agent', text: 'The new card is saved. Is there anything else I can help you with?', gapMs: 600 },
  { speaker: 'customer', text: 'No, that is everything. Thanks for sorting it out so quickly.', gapMs: 400 },
  { speaker: 'agent', text: 'You are welcome. You will get an email confirming the refund. Have a great day.', gapMs: 350 },
  { speaker: 'customer', text: 'You too, bye.', gapMs: 1500 },
];
const TAIL_MS = 1500;

function cacheKey(params: InputParams): string {
  const h = createHash('sha256').update(JSON.stringify({ params, SCRIPT, AGENT_VOICE, CUSTOMER_VOICE, v: 1 })).digest('hex');
  return `v1-${h.slice(0, 12)}`;
}

async function samplesOf(file: string): Promise<number> {
  const { stdout } = await run('soxi', ['-s', file]);
  return Number(stdout.trim());
}

/** The dialogue as a stereo 48 kHz WAV (agent left, customer right) and its cue layout. */
async function makeDialogue(dir: string): Promise<{ wav: string; periodMs: number; cues: Cue[] }> {
  const work = path.join(dir, 'speech');
  await mkdir(work, { recursive: true });
  const placed: (Cue & { file: string; samples: number })[] = [];
  let prevEnd = 0;
  for (const [i, line] of SCRIPT.entries()) {
    const v = line.speaker === 'agent' ? AGENT_VOICE : CUSTOMER_VOICE;
    const raw = path.join(work, `${i}-raw.wav`);
    const file = path.join(work, `${i}.wav`);
    await run('espeak-ng', ['-v', v.voice, '-s', String(v.speed), '-p', String(v.pitch), '-w', raw, line.text]);
    // Resample to Opus's rate and trim espeak's leading and trailing silence, so cue times are speech.
    await run('sox', ['-D', raw, '-r', String(RATE), file, 'silence', '1', '0.01', '-50d', 'reverse', 'silence', '1', '0.01', '-50d', 'reverse']);
    const samples = await samplesOf(file);
    const startSample = Math.round(((prevEnd + line.gapMs) / 1000) * RATE);
    const startMs = (startSample / RATE) * 1000;
    const endMs = ((startSample + samples) / RATE) * 1000;
    placed.push({ speaker: line.speaker, text: line.text, startMs, endMs, file, samples });
    prevEnd = endMs;
  }
  const totalSamples = Math.round(((prevEnd + TAIL_MS) / 1000) * RATE);
  const channelFiles: string[] = [];
  for (const speaker of ['agent', 'customer'] as const) {
    const mine = placed.filter((c) => c.speaker === speaker);
    const parts: string[] = [];
    let end = 0;
    for (const [k, c] of mine.entries()) {
      const start = Math.round((c.startMs / 1000) * RATE);
      if (start < end) throw new Error(`dialogue: ${speaker} overlaps itself at cue ${k}`);
      const padded = path.join(work, `${speaker}-${k}-padded.wav`);
      await run('sox', ['-D', c.file, padded, 'pad', `${start - end}s`]);
      parts.push(padded);
      end = start + c.samples;
    }
    const out = path.join(work, `${speaker}.wav`);
    await run('sox', ['-D', ...parts, out, 'pad', '0', `${totalSamples - end}s`]);
    channelFiles.push(out);
  }
  const wav = path.join(dir, 'dialogue.wav');
  await run('sox', ['-D', '-M', ...channelFiles, wav]);
  await rm(work, { recursive: true, force: true });
  return { wav, periodMs: (totalSamples / RATE) * 1000, cues: placed.map(({ speaker, text, startMs, endMs }) => ({ speaker, text, startMs, endMs })) };
}

/** The looped dialogue as MediaRecorder-like WebM/Opus; returns its decoded duration (ms). */
async function encodeRecording(params: InputParams, wav: string, webm: string): Promise<number> {
  const seconds = (params.timelineMs - (params.pause.endMs - params.pause.startMs)) / 1000;
  // -stream_loop -1 with -t: bounded. -live 1: unknown-size Segment, no Cues and no duration, as Chrome writes.
  await run(
    'ffmpeg',
    [
      '-hide_banner', '-nostdin', '-y', '-v', 'error',
      '-stream_loop', '-1', '-i', wav, '-t', seconds.toFixed(3),
      '-ac', '2', '-ar', '48000', '-c:a', 'libopus', '-b:a', `${params.audioKbps}k`, '-application', 'voip', '-frame_duration', String(params.opusFrameMs),
      '-live', '1', '-f', 'webm', webm,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  // The live WebM states no duration: remux (packet copy) and ask the Ogg, like finalize does.
  const ogg = `${webm}.probe.ogg`;
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'webm', '-i', webm, '-t', String(seconds + 10), '-c', 'copy', '-f', 'ogg', ogg]);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', ogg]);
  await rm(ogg, { force: true });
  return Math.round(Number(stdout.trim()) * 1000);
}

/** Media time → timeline: the media clock stopped during the pause. */
function mediaToTimeline(params: InputParams, mediaMs: number, isEnd: boolean): number {
  const { startMs, endMs } = params.pause;
  const after = isEnd ? mediaMs > startMs : mediaMs >= startMs;
  return Math.round(after ? mediaMs + (endMs - startMs) : mediaMs);
}

/** The WebM cut into N ≈ duration/1 s chunks of equal byte length; chunk i spans [iD/N, (i+1)D/N] of media time. */
export function audioChunksOf(params: InputParams, webm: Buffer, mediaMs: number): Chunk[] {
  const n = Math.max(1, Math.round(mediaMs / params.chunkMs));
  const size = Math.ceil(webm.byteLength / n);
  const chunks: Chunk[] = [];
  for (let i = 0; i < n; i++) {
    const payload = webm.subarray(i * size, Math.min(webm.byteLength, (i + 1) * size));
    if (!payload.byteLength) break;
    chunks.push({
      seq: i,
      startMs: mediaToTimeline(params, (i * mediaMs) / n, false),
      endMs: mediaToTimeline(params, ((i + 1) * mediaMs) / n, true),
      eventCount: null,
      payload,
    });
  }
  return chunks;
}

interface RrwebEventLike {
  type: number;
  timestamp: number;
  data?: unknown;
}

/** A small deterministic PRNG (xorshift32): the same input on every run and machine. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/** rrweb events for the whole timeline (epoch ms timestamps), ordered. */
export async function screenEventsOf(params: InputParams): Promise<RrwebEventLike[]> {
  const { events } = await loadRecordedSession();
  const fixture = events as RrwebEventLike[];
  const t0 = fixture[0]!.timestamp;
  const pairs: [RrwebEventLike, RrwebEventLike][] = [];
  for (let i = 1; i < fixture.length; i++) if (fixture[i]!.type === 2 && fixture[i - 1]!.type === 4) pairs.push([fixture[i - 1]!, fixture[i]!]);
  const incremental = fixture.filter((e) => e.type === 3);
  if (!pairs.length || !incremental.length) throw new Error('the recorded fixture has no Meta+FullSnapshot pair or no incremental events');
  const span = incremental.at(-1)!.timestamp - t0 || 1;
  const small = new Set(incremental.filter((e) => Buffer.byteLength(JSON.stringify(e)) <= params.cloneMaxEventBytes));
  const perWindow = Math.round((params.eventsPerMinute * params.checkoutMs) / 60_000);
  const clonesWanted = Math.max(0, perWindow - 2 - incremental.length);
  const rand = xorshift(0x5eed);
  const out: RrwebEventLike[] = [];
  const paused = (t: number) => t >= params.pause.startMs && t < params.pause.endMs;
  const windows = Math.ceil(params.timelineMs / params.checkoutMs);
  for (let w = 0; w < windows; w++) {
    const W = w * params.checkoutMs;
    // rrweb checks out on a timer; after a pause the recorder takes a fresh snapshot on resume.
    const start = paused(W) ? params.pause.endMs : W;
    const end = Math.min(W + params.checkoutMs, params.timelineMs);
    if (start >= end || paused(start)) continue;
    const [meta, full] = pairs[w % pairs.length]!;
    const windowEvents: { t: number; e: RrwebEventLike }[] = [
      { t: start, e: meta },
      { t: start + Math.min(80, Math.max(1, full.timestamp - meta.timestamp)), e: full },
    ];
    const room = end - start - 400;
    const smallCount = incremental.filter((e) => small.has(e)).length;
    let smallIndex = 0;
    for (const e of incremental) {
      const t = start + 200 + Math.round(((e.timestamp - t0) / span) * room);
      windowEvents.push({ t, e });
      if (!small.has(e)) continue;
      // Spread the clones evenly over the small events.
      const k = Math.floor(((smallIndex + 1) * clonesWanted) / smallCount) - Math.floor((smallIndex * clonesWanted) / smallCount);
      smallIndex++;
      let tc = t;
      for (let j = 0; j < k; j++) {
        tc += 1 + Math.floor(rand() * 3);
        windowEvents.push({ t: tc, e });
      }
    }
    for (const { t, e } of windowEvents) {
      if (t >= end || paused(t)) continue;
      out.push({ ...structuredClone(e), timestamp: STARTED_AT_MS + t });
    }
  }
  // Stable: a clone never overtakes its original.
  return out.sort((a, b) => a.timestamp - b.timestamp);
}

/** 1-second chunks of events, numbered densely (no chunks while paused: nothing was recorded). */
export function screenChunksOf(params: InputParams, events: readonly RrwebEventLike[]): Chunk[] {
  const bySecond = new Map<number, RrwebEventLike[]>();
  for (const e of events) {
    const s = Math.floor((e.timestamp - STARTED_AT_MS) / params.chunkMs);
    const list = bySecond.get(s) ?? [];
    list.push(e);
    bySecond.set(s, list);
  }
  return [...bySecond.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, list], seq) => ({
      seq,
      startMs: s * params.chunkMs,
      endMs: (s + 1) * params.chunkMs,
      eventCount: list.length,
      payload: Buffer.from(JSON.stringify(list), 'utf8'),
    }));
}

interface CachedMeta {
  audioMediaMs: number;
  dialogue: { periodMs: number; cues: Cue[] };
  screen: { seq: number; startMs: number; endMs: number; eventCount: number; offset: number; length: number }[];
}

/** Builds (or reads from the cache) the 60-minute input. */
export async function prepareInput(params: InputParams = DEFAULT_PARAMS, log: (m: string) => void = console.log): Promise<BenchInput> {
  const t0 = performance.now();
  const cacheDir = path.join(CACHE_ROOT, cacheKey(params));
  const metaFile = path.join(cacheDir, 'input.json');
  const webmFile = path.join(cacheDir, 'audio.webm');
  const screenFile = path.join(cacheDir, 'screen.bin');
  let generated = false;
  if (!existsSync(metaFile)) {
    generated = true;
    const tmp = `${cacheDir}.${process.pid}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    log(`   generating the 60-minute input in ${path.relative(process.cwd(), cacheDir)} (once; about a minute)`);
    const dialogue = await makeDialogue(tmp);
    log(`   dialogue: ${dialogue.cues.length} turns, ${(dialogue.periodMs / 1000).toFixed(1)} s, looped`);
    const audioMediaMs = await encodeRecording(params, dialogue.wav, path.join(tmp, 'audio.webm'));
    const events = await screenEventsOf(params);
    const screen = screenChunksOf(params, events);
    let offset = 0;
    const index: CachedMeta['screen'] = screen.map((c) => {
      const entry = { seq: c.seq, startMs: c.startMs, endMs: c.endMs, eventCount: c.eventCount ?? 0, offset, length: c.payload.byteLength };
      offset += c.payload.byteLength;
      return entry;
    });
    await writeFile(path.join(tmp, 'screen.bin'), Buffer.concat(screen.map((c) => c.payload)));
    const meta: CachedMeta = { audioMediaMs, dialogue: { periodMs: dialogue.periodMs, cues: dialogue.cues }, screen: index };
    await writeFile(path.join(tmp, 'input.json'), JSON.stringify(meta));
    await rm(cacheDir, { recursive: true, force: true });
    await mkdir(path.dirname(cacheDir), { recursive: true });
    await rename(tmp, cacheDir);
  }
  const meta = JSON.parse(await readFile(metaFile, 'utf8')) as CachedMeta;
  const webm = await readFile(webmFile);
  const screenBin = await readFile(screenFile);
  const audioChunks = audioChunksOf(params, webm, meta.audioMediaMs);
  const screenChunks: Chunk[] = meta.screen.map((c) => ({
    seq: c.seq,
    startMs: c.startMs,
    endMs: c.endMs,
    eventCount: c.eventCount,
    payload: screenBin.subarray(c.offset, c.offset + c.length),
  }));
  const endMs = Math.max(audioChunks.at(-1)?.endMs ?? 0, screenChunks.at(-1)?.endMs ?? 0);
  return {
    params,
    cacheDir,
    audioMediaMs: meta.audioMediaMs,
    audioBytes: webm.byteLength,
    audioChunks,
    screenChunks,
    screenEvents: screenChunks.reduce((a, c) => a + (c.eventCount ?? 0), 0),
    screenRawBytes: screenBin.byteLength,
    dialogue: meta.dialogue,
    endMs,
    markers: [
      { kind: 'pause', atMs: params.pause.startMs, reason: 'sensitive-field' },
      { kind: 'resume', atMs: params.pause.endMs, reason: null },
    ],
    generated,
    generateSeconds: (performance.now() - t0) / 1000,
  };
}
