import { describe, expect, it } from 'vitest';
import { ANALYSIS_SAMPLE_RATE, PcmAnalyzer } from './pcm-analyzer.js';

/** Interleaved s16le PCM: each channel is a list of [durationMs, amplitude] runs of a square wave. */
function pcm(...channels: [number, number][][]): Buffer {
  const perChannel = channels.map((runs) => runs.flatMap(([ms, amp]) => Array.from({ length: (ms * ANALYSIS_SAMPLE_RATE) / 1000 }, (_, i) => (i % 2 ? amp : -amp))));
  const frames = Math.max(...perChannel.map((c) => c.length));
  const out = Buffer.alloc(frames * 2 * channels.length);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels.length; c++) out.writeInt16LE(perChannel[c]![f] ?? 0, 2 * (f * channels.length + c));
  return out;
}

const iv = (startMs: number, endMs: number) => ({ startMs, endMs });
const LOUD = 8000; // −12 dBFS
const QUIET = 100; // −50 dBFS: below the −40 dB floor

describe('PcmAnalyzer', () => {
  it('finds speech per channel, joining over breaths shorter than the minimum silence', () => {
    const agent: [number, number][] = [[1000, LOUD], [1000, QUIET], [500, LOUD], [100, QUIET], [400, LOUD], [1000, 0]];
    const customer: [number, number][] = [[1500, 0], [2000, LOUD], [500, QUIET]];
    const a = new PcmAnalyzer(2);
    a.push(pcm(agent, customer));
    const r = a.finish();
    expect(r.durationMs).toBe(4000);
    expect(r.speech[0]).toEqual([iv(0, 1000), iv(2000, 3000)]);
    expect(r.speech[1]).toEqual([iv(1500, 3500)]);
  });

  it('gives the same result whatever the chunking, including chunks that split a sample', () => {
    const buf = pcm([[700, LOUD], [400, 0], [900, LOUD]], [[2000, QUIET]]);
    const whole = new PcmAnalyzer(2);
    whole.push(buf);
    const split = new PcmAnalyzer(2);
    for (let o = 0; o < buf.length; o += 333) split.push(buf.subarray(o, Math.min(buf.length, o + 333)));
    expect(split.finish()).toEqual(whole.finish());
  });

  it('draws peaks at 10 per second, 0..127, with a short last bucket', () => {
    const a = new PcmAnalyzer(1);
    a.push(pcm([[250, 32767]]));
    a.push(pcm([[100, 0]]));
    const r = a.finish();
    expect(Array.from(r.peaks[0]!)).toEqual([127, 127, 127, 0]);
    expect(r.speech[0]).toEqual([iv(0, 350)]);
  });

  it('treats a call that is silent from the start as no speech at all', () => {
    const a = new PcmAnalyzer(1);
    a.push(pcm([[2000, 0]]));
    expect(a.finish().speech[0]).toEqual([]);
  });
});
