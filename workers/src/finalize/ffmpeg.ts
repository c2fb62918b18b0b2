import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return null;
}

/**
 * Which binary to run: the one the environment names, else the system's (Debian's ffmpeg is the
 * fastest here), else the static build shipped inside an npm package, so `npm start` works on a
 * machine with only Node.
 */
function resolveBinary(envVar: string, name: string, npmPackage: string): string {
  const configured = process.env[envVar];
  if (configured) return configured;
  const system = onPath(name);
  if (system) return system;
  try {
    return (createRequire(import.meta.url)(npmPackage) as { path: string }).path;
  } catch {
    return name; // fails in checkMediaTools with instructions
  }
}

export const FFMPEG = resolveBinary('FFMPEG_PATH', 'ffmpeg', '@ffmpeg-installer/ffmpeg');
export const FFPROBE = resolveBinary('FFPROBE_PATH', 'ffprobe', '@ffprobe-installer/ffprobe');

/** A failed ffmpeg/ffprobe run, keeping the command line and the end of stderr for the job log. */
export class FfmpegError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`${command.split(' ')[0]} failed (exit ${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}\ncommand: ${command}`);
    this.name = 'FfmpegError';
  }
}

const STDERR_KEEP = 64 * 1024;

/**
 * The one runner: spawns a binary with an argument array (never a shell), keeps the last 64 KB of
 * stderr, hands stdout chunks to `onStdout` when given (streaming, no buffering of decoded audio),
 * and kills the process when `signal` aborts.
 */
export function runMedia(
  bin: string,
  args: readonly string[],
  opts: { cwd?: string; signal?: AbortSignal; onStdout?: (chunk: Buffer) => void } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (opts.onStdout ? opts.onStdout(d) : (stdout += d.toString())));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > STDERR_KEEP * 2) stderr = stderr.slice(-STDERR_KEEP);
    });
    const abort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (err) => reject(new FfmpegError(`${bin} ${args.join(' ')}`, null, err.message)));
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', abort);
      if (opts.signal?.aborted) return reject(opts.signal.reason ?? new Error('aborted'));
      if (code === 0) resolve({ stdout, stderr: stderr.slice(-STDERR_KEEP) });
      else reject(new FfmpegError(`${bin} ${args.join(' ')}`, code, stderr.slice(-STDERR_KEEP)));
    });
  });
}

export interface ProbeResult {
  durationMs: number;
  /** where decoded audio starts on the file's own clock (Opus pre-skip and cuts move it off zero); fractional */
  startMs: number;
  formatName: string;
  codec: string;
  channels: number;
  sampleRate: number;
}

/** ffprobe of a local file's first audio stream; throws when there is none. */
export async function probeAudio(file: string, signal?: AbortSignal): Promise<ProbeResult> {
  const { stdout } = await runMedia(FFPROBE, ['-v', 'error', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', file], signal ? { signal } : {});
  const info = JSON.parse(stdout) as { format?: { duration?: string; start_time?: string; format_name?: string }; streams?: { codec_type?: string; codec_name?: string; channels?: number; sample_rate?: string }[] };
  const audio = info.streams?.find((s) => s.codec_type === 'audio');
  if (!audio) throw new Error(`${file} has no audio stream`);
  return {
    durationMs: Math.round(Number(info.format?.duration ?? 'NaN') * 1000),
    startMs: Number(info.format?.start_time ?? 0) * 1000,
    formatName: info.format?.format_name ?? '',
    codec: audio.codec_name ?? '',
    channels: audio.channels ?? 0,
    sampleRate: Number(audio.sample_rate ?? 0),
  };
}

/**
 * Checked before a process takes media jobs: ffmpeg and ffprobe run, and have what finalization
 * uses. Throws one error listing everything missing and how to fix it.
 */
export async function checkMediaTools(): Promise<{ ffmpeg: string; ffprobe: string }> {
  const missing: string[] = [];
  const version = async (bin: string) => {
    try {
      return (await runMedia(bin, ['-version'])).stdout.split('\n')[0] ?? bin;
    } catch {
      missing.push(`${bin} does not run`);
      return '';
    }
  };
  const ffmpeg = await version(FFMPEG);
  const ffprobe = await version(FFPROBE);
  if (ffmpeg) {
    const list = async (what: string) => (await runMedia(FFMPEG, ['-hide_banner', what]).catch(() => ({ stdout: '' }))).stdout;
    const need: [string, string, RegExp][] = [
      ['-encoders', 'the libopus encoder', /\blibopus\b/],
      ['-muxers', 'the ogg muxer', /\bogg\b/],
      ['-demuxers', 'the matroska/webm demuxer', /matroska,webm/],
      ['-demuxers', 'the concat demuxer', /\bconcat\b/],
      ['-filters', 'the anullsrc source', /\banullsrc\b/],
    ];
    for (const [what, label, re] of need) if (!re.test(await list(what))) missing.push(`${FFMPEG} lacks ${label}`);
  }
  if (missing.length) {
    throw new Error(`Media tools are not usable: ${missing.join('; ')}. Install Debian's ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH and FFPROBE_PATH.`);
  }
  return { ffmpeg, ffprobe };
}
