import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchInput } from './input.js';

const run = promisify(execFile);

export interface AudioChecks {
  durationMs: number;
  durationDeltaMs: number;
  /** |ffprobe duration − timeline| ≤ 50 ms */
  durationOk: boolean;
  /** both channels silent (silencedetect −40 dB, the job's speech threshold) over the whole pause */
  pauseSilent: boolean;
  /** loudest sample inside the pause (volumedetect), dB */
  pauseMaxVolumeDb: number;
  /** speech onsets found by silencedetect over the whole hour, against where the dialogue puts them */
  onsetsChecked: number;
  onsetsUnmatched: number;
  onsetMaxDeltaMs: number;
  onsetMedianDeltaMs: number;
  /** median signed delta (found − expected) before and after the pause: a step between them means the audio after the pause is shifted */
  onsetMedianSignedBeforePauseMs: number;
  onsetMedianSignedAfterPauseMs: number;
}

interface Interval {
  startS: number;
  endS: number;
}

/** Silences of one channel over the whole file (silencedetect), with the file's end closing an open one. */
async function silences(file: string, channel: number, durationS: number, noiseDb: number, minS: number): Promise<Interval[]> {
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'info', '-f', 'ogg', '-i', file, '-af', `pan=mono|c0=c${channel},silencedetect=n=${noiseDb}dB:d=${minS}`, '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const out: Interval[] = [];
  let open: number | null = null;
  for (const line of stderr.split('\n')) {
    const a = /silence_start: (-?[\d.]+)/.exec(line);
    const b = /silence_end: (-?[\d.]+)/.exec(line);
    if (a) open = Number(a[1]);
    if (b && open !== null) {
      out.push({ startS: open, endS: Number(b[1]) });
      open = null;
    }
  }
  if (open !== null) out.push({ startS: open, endS: durationS });
  return out;
}

/** Where the dialogue's turns of `speaker` start on the timeline (the loop, shifted by the pause). */
function expectedOnsets(input: BenchInput, speaker: 'agent' | 'customer'): number[] {
  const { periodMs, cues } = input.dialogue;
  const { startMs, endMs } = input.params.pause;
  const out: number[] = [];
  for (let k = 0; k * periodMs < input.audioMediaMs; k++) {
    for (const c of cues) {
      if (c.speaker !== speaker) continue;
      const media = k * periodMs + c.startMs;
      if (media >= input.audioMediaMs) continue;
      out.push(media < startMs ? media : media + (endMs - startMs));
      // A turn the pause cut in two resumes at the pause's end.
      if (media < startMs && k * periodMs + c.endMs > startMs) out.push(endMs);
    }
  }
  return out.sort((a, b) => a - b);
}

export async function checkAudio(file: string, timelineMs: number, input: BenchInput): Promise<AudioChecks> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  const durationMs = Math.round(Number(stdout.trim()) * 1000);
  const durationS = durationMs / 1000;
  const pause = input.params.pause;

  // Speech onsets (= silence ends) of both channels over the whole hour, against the layout.
  const [agentSil, customerSil] = await Promise.all([silences(file, 0, durationS, -40, 0.2), silences(file, 1, durationS, -40, 0.2)]);
  const deltas: { atMs: number; delta: number }[] = [];
  let unmatched = 0;
  for (const [speaker, sil] of [['agent', agentSil], ['customer', customerSil]] as const) {
    const expected = expectedOnsets(input, speaker);
    for (const x of sil) {
      const onset = x.endS * 1000;
      if (x.endS >= durationS - 0.01) continue; // silence to the end: no onset
      if (x.endS - x.startS < 0.3) continue; // a pause between words, not a turn's start
      let best = Number.POSITIVE_INFINITY;
      for (const e of expected) if (Math.abs(onset - e) < Math.abs(best)) best = onset - e;
      if (Math.abs(best) > 400) unmatched++;
      else deltas.push({ atMs: onset, delta: best });
    }
  }
  const abs = deltas.map((d) => Math.abs(d.delta)).sort((a, b) => a - b);
  const medianSigned = (xs: { delta: number }[]) => {
    const v = xs.map((d) => d.delta).sort((a, b) => a - b);
    return v.length ? Math.round(v[Math.floor(v.length / 2)]!) : Number.NaN;
  };
  const covers = (sil: Interval[]) => sil.some((x) => x.startS * 1000 <= pause.startMs + 50 && x.endS * 1000 >= pause.endMs - 50);

  // Loudest sample inside the pause (a few ms in from each edge: one Opus frame of transition).
  const from = (pause.startMs + 60) / 1000;
  const len = (pause.endMs - pause.startMs - 120) / 1000;
  const vol = await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'info', '-ss', from.toFixed(3), '-t', len.toFixed(3), '-f', 'ogg', '-i', file, '-af', 'volumedetect', '-f', 'null', '-']);
  const m = /max_volume: (-?[\d.]+|-inf) dB/.exec(vol.stderr);
  const pauseMaxVolumeDb = m ? (m[1] === '-inf' ? -Infinity : Number(m[1])) : Number.NaN;

  return {
    durationMs,
    durationDeltaMs: durationMs - timelineMs,
    durationOk: Math.abs(durationMs - timelineMs) <= 50,
    pauseSilent: covers(agentSil) && covers(customerSil),
    pauseMaxVolumeDb,
    onsetsChecked: deltas.length,
    onsetsUnmatched: unmatched,
    onsetMaxDeltaMs: Math.round(abs.at(-1) ?? Number.NaN),
    onsetMedianDeltaMs: Math.round(abs[Math.floor(abs.length / 2)] ?? Number.NaN),
    onsetMedianSignedBeforePauseMs: medianSigned(deltas.filter((d) => d.atMs < pause.startMs)),
    onsetMedianSignedAfterPauseMs: medianSigned(deltas.filter((d) => d.atMs >= pause.endMs)),
  };
}
