import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { objectKey, type ObjectStore } from '@duet/core';
import type { AudioTrack } from '@duet/protocol';
import { concatArgs, concatEntry, cutFromArgs, remuxWebmToOggArgs, silenceArgs } from './audio-args.js';
import { planTimelineAudio, type AudioPiece } from './audio-plan.js';
import { FFMPEG, probeAudio, runMedia } from './ffmpeg.js';
import type { FinalizeInput, LoadedChunk } from './load.js';

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

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
export async function buildTimelineAudio(dir: string, input: Pick<FinalizeInput, 'pauses' | 'timelineMs'> & Partial<Pick<FinalizeInput, 'audioClockPauses'>>, chunks: readonly LoadedChunk[], signal?: AbortSignal) {
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
  // The recorder's own pauses stopped its media clock; every other pause (another tab's PCI pause)
  // is muted where the media ran on.
  const plan = planTimelineAudio(pieces, input.audioClockPauses ?? input.pauses, input.timelineMs, input.pauses);
  // A copy cut keeps whole packets (Chrome's are 60 ms): ffmpeg drops the packet that straddles
  // the cut, and the cut file gets a new Opus pre-skip. Its decoded audio therefore starts a
  // little after the cut point, and ffprobe's start_time of the cut file says by how much (the
  // output keeps the input's clock minus the cut). That much silence goes in front, so the audio
  // after a pause or gap lands where it was spoken.
  const cuts = new Map<number, { file: string; leadMs: number }>();
  for (const [k, p] of plan.entries()) {
    if (p.kind !== 'audio' || p.inMs <= 0) continue;
    const file = path.join(dir, `part-${k}.ogg`);
    await runMedia(FFMPEG, cutFromArgs(pieces[p.piece]!.file, p.inMs, file), opt);
    const leadMs = Math.max(0, Math.round((await probeAudio(file, signal)).startMs));
    cuts.set(k, { file, leadMs });
  }
  const longestSilence = Math.max(0, ...plan.map((p) => (p.kind === 'silence' ? p.durationMs : 0)), ...[...cuts.values()].map((c) => c.leadMs));
  const silence = path.join(dir, 'silence.ogg');
  if (longestSilence > 0) await runMedia(FFMPEG, silenceArgs(longestSilence + 100, channels, silence), opt);
  const list: string[] = [];
  for (const [k, p] of plan.entries()) {
    if (p.kind === 'silence') {
      list.push(concatEntry(silence, p.durationMs));
      continue;
    }
    const cut = cuts.get(k);
    const lead = cut?.leadMs ?? 0;
    if (lead > 0) list.push(concatEntry(silence, lead));
    list.push(concatEntry(cut?.file ?? pieces[p.piece]!.file, p.outMs - p.inMs - lead));
  }
  const listFile = path.join(dir, 'parts.txt');
  await writeFile(listFile, `ffconcat version 1.0\n${list.join('\n')}\n`);
  const out = path.join(dir, 'audio.ogg');
  await runMedia(FFMPEG, concatArgs(listFile, out), opt);
  return { file: out, probe: await probeAudio(out, signal), channels, listFile };
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
      durationMs: built.probe.durationMs,
    };
  });
}
