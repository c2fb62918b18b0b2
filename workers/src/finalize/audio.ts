import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { objectKey, type ObjectStore } from '@duet/core';
import type { AudioTrack } from '@duet/protocol';
import { remuxWebmToOggArgs, silenceArgs } from './audio-args.js';
import { layoutTimelineAudio, SAMPLES_PER_MS, type PiecePackets } from './audio-layout.js';
import { planTimelineAudio, type AudioPiece, type Interval } from './audio-plan.js';
import { FFMPEG, probeAudio, runMedia } from './ffmpeg.js';
import type { FinalizeInput, LoadedChunk } from './load.js';
import { opusPacketSamples, readOggOpus, writeOggOpus, type OggOpus } from './ogg-opus.js';

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/** One decodable run of chunks: a whole recorder stream, or what follows a missing seq in one. */
export interface SplitPiece {
  bytes: Buffer;
  startMs: number;
  endMs: number;
  /** which recorder stream (WebM header) it belongs to, counted from 0 */
  stream: number;
  /** begins with the stream's header chunk (not with its init section put in front after a gap) */
  streamStart: boolean;
}

/**
 * Splits audio chunks into MediaRecorder streams. A chunk starting with the WebM (EBML) header
 * begins a stream; a missing seq also ends one, and the chunks after it get the stream's init
 * section (everything before the first Cluster) in front, so what arrived is still decodable.
 */
export function splitIntoPieces(chunks: readonly LoadedChunk[]): SplitPiece[] {
  const pieces: { parts: Buffer[]; startMs: number; endMs: number; stream: number; streamStart: boolean }[] = [];
  let init: Buffer | null = null;
  let stream = -1;
  let prevSeq = -2;
  for (const c of chunks) {
    const isHeader = c.payload.subarray(0, 4).equals(EBML_MAGIC);
    if (isHeader) {
      const cluster = c.payload.indexOf(CLUSTER_ID);
      init = cluster > 0 ? c.payload.subarray(0, cluster) : c.payload;
      stream++;
    }
    const current = pieces.at(-1);
    if (!current || isHeader || c.seq !== prevSeq + 1) {
      if (!isHeader && !init) {
        prevSeq = c.seq;
        continue; // nothing decodable before the first header arrives
      }
      pieces.push({ parts: isHeader ? [c.payload] : [init!, c.payload], startMs: c.startMs, endMs: c.endMs, stream, streamStart: isHeader });
    } else {
      current.parts.push(c.payload);
      current.endMs = c.endMs;
    }
    prevSeq = c.seq;
  }
  return pieces.map((p) => ({ bytes: Buffer.concat(p.parts), startMs: p.startMs, endMs: p.endMs, stream: p.stream, streamStart: p.streamStart }));
}

/**
 * Timeline time of media time `mediaMs` of a recorder stream that started at `startMs`: its media
 * clock stood still in `pauses` (sorted). Media at a pause's start is the first after the resume.
 */
