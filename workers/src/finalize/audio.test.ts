import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimelineAudio } from './audio.js';
import { FFMPEG, probeAudio } from './ffmpeg.js';
import type { LoadedChunk } from './load.js';
import { loadRecordedSession } from '../../../test/fixtures/recorded.js';

const run = promisify(execFile);

/**
 * The timeline audio against sample positions: MediaRecorder-like WebM/Opus (live WebM, 60 ms
 * frames, cut by bytes into ~1 s chunks, only the first with the header) with 1 kHz beeps at known
 * media times, through a PCI pause (media clock stopped), a lost chunk and a recorder restart; the
 * built file is decoded and every beep must sound where the recorder's timeline puts it.
 *
 * Tolerance 3 ms: silence is laid in 2.5 ms packets (±1.25 ms), WebM block times are whole ms
 * (±1 ms for the audio after a lost chunk), plan times whole ms (±0.5 ms), and the onset detector
 * reads a 1 kHz tone at 0.2 of its peak (0.03 ms). The error this guards against was 40–80 ms.
 */
const TOLERANCE_MS = 3;
const BEEP = { hz: 1000, lengthMs: 40, amplitude: 0.5, noise: 0.01 };

/** A live WebM (no Cues, no duration, as Chrome writes) of `seconds` with a beep every `periodS` from `phaseS`. */
async function recorderWebm(file: string, seconds: number, channels: 1 | 2, periodS: number, phaseS: number): Promise<number[]> {
  const expr = `${BEEP.amplitude}*sin(2*PI*${BEEP.hz}*t)*lt(mod(t+${periodS - phaseS},${periodS}),${BEEP.lengthMs / 1000})+${BEEP.noise}*(2*random(0)-1)`;
  const exprs = channels === 2 ? `${expr}|${expr}` : expr;
  await run(FFMPEG, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', `aevalsrc='${exprs}':s=48000:d=${seconds}`, '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', '-frame_duration', '60', '-live', '1', '-f', 'webm', file]);
  const beeps: number[] = [];
  for (let t = phaseS * 1000; t < seconds * 1000 - BEEP.lengthMs; t += periodS * 1000) beeps.push(t);
  return beeps;
}

/** The WebM cut by bytes into `n` chunks; chunk i spans media [iD/n, (i+1)D/n], mapped to the timeline by `toTimeline`. */
function chunksOf(webm: Buffer, mediaMs: number, n: number, firstSeq: number, toTimeline: (m: number, isEnd: boolean) => number): LoadedChunk[] {
  const size = Math.ceil(webm.byteLength / n);
  return Array.from({ length: n }, (_, i) => ({
    seq: firstSeq + i,
    startMs: Math.round(toTimeline((i * mediaMs) / n, false)),
    endMs: Math.round(toTimeline(((i + 1) * mediaMs) / n, true)),
    payload: webm.subarray(i * size, Math.min(webm.byteLength, (i + 1) * size)),
  }));
}

/** Decoded samples, 48 kHz, the left channel. */
async function decodeLeft(file: string): Promise<Int16Array> {
  const { stdout } = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-af', 'pan=mono|c0=c0', '-ar', '48000', '-f', 's16le', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
}

/** How many samples later `b` has the stretch [from, from + length) of `a` (cross-correlation over ±`range`). */
function lagOf(a: Int16Array, b: Int16Array, from: number, length: number, range: number): number {
  let best = -Infinity;
  let bestLag = 0;
  for (let lag = -range; lag <= range; lag++) {
    let sum = 0;
    for (let i = 0; i < length; i += 4) sum += a[from + i]! * (b[from + i + lag] ?? 0);
    if (sum > best) {
      best = sum;
      bestLag = lag;
    }
  }
  return bestLag;
}

/** Onsets (ms) of the beeps in decoded audio (the first sample at 0.2 of the beep's peak after 0.5 s below it), and its decoded length. */
async function decodeBeeps(file: string): Promise<{ onsets: number[]; decodedMs: number }> {
  const { stdout } = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 's16le', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const samples = new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
  const level = 0.2 * BEEP.amplitude * 32768;
  const onsets: number[] = [];
  let lastLoud = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) >= level) {
      if (i - lastLoud >= 24_000) onsets.push(i / 48);
      lastLoud = i;
    }
  }
  return { onsets, decodedMs: samples.length / 48 };
}

