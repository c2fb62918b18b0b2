/**
 * ffmpeg/ffprobe argument builders for PBX imports: pure, so tests assert the exact command
 * lines. The input format is always named (decided by magic bytes, never by probing), and a
 * demuxer whitelist and a file-only protocol whitelist make sure no playlist, concat script or
 * network URL can ever be followed, whatever the file says inside.
 */
import type { ImportContainer } from '@duet/core';

/** The demuxers an import may use: these four containers, nothing that references other files. */
export const FORMAT_WHITELIST = 'wav,mp3,ogg,matroska,webm';

const DEMUXER: Record<ImportContainer, string> = { wav: 'wav', mp3: 'mp3', ogg: 'ogg', webm: 'matroska' };

const input = (file: string, container: ImportContainer) => ['-format_whitelist', FORMAT_WHITELIST, '-protocol_whitelist', 'file', '-f', DEMUXER[container], '-i', file];

/** Streams and format of the upload, as JSON. */
export function probeImportArgs(file: string, container: ImportContainer): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...input(file, container)];
}

/**
 * Decodes the whole first audio stream and throws the samples away: a truncated or corrupt file
 * shows as errors on stderr and as a decoded duration short of the declared one. `-progress`
 * prints `out_time_us=` to stdout, the decoded length.
 */
export function decodeCheckArgs(file: string, container: ImportContainer): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-v', 'error', ...input(file, container), '-map', '0:a:0', '-f', 'null', '-progress', 'pipe:1', '-'];
}

export interface TimelineAudioPlan {
  channels: 1 | 2;
  /** silence before the audio, ms */
  delayMs: number;
  /** the output's exact length, ms (silence after the audio up to it) */
  totalMs: number;
  /** intervals (output timeline ms) to silence: PCI pauses of the screen recording */
  mute: readonly { startMs: number; endMs: number }[];
}

const OUT_RATE = 48_000;
const MUTE_FRAME_MS = 10;

/** The audio filter chain: resample to Opus's rate, delay, pad, mute the pauses, cut to length. */
export function timelineFilter(plan: TimelineAudioPlan): string {
  const delay = Math.max(0, Math.round(plan.delayMs));
  const samples = Math.round((plan.totalMs * OUT_RATE) / 1000);
  const filters = [`aresample=${OUT_RATE}`];
  // Per-channel delays ("d|d"): works on ffmpeg builds older than adelay's `all` option.
  if (delay > 0) filters.push(`adelay=${Array.from({ length: plan.channels }, () => delay).join('|')}`);
  filters.push(`apad=whole_len=${samples}`, `atrim=end_sample=${samples}`);
  const mute = plan.mute.filter((m) => m.endMs > m.startMs);
  if (mute.length) {
    // `enable` is decided per frame, so frames are made 10 ms long, and a frame that overlaps a
    // pause at all is muted (it starts less than one frame before the pause): never a leak.
    const between = mute.map((m) => `between(t,${((m.startMs - MUTE_FRAME_MS) / 1000).toFixed(3)},${(m.endMs / 1000).toFixed(3)})`).join('+');
    filters.push(`asetnsamples=n=${(OUT_RATE * MUTE_FRAME_MS) / 1000}:p=0`, `volume=0:enable='${between}'`);
  }
  return filters.join(',');
}

/**
 * The interaction's timeline audio from the upload, in one decode and one Opus encode: speech
 * bitrate, stereo kept as agent left / customer right, mono otherwise. Bit-exact, so a retried
 * job writes the same bytes to the same key.
 */
export function timelineAudioArgs(file: string, container: ImportContainer, plan: TimelineAudioPlan, output: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    ...input(file, container),
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-af', timelineFilter(plan),
    '-ac', String(plan.channels), '-ar', String(OUT_RATE),
    '-c:a', 'libopus', '-b:a', plan.channels === 2 ? '32k' : '24k', '-application', 'voip', '-frame_duration', '20',
    '-fflags', '+bitexact', '-flags:a', '+bitexact',
    '-f', 'ogg', output,
  ];
}

/** Length of the produced Ogg/Opus, for the check against the plan. */
export function oggDurationArgs(file: string): string[] {
  return ['-v', 'error', '-protocol_whitelist', 'file', '-f', 'ogg', '-show_entries', 'format=duration:stream=codec_name,channels,sample_rate', '-of', 'json', file];
}