export function streamTimelineMs(startMs: number, mediaMs: number, pauses: readonly Interval[]): number {
  let t = startMs;
  let rest = mediaMs;
  for (const p of pauses) {
    if (p.endMs <= t) continue;
    if (p.startMs <= t) {
      t = p.endMs;
      continue;
    }
    if (t + rest < p.startMs) break;
    rest -= p.startMs - t;
    t = p.endMs;
  }
  return t + rest;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-finalize-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The output's pre-skip when no recorder stream gives one: libopus's 312 samples. */
const DEFAULT_PRE_SKIP = 312;

/**
 * Builds the timeline audio file in `dir`; returns its path and what ffprobe says of it.
 *
 * ffmpeg remuxes each piece's WebM into Ogg (packets copied) and says where its first packet is
 * on the stream's clock; the file is then assembled here packet by packet (audio-layout.ts), so
 * each sample's place is counted, not inferred from container timestamps. (With ffmpeg's concat
 * demuxer each entry played whole packets past its `outpoint` and a cut file's first packet in
 * full, pre-skip included, while the next entry's start was taken from `duration`: the audio
 * after a pause came out 40–80 ms late.)
 */
export async function buildTimelineAudio(dir: string, input: Pick<FinalizeInput, 'pauses' | 'timelineMs'> & Partial<Pick<FinalizeInput, 'audioClockPauses'>>, chunks: readonly LoadedChunk[], signal?: AbortSignal) {
  const opt = signal ? { signal } : {};
  // The recorder's own pauses stopped its media clock; every other pause (another tab's PCI pause)
  // is muted where the media ran on.
  const clockPauses = [...(input.audioClockPauses ?? input.pauses)].sort((a, b) => a.startMs - b.startMs);
  const planned: AudioPiece[] = [];
  const packets: OggOpus[] = [];
  const layoutPieces: PiecePackets[] = [];
  /** per stream: timeline start and where its first packet is on its WebM clock (ms) */
  const streams = new Map<number, { startMs: number; firstPacketMs: number }>();
  let channels: 1 | 2 = 1;
  for (const [i, piece] of splitIntoPieces(chunks).entries()) {
    const webm = path.join(dir, `piece-${i}.webm`);
    const ogg = path.join(dir, `piece-${i}.ogg`);
    await writeFile(webm, piece.bytes);
    await runMedia(FFMPEG, remuxWebmToOggArgs(webm, ogg), opt);
    const opus = readOggOpus(await readFile(ogg));
    if (!opus.packets.length) continue;
    channels = opus.channels >= 2 ? 2 : channels;
    // WebM block times (ms) of the piece's first packet: after a lost chunk the piece decodes from
    // the next cluster on, somewhere after its first chunk's start; the stream's clock says where.
    const firstPacketMs = (await probeAudio(webm, signal)).startMs;
    let startMs = piece.startMs;
    // A stream's media time 0 is its first decoded sample: its first packet, less the pre-skip.
    let lead = -opus.preSkip;
    const known = streams.get(piece.stream);
    if (piece.streamStart) streams.set(piece.stream, { startMs: piece.startMs, firstPacketMs });
    else if (known && Number.isFinite(firstPacketMs) && Number.isFinite(known.firstPacketMs)) {
      lead = 0;
      startMs = streamTimelineMs(known.startMs, firstPacketMs - known.firstPacketMs - opus.preSkip / SAMPLES_PER_MS, clockPauses);
    } else lead = 0; // no header piece to measure from: the chunk's own time is the best there is
    // Packets follow each other unless their timestamps (page granules) say the clock jumped.
    const start: number[] = [];
    const length: number[] = [];
    let at = lead;
    let base: number | null = null;
    for (const [k, p] of opus.packets.entries()) {
      const n = opusPacketSamples(p);
      const end = opus.granules[k];
      if (end != null) {
        base ??= end - n - at;
        at = end - n - base;
      }
      start.push(at);
      length.push(n);
      at += n;
    }
    packets.push(opus);
    layoutPieces.push({ start, length });
    planned.push({ startMs, endMs: Math.max(piece.endMs, startMs), mediaMs: at / SAMPLES_PER_MS });
  }
  const plan = planTimelineAudio(planned, clockPauses, input.timelineMs, input.pauses);
  const silence = new Map<number, Buffer>();
  for (const frameMs of [20, 2.5] as const) {
    const file = path.join(dir, `silence-${frameMs}.ogg`);
    await runMedia(FFMPEG, silenceArgs(frameMs, channels, file), opt);
    const silent = readOggOpus(await readFile(file)).packets;
    // One from the middle: the first carries the encoder's start-up, the last its padding.
    silence.set(frameMs * SAMPLES_PER_MS, silent[Math.floor(silent.length / 2)]!);
  }
  // The first stream's own pre-skip (Chrome writes 0, libopus 312), so a call that opens with it
  // starts exactly on its first sample, with no silence rounding in front.
  const preSkip = packets[0]?.preSkip ?? DEFAULT_PRE_SKIP;
  const layout = layoutTimelineAudio(plan, layoutPieces, input.timelineMs, { preSkip, silenceUnits: [...silence.keys()] });
  const out: Buffer[] = [];
  for (const op of layout.ops) {
    if (op.kind === 'silence') for (let k = 0; k < op.count; k++) out.push(silence.get(op.samples)!);
    else for (let k = op.from; k < op.to; k++) out.push(packets[op.piece]!.packets[k]!); // no spread: an hour is 60,000+ packets
  }
  const file = path.join(dir, 'audio.ogg');
  await writeFile(file, writeOggOpus({ channels, preSkip, packets: out, endGranule: layout.endGranule }));
  // What a decoder plays: every sample laid out, less the pre-skip, trimmed at the granule the file ends on.
  const durationMs = (Math.min(layout.totalSamples, layout.endGranule) - preSkip) / SAMPLES_PER_MS;
  return { file, probe: await probeAudio(file, signal), channels, durationMs };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The audio half of finalization: the timeline audio, uploaded. Peaks and talk metrics come later (analyze-audio). */
export async function finalizeAudio(store: ObjectStore, input: FinalizeInput, chunks: readonly LoadedChunk[], signal?: AbortSignal): Promise<AudioTrack> {
  return withTempDir(async (dir) => {
    const built = await buildTimelineAudio(dir, input, chunks, signal);
    const audioBytes = await readFile(built.file);
    const audioKey = objectKey('interactions', input.interactionId, 'audio.ogg');
    await store.put(audioKey, audioBytes, { contentType: 'audio/ogg', contentLength: audioBytes.byteLength });
    return {
      key: audioKey,
      bytes: audioBytes.byteLength,
      sha256: sha(audioBytes),
      container: 'ogg',
      codec: 'opus',
      channels: built.channels,
      channelRoles: built.channels === 2 ? ['agent', 'customer'] : ['agent'],
      sampleRate: built.probe.sampleRate,
      durationMs: Math.round(built.durationMs),
    };
  });
}