describe.each([1, 2] as const)('timeline audio, %i channel(s): beeps where the recorder timeline says', (channels) => {
  let dir: string;
  let expected: number[];
  let lost: { startMs: number; endMs: number };
  let onsets: number[];
  let decodedMs: number;
  let probedMs: number;
  let statedMs: number;
  const PAUSE = { startMs: 8000, endMs: 11_000, reason: 'sensitive-field' };
  const TIMELINE_MS = 40_000;
  const RESTART_AT_MS = 30_000;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duet-audio-test-'));
    // Recorder stream A: 24 s of media over timeline 0–27 s, paused 8–11 s (MediaRecorder.pause():
    // the media clock stops, so the chunk times jump by the pause).
    const aMs = 24_000;
    const aBeeps = await recorderWebm(path.join(dir, 'a.webm'), aMs / 1000, channels, 2, 0.7);
    const aTimeline = (m: number, isEnd = false) => ((isEnd ? m > PAUSE.startMs : m >= PAUSE.startMs) ? m + (PAUSE.endMs - PAUSE.startMs) : m);
    const a = chunksOf(await readFile(path.join(dir, 'a.webm')), aMs, 24, 0, aTimeline);
    // Chunk 16 (media 16–17 s) never arrived: what follows decodes from its next cluster on.
    const missing = a[16]!;
    lost = { startMs: missing.startMs - 100, endMs: missing.endMs + 1200 };
    // Recorder stream B: the page reloaded, a new recorder (new WebM header) starts at 30 s.
    const bMs = 8000;
    const bBeeps = await recorderWebm(path.join(dir, 'b.webm'), bMs / 1000, channels, 2, 0.3);
    const b = chunksOf(await readFile(path.join(dir, 'b.webm')), bMs, 8, 24, (m) => RESTART_AT_MS + m);
    expected = [...aBeeps.map((m) => aTimeline(m)), ...bBeeps.map((m) => RESTART_AT_MS + m)];
    const chunks = [...a.filter((c) => c !== missing), ...b];
    const built = await buildTimelineAudio(dir, { pauses: [PAUSE], audioClockPauses: [PAUSE], timelineMs: TIMELINE_MS }, chunks);
    expect(built.channels).toBe(channels);
    statedMs = built.durationMs;
    probedMs = (await probeAudio(built.file)).durationMs;
    ({ onsets, decodedMs } = await decodeBeeps(built.file));
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('places every beep before the pause, after it, after the lost chunk and after the restart within the tolerance', () => {
    const misplaced = onsets.map((t) => ({ t, nearest: expected.reduce((a, b) => (Math.abs(b - t) < Math.abs(a - t) ? b : a)) })).filter((o) => Math.abs(o.t - o.nearest) > TOLERANCE_MS);
    expect(misplaced.map((o) => `${o.nearest} ms heard at ${o.t.toFixed(2)} ms`)).toEqual([]);
  });

  it('loses no beep but those in the lost chunk (and up to its next cluster), and has none in the pause', () => {
    const wanted = expected.filter((t) => t < lost.startMs || t > lost.endMs);
    const missed = wanted.filter((t) => !onsets.some((o) => Math.abs(o - t) <= TOLERANCE_MS));
    expect(missed).toEqual([]);
    expect(onsets.filter((t) => t > PAUSE.startMs && t < PAUSE.endMs)).toEqual([]);
    // Sanity of the fixture itself: the beeps on both sides of the pause, the gap and the restart.
    expect(wanted.filter((t) => t > PAUSE.endMs && t < lost.startMs).length).toBeGreaterThanOrEqual(2);
    expect(wanted.filter((t) => t > lost.endMs && t < RESTART_AT_MS).length).toBeGreaterThanOrEqual(2);
    expect(wanted.filter((t) => t > RESTART_AT_MS).length).toBeGreaterThanOrEqual(3);
  });

  it('decodes to exactly the timeline, and says so', () => {
    expect(Math.abs(decodedMs - TIMELINE_MS)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(statedMs).toBe(decodedMs);
    // ffprobe counts the Opus pre-skip (6.5 ms) in an Ogg file's duration, as for ffmpeg's own files.
    expect(Math.abs(probedMs - TIMELINE_MS)).toBeLessThanOrEqual(7);
  });
});

describe('timeline audio of a real Chromium recording (test/fixtures/recorded: 60 ms packets, pre-skip 0, an 8 ms jump in its timestamps at the PCI pause)', () => {
  it('puts the speech after a lost chunk that follows the pause where the complete recording has it', async () => {
    const { session, audioChunks } = await loadRecordedSession();
    const chunks: LoadedChunk[] = audioChunks.map((c) => ({ seq: c.seq, startMs: c.startMs - session.startEpochMs, endMs: c.endMs - session.startEpochMs, payload: c.data }));
    const pause = { ...session.pause.audio, reason: 'sensitive-field' };
    const input = { pauses: [pause], audioClockPauses: [pause], timelineMs: Math.max(...chunks.map((c) => c.endMs)) };
    // The first chunk after the resume never arrived; the next one starts mid-cluster.
    const lost = chunks.find((c) => c.startMs >= pause.endMs && c.payload.byteLength > 100)!;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-audio-test-'));
    try {
      const complete = await decodeLeft((await buildTimelineAudio(path.join(dir), input, chunks)).file);
      await rm(path.join(dir, 'audio.ogg'));
      const gapped = await decodeLeft((await buildTimelineAudio(dir, input, chunks.filter((c) => c !== lost))).file);
      // Agent phrase a6 runs to 24.1 s; after the lost chunk's next cluster, 23.4–24.1 s is speech in both.
      const phrase = session.speech.agent.find((p) => p.id === 'a6')!;
      expect(phrase.endMs).toBeGreaterThan(24_000);
      const lag = lagOf(complete, gapped, 23_400 * 48, 700 * 48, 250 * 48);
      expect(Math.abs(lag) / 48, 'ms between the two').toBeLessThanOrEqual(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
