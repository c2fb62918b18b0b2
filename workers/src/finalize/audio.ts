import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { objectKey, type ObjectStore } from '@duet/core';
import type { AudioTrack, PeaksTrack, TalkMetrics } from '@duet/protocol';
import { concatArgs, concatEntry, cutFromArgs, packetTimesArgs, pcmArgs, remuxWebmToOggArgs, silenceArgs, silencedetectArgs } from './audio-args.js';
import { planTimelineAudio, type AudioPiece } from './audio-plan.js';
import { FFMPEG, FFPROBE, probeAudio, runMedia } from './ffmpeg.js';
import type { FinalizeInput, LoadedChunk } from './load.js';
import { speechFromSilencedetect, talkMetrics } from './talk-metrics.js';

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);
/** Enough to draw a 60-minute call on a wide screen: 36,000 buckets per channel per hour. */
export const PEAKS_PER_SECOND = 10;

/**
 * Splits audio chunks into MediaRecorder streams. A chunk starting with the WebM (EBML) header
 * begins a stream; a missing seq also ends one, and the chunks after it get the stream's init
 * section (everything before the first Cluster) in front, so what arrived is still decodable.
 */
export function splitIntoPieces(chunks: readonly LoadedChunk[]): { bytes: Buffer; startMs: number; endMs: number }[] {
  const pieces: { parts: Buffer[]; startMs: number; endMs: number }[] = [];
  let init: Buffer | null = null;
  let prevSeq = -2;
  for (const c of chunks) {
    const isHeader = c.payload.subarray(0, 4).equals(EBML_MAGIC);
    if (isHeader) {
      const cluster = c.payload.indexOf(CLUSTER_ID);
      init = cluster > 0 ? c.payload.subarray(0, cluster) : c.payload;
    }
    const current = pieces.at(-1);
    if (!current || isHeader || c.seq !== prevSeq + 1) {
      if (!isHeader && !init) {
        prevSeq = c.seq;
        continue; // nothing decodable before the first header arrives
      }
      pieces.push({ parts: isHeader ? [c.payload] : [init!, c.payload], startMs: c.startMs, endMs: c.endMs });
    } else {
      current.parts.push(c.payload);
      current.endMs = c.endMs;
    }
    prevSeq = c.seq;
  }
  return pieces.map((p) => ({ bytes: Buffer.concat(p.parts), startMs: p.startMs, endMs: p.endMs }));
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-finalize-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds the timeline audio file in `dir`; returns its path and what ffprobe says of it. */
export async function buildTimelineAudio(dir: string, input: Pick<FinalizeInput, 'pauses' | 'timelineMs'>, chunks: readonly LoadedChunk[], signal?: AbortSignal) {
  const opt = signal ? { signal } : {};
  const pieces: (AudioPiece & { file: string })[] = [];
  let channels: 1 | 2 = 1;
  for (const [i, piece] of splitIntoPieces(chunks).entries()) {
    const webm = path.join(dir, `piece-${i}.webm`);
    const ogg = path.join(dir, `piece-${i}.ogg`);
    await writeFile(webm, piece.bytes);
    await runMedia(FFMPEG, remuxWebmToOggArgs(webm, ogg), opt);
    const probe = await probeAudio(ogg, signal);
    if (probe.codec !== 'opus') throw new Error(`audio piece ${i} is ${probe.codec}, not Opus`);
    channels = probe.channels >= 2 ? 2 : channels;
    pieces.push({ startMs: piece.startMs, endMs: piece.endMs, mediaMs: probe.durationMs, file: ogg });
  }
  const plan = planTimelineAudio(pieces, input.pauses, input.timelineMs);
  // A copy cut keeps whole packets (Chrome's are 60 ms): the first kept one starts up to a frame
  // after the cut point. Where it really starts is read from the packet table, and that much
  // silence goes in front, so the audio after a pause or gap lands where it was spoken.
  const packetStarts = new Map<number, number[]>();
  const firstPacketAtOrAfter = async (piece: number, ms: number) => {
    if (!packetStarts.has(piece)) {
      const { stdout } = await runMedia(FFPROBE, packetTimesArgs(pieces[piece]!.file), opt);
      packetStarts.set(piece, stdout.split('\n').filter(Boolean).map((l) => Number(l) * 1000).filter((t) => Number.isFinite(t)));
    }
    return packetStarts.get(piece)!.find((t) => t >= ms - 0.5) ?? ms;
  };
  const leads = new Map<number, number>();
  for (const [k, p] of plan.entries()) {
    if (p.kind === 'audio' && p.inMs > 0) leads.set(k, Math.max(0, Math.round((await firstPacketAtOrAfter(p.piece, p.inMs)) - p.inMs)));
  }
  const longestSilence = Math.max(0, ...plan.map((p) => (p.kind === 'silence' ? p.durationMs : 0)), ...leads.values());
  const silence = path.join(dir, 'silence.ogg');
  if (longestSilence > 0) await runMedia(FFMPEG, silenceArgs(longestSilence + 100, channels, silence), opt);
  const list: string[] = [];
  for (const [k, p] of plan.entries()) {
    if (p.kind === 'silence') {
      list.push(concatEntry(silence, p.durationMs));
      continue;
    }
    let file = pieces[p.piece]!.file;
    const lead = leads.get(k) ?? 0;
    if (p.inMs > 0) {
      const cut = path.join(dir, `part-${k}.ogg`);
      await runMedia(FFMPEG, cutFromArgs(file, p.inMs, cut), opt);
      file = cut;
    }
    if (lead > 0) list.push(concatEntry(silence, lead));
    list.push(concatEntry(file, p.outMs - p.inMs - lead));
  }
  const listFile = path.join(dir, 'parts.txt');
  await writeFile(listFile, `ffconcat version 1.0\n${list.join('\n')}\n`);
  const out = path.join(dir, 'audio.ogg');
  await runMedia(FFMPEG, concatArgs(listFile, out), opt);
  return { file: out, probe: await probeAudio(out, signal), channels, listFile };
}

/** Max-abs amplitude per bucket and channel, 0..127, channel after channel; decoded as a stream. */
export async function computePeaks(file: string, channels: number, signal?: AbortSignal): Promise<Int8Array[]> {
  const perBucket = 8000 / PEAKS_PER_SECOND;
  const peaks: number[][] = Array.from({ length: channels }, () => []);
  const current = new Array<number>(channels).fill(0);
  let frame = 0;
  let carry = Buffer.alloc(0);
  await runMedia(FFMPEG, pcmArgs(file, channels), {
    ...(signal ? { signal } : {}),
    onStdout: (chunk) => {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const frameBytes = 2 * channels;
      const whole = data.length - (data.length % frameBytes);
      for (let o = 0; o < whole; o += frameBytes) {
        for (let c = 0; c < channels; c++) current[c] = Math.max(current[c]!, Math.abs(data.readInt16LE(o + 2 * c)));
        if (++frame % perBucket === 0) {
          for (let c = 0; c < channels; c++) {
            peaks[c]!.push(Math.min(127, current[c]! >> 8));
            current[c] = 0;
          }
        }
      }
      carry = Buffer.from(data.subarray(whole));
    },
  });
  if (frame % perBucket) for (let c = 0; c < channels; c++) peaks[c]!.push(Math.min(127, current[c]! >> 8));
  return peaks.map((p) => Int8Array.from(p));
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The audio half of finalization: timeline audio, peaks and talk metrics, uploaded. */
export async function finalizeAudio(
  store: ObjectStore,
  input: FinalizeInput,
  chunks: readonly LoadedChunk[],
  signal?: AbortSignal,
): Promise<{ audio: AudioTrack; peaks: PeaksTrack; metrics: TalkMetrics }> {
  return withTempDir(async (dir) => {
    const built = await buildTimelineAudio(dir, input, chunks, signal);
    const audioBytes = await readFile(built.file);
    const audioKey = objectKey('interactions', input.interactionId, 'audio.ogg');
    await store.put(audioKey, audioBytes, { contentType: 'audio/ogg', contentLength: audioBytes.byteLength });

    const peaks = await computePeaks(built.file, built.channels, signal);
    const peaksBytes = Buffer.concat(peaks.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
    const peaksKey = objectKey('interactions', input.interactionId, 'peaks.bin');
    await store.put(peaksKey, peaksBytes, { contentType: 'application/octet-stream', contentLength: peaksBytes.byteLength });

    const speech = [];
    for (let c = 0; c < built.channels; c++) {
      const { stderr } = await runMedia(FFMPEG, silencedetectArgs(built.file, c, -40, 0.3), signal ? { signal } : {});
      speech.push(speechFromSilencedetect(stderr, built.probe.durationMs));
    }
    return {
      audio: {
        key: audioKey,
        bytes: audioBytes.byteLength,
        sha256: sha(audioBytes),
        container: 'ogg',
        codec: 'opus',
        channels: built.channels,
        channelRoles: built.channels === 2 ? ['agent', 'customer'] : ['agent'],
        sampleRate: built.probe.sampleRate,
        durationMs: built.probe.durationMs,
      },
      peaks: { key: peaksKey, bytes: peaksBytes.byteLength, sha256: sha(peaksBytes), peaksPerSecond: PEAKS_PER_SECOND, channels: built.channels, buckets: peaks[0]?.length ?? 0 },
      metrics: talkMetrics(speech[0] ?? [], built.channels === 2 ? (speech[1] ?? []) : null, input.timelineMs, { pauses: input.pauses }),
    };
  });
}
