import { describe, expect, it } from 'vitest';
import { beepOnsets, beepsBefore, screenVoiceSkew } from './beeps.js';

function tone(rate: number, seconds: number, bursts: { atMs: number; ms: number }[], amplitude = 0.5): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (const b of bursts) {
    const from = Math.round((b.atMs / 1000) * rate);
    const to = Math.min(out.length, from + Math.round((b.ms / 1000) * rate));
    for (let i = from; i < to; i++) out[i] = Math.round(Math.sin((2 * Math.PI * 1000 * (i - from)) / rate) * amplitude * 32767);
  }
  return out;
}

describe('beepOnsets', () => {
  it('finds each burst once, at its first loud sample', () => {
    const rate = 8000;
    const pcm = tone(rate, 3, [
      { atMs: 250, ms: 60 },
      { atMs: 1250, ms: 60 },
      { atMs: 2500, ms: 60 },
    ]);
    const onsets = beepOnsets(pcm, rate, { threshold: 0.1, minGapMs: 300 });
    expect(onsets).toHaveLength(3);
    // sin(2π·1000·n/8000) reaches 0.1 of 0.5 at the second sample: within 0.25 ms of the burst start.
    for (const [i, at] of [250, 1250, 2500].entries()) expect(Math.abs(onsets[i]! - at)).toBeLessThan(0.3);
  });

  it('ignores noise below the threshold and does not split a burst', () => {
    const pcm = tone(8000, 1, [{ atMs: 100, ms: 200 }]);
    for (let i = 0; i < pcm.length; i += 7) pcm[i] = (pcm[i] ?? 0) + 300; // < 0.1 of full scale
    expect(beepOnsets(pcm, 8000, { threshold: 0.1, minGapMs: 50 })).toHaveLength(1);
  });
});

describe('screenVoiceSkew', () => {
  it('signs lead (audio early) positive and lag negative, and counts unmatched changes', () => {
    const beeps = [2500, 7500, 12500];
    const { samples, summary } = screenVoiceSkew(beeps, [
      { beep: 1, audioMs: 2512, phase: 'a' }, // the screen changed 12 ms after the beep sounded: audio early
      { beep: 2, audioMs: 7470, phase: 'a' }, // the screen changed 30 ms before the beep: audio late
      { beep: 3, audioMs: 12500, phase: 'b' },
      { beep: 9, audioMs: 1, phase: 'b' },
    ]);
    expect(samples.map((s) => s.skewMs)).toEqual([12, -30, 0]);
    expect(summary).toMatchObject({ count: 3, maxLeadMs: 12, maxLagMs: 30, unmatched: 1 });
    expect(summary.meanMs).toBe(-6);
  });

  it('reports zero lead when the audio is always late', () => {
    expect(screenVoiceSkew([100], [{ beep: 1, audioMs: 80, phase: 'x' }]).summary).toMatchObject({ maxLeadMs: 0, maxLagMs: 20 });
  });
});

describe('beepsBefore', () => {
  it('counts beeps strictly before t', () => {
    const beeps = [2500, 7500, 12500];
    expect([0, 2500, 2501, 7500, 12501, 99999].map((t) => beepsBefore(beeps, t))).toEqual([0, 0, 1, 1, 3, 3]);
  });
});
