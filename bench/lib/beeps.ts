/**
 * Beep onsets in decoded audio and the screen/voice skew they give (bench/player).
 *
 * The player bench's fixture beeps and changes the screen at the same instants. Where each beep
 * really is in the audio the player plays comes from the audio itself (the finalized file,
 * decoded), not from where the fixture meant it to be, so the pipeline's clock handling is part of
 * the measurement; the player side is the audio clock sampled when the replayed DOM changed.
 */

/**
 * Onsets (ms) of tone bursts in mono PCM: the first sample whose magnitude reaches `threshold`
 * (0..1 of full scale) after at least `minGapMs` below it. Opus smears a hard onset over a few
 * samples, so the threshold should sit well below the tone's peak and above the codec's noise.
 */
export function beepOnsets(samples: Int16Array, sampleRate: number, opts: { threshold?: number; minGapMs?: number } = {}): number[] {
  const level = Math.round((opts.threshold ?? 0.1) * 32768);
  const minGap = Math.round(((opts.minGapMs ?? 500) / 1000) * sampleRate);
  const onsets: number[] = [];
  let lastLoud = -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (v >= level || v <= -level) {
      if (i - lastLoud >= minGap) onsets.push((i / sampleRate) * 1000);
      lastLoud = i;
    }
  }
  return onsets;
}

/** One observation: the replayed screen showed beep `beep` while the audio clock said `audioMs`. */
export interface ScreenChange {
  beep: number;
  audioMs: number;
  /** what the player was doing, for the report (e.g. "start 1×", "after seek 3×") */
  phase: string;
}

export interface SkewSample extends ScreenChange {
  /** where that beep is in the played audio (ms) */
  beepAudioMs: number;
  /**
   * audioMs − beepAudioMs. Positive: the beep had already sounded when the screen changed, i.e.
   * the audio is early (leads); negative: the audio is late (lags).
   */
  skewMs: number;
}

export interface SkewSummary {
  count: number;
  /** the largest lead (audio early), ≥ 0 */
  maxLeadMs: number;
  /** the largest lag (audio late), as a positive number, ≥ 0 */
  maxLagMs: number;
  meanMs: number;
  /** changes whose beep number is not in the audio (a screen change with no beep) */
  unmatched: number;
}

/**
 * Pairs each screen change with its beep (beeps numbered from 1 in the order they sound: the
 * fixture's counter) and summarises the skew. Lead and lag are reported separately because the
 * targets are asymmetric: people notice sound before picture sooner than the reverse.
 */
export function screenVoiceSkew(beepAudioMs: readonly number[], changes: readonly ScreenChange[]): { samples: SkewSample[]; summary: SkewSummary } {
  const samples: SkewSample[] = [];
  let unmatched = 0;
  for (const c of changes) {
    const at = beepAudioMs[c.beep - 1];
    if (at === undefined || !Number.isInteger(c.beep) || c.beep < 1) {
      unmatched++;
      continue;
    }
    samples.push({ ...c, beepAudioMs: at, skewMs: c.audioMs - at });
  }
  const skews = samples.map((s) => s.skewMs);
  return {
    samples,
    summary: {
      count: samples.length,
      maxLeadMs: Math.max(0, ...skews),
      maxLagMs: Math.max(0, ...skews.map((s) => -s)),
      meanMs: skews.length ? skews.reduce((a, b) => a + b, 0) / skews.length : Number.NaN,
      unmatched,
    },
  };
}

/** How many beeps the screen has shown by timeline time `t`: those strictly before it (rrweb applies events before the time it is paused at). */
export function beepsBefore(beepTimelineMs: readonly number[], t: number): number {
  let lo = 0;
  let hi = beepTimelineMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (beepTimelineMs[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
