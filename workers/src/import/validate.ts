import { open, stat } from 'node:fs/promises';
import { containerName, sniffAudio, SNIFF_BYTES, type ImportContainer } from '@duet/core';
import { FFMPEG, FFPROBE, FfmpegError, runMedia } from '../finalize/ffmpeg.js';
import { checkOggComplete, checkWavComplete } from './container-checks.js';
import { decodeCheckArgs, probeImportArgs } from './media-args.js';

/** An upload that can never import: the reason is stored on the import and shown to the caller. */
export class ImportRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImportRefused';
  }
}

export interface ValidatedAudio {
  durationMs: number;
  channels: 1 | 2;
  codec: string;
  sampleRate: number;
}

/** Codecs each container may carry: speech codecs a phone system writes, nothing exotic to decode. */
const CODECS: Record<ImportContainer, RegExp> = {
  wav: /^(pcm_[a-z0-9]+|adpcm_[a-z0-9_]+|gsm_ms|g722|g723_1|g726|g726le|mp3)$/,
  mp3: /^(mp3|mp3float|mp2)$/,
  ogg: /^(opus|vorbis|speex|flac)$/,
  webm: /^(opus|vorbis)$/,
};
/** Format names ffprobe reports for each container's demuxer. */
const FORMAT_NAMES: Record<ImportContainer, string> = { wav: 'wav', mp3: 'mp3', ogg: 'ogg', webm: 'matroska,webm' };

/** The declared length may differ from the decoded one by encoder padding, never by more. */
const toleranceMs = (ms: number) => Math.max(250, ms * 0.01);

async function readRange(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string; channels?: number; sample_rate?: string; disposition?: { attached_pic?: number } }[];
}

/**
 * Decides whether an upload is a sound recording we import, and what it is: the magic bytes say
 * the container again (the stored object is checked, not the upload the server saw), the
 * container's own end markers catch clean truncations, ffprobe (whitelisted demuxers only) must
 * find exactly what the container should hold, and a full decode must run without an error to the
 * declared length.
 */
export async function validateImport(file: string, container: ImportContainer, signal?: AbortSignal): Promise<ValidatedAudio> {
  const opt = signal ? { signal } : {};
  const size = (await stat(file)).size;
  if (size === 0) throw new ImportRefused('the file is empty');
  const sniffed = sniffAudio(await readRange(file, 0, SNIFF_BYTES));
  if (!sniffed.ok) throw new ImportRefused(sniffed.reason);
  if (sniffed.container !== container) throw new ImportRefused(`the stored file is ${containerName(sniffed.container)}, not the ${containerName(container)} that was accepted`);
  if (container === 'wav') {
    const check = checkWavComplete(await readRange(file, 0, 64 * 1024), size);
    if (!check.ok) throw new ImportRefused(check.reason);
  }
  if (container === 'ogg') {
    const tailBytes = Math.min(size, 70 * 1024);
    const check = checkOggComplete(await readRange(file, size - tailBytes, tailBytes));
    if (!check.ok) throw new ImportRefused(check.reason);
  }

  let info: ProbeJson;
  try {
    info = JSON.parse((await runMedia(FFPROBE, probeImportArgs(file, container), opt)).stdout) as ProbeJson;
  } catch (err) {
    if (err instanceof FfmpegError) throw new ImportRefused(`the file cannot be read as ${containerName(container)}: ${lastLine(err.stderr)}`);
    throw err;
  }
  if (info.format?.format_name !== FORMAT_NAMES[container]) {
    throw new ImportRefused(`the file reads as "${info.format?.format_name ?? 'nothing'}", not ${containerName(container)}`);
  }
  const streams = info.streams ?? [];
  // Cover art in an MP3's ID3 tag shows as an attached picture: harmless and ignored.
  const video = streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (video.length) throw new ImportRefused(`the file has a video stream (${video.map((v) => v.codec_name).join(', ')}): only audio recordings are imported`);
  const audio = streams.filter((s) => s.codec_type === 'audio');
  if (audio.length === 0) throw new ImportRefused('the file has no audio stream');
  if (audio.length > 1) throw new ImportRefused(`the file has ${audio.length} audio streams; send one stream (stereo: agent left, customer right)`);
  const a = audio[0]!;
  const codec = a.codec_name ?? 'unknown';
  if (!CODECS[container].test(codec)) throw new ImportRefused(`the ${containerName(container)} holds ${codec} audio, which Duet does not import`);
  const channels = a.channels ?? 0;
  if (channels !== 1 && channels !== 2) throw new ImportRefused(`the audio has ${channels} channels; send mono, or stereo with the agent left and the customer right`);
  const declaredMs = Number(info.format?.duration ?? 'NaN') * 1000;

  let decodedMs = 0;
  try {
    const { stdout, stderr } = await runMedia(FFMPEG, decodeCheckArgs(file, container), opt);
    for (const m of stdout.matchAll(/^out_time_us=(\d+)$/gm)) decodedMs = Number(m[1]) / 1000;
    if (stderr.trim()) throw new ImportRefused(`the audio is corrupt or truncated: ${lastLine(stderr)}`);
  } catch (err) {
    if (err instanceof FfmpegError) throw new ImportRefused(`the audio does not decode: ${lastLine(err.stderr)}`);
    throw err;
  }
  if (decodedMs <= 0) throw new ImportRefused('the audio has no duration: nothing decodes');
  if (Number.isFinite(declaredMs) && declaredMs - decodedMs > toleranceMs(declaredMs)) {
    throw new ImportRefused(`the audio is truncated: the file declares ${(declaredMs / 1000).toFixed(2)} s but only ${(decodedMs / 1000).toFixed(2)} s decode`);
  }
  return { durationMs: Math.round(decodedMs), channels, codec, sampleRate: Number(a.sample_rate ?? 0) };
}

const lastLine = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter(Boolean)
    .slice(-2)
    .join(' | ')
    .replace(/\/[^\s:]*duet-import[^\s:]*/g, '<file>')
    .slice(0, 300) || 'no detail';
