import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ImportContainer, ObjectStore } from '@duet/core';
import type { AudioTrack } from '@duet/protocol';
import { FFMPEG, FFPROBE, runMedia } from '../finalize/ffmpeg.js';
import { oggDurationArgs, timelineAudioArgs, type TimelineAudioPlan } from './media-args.js';

/** How far the produced audio may be from the planned timeline length. */
const DURATION_TOLERANCE_MS = 50;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of createReadStream(file)) hash.update(c as Buffer);
  return hash.digest('hex');
}

/**
 * Encodes the upload into the interaction's timeline audio (Ogg/Opus), checks with ffprobe that it
 * is Opus of the planned length, and stores it under `key`. Streams from disk to the store.
 */
export async function encodeTimelineAudio(
  store: ObjectStore,
  src: { file: string; container: ImportContainer },
  plan: TimelineAudioPlan,
  out: string,
  key: string,
  signal?: AbortSignal,
): Promise<AudioTrack> {
  const opt = signal ? { signal } : {};
  await runMedia(FFMPEG, timelineAudioArgs(src.file, src.container, plan, out), opt);
  const info = JSON.parse((await runMedia(FFPROBE, oggDurationArgs(out), opt)).stdout) as {
    format?: { duration?: string };
    streams?: { codec_name?: string; channels?: number; sample_rate?: string }[];
  };
  const stream = info.streams?.[0];
  const durationMs = Math.round(Number(info.format?.duration ?? 'NaN') * 1000);
  if (stream?.codec_name !== 'opus' || stream.channels !== plan.channels) {
    throw new Error(`the encoded audio is ${stream?.codec_name ?? 'nothing'} with ${stream?.channels ?? 0} channel(s), expected Opus with ${plan.channels}`);
  }
  if (!(Math.abs(durationMs - plan.totalMs) <= DURATION_TOLERANCE_MS)) {
    throw new Error(`the encoded audio lasts ${durationMs} ms, expected ${plan.totalMs} ms`);
  }
  const bytes = (await stat(out)).size;
  const sha256 = await sha256File(out);
  await store.put(key, createReadStream(out), { contentType: 'audio/ogg', contentLength: bytes });
  return {
    key,
    bytes,
    sha256,
    container: 'ogg',
    codec: 'opus',
    channels: plan.channels,
    channelRoles: plan.channels === 2 ? ['agent', 'customer'] : ['agent'],
    sampleRate: Number(stream.sample_rate ?? 48_000),
    durationMs,
  };
}
