import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * Where someone speaks on one channel of an audio file, by ffmpeg's silencedetect: the
 * complement of the silences over the duration. Tests check speech placement with it, so it is
 * an independent measurement from the workers' own analysis.
 */
export async function speechOf(file: string, channel: number, durationMs: number, opts: { noiseDb?: number; minSilenceS?: number } = {}): Promise<Interval[]> {
  const filter = `pan=mono|c0=c${channel},silencedetect=n=${opts.noiseDb ?? -45}dB:d=${opts.minSilenceS ?? 0.3}`;
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-af', filter, '-f', 'null', '-']);
  const silences: Interval[] = [];
  let open: number | null = null;
  for (const line of stderr.split('\n')) {
    const s = /silence_start: (-?[\d.]+)/.exec(line);
    const e = /silence_end: ([\d.]+)/.exec(line);
    if (s) open = Math.max(0, Math.round(Number(s[1]) * 1000));
    if (e && open !== null) {
      silences.push({ startMs: open, endMs: Math.round(Number(e[1]) * 1000) });
      open = null;
    }
  }
  if (open !== null) silences.push({ startMs: open, endMs: durationMs });
  const speech: Interval[] = [];
  let t = 0;
  for (const s of silences) {
    if (s.startMs > t) speech.push({ startMs: t, endMs: s.startMs });
    t = s.endMs;
  }
  if (t < durationMs - 50) speech.push({ startMs: t, endMs: durationMs });
  return speech;
}
