import { describe, expect, it } from 'vitest';
import { layoutTimelineAudio, type Layout, type PiecePackets } from './audio-layout.js';
import type { PlannedPart } from './audio-plan.js';

const OPTS = { preSkip: 312, silenceUnits: [960, 120] };

/** A recorder stream's packets: `frame` samples each, the first starting at −`preSkip` (its priming). */
function stream(frame: number, count: number, preSkip = 312): PiecePackets {
  return { start: Array.from({ length: count }, (_, i) => i * frame - preSkip), length: Array(count).fill(frame) as number[] };
}

/** Where each packet run starts in the decoded output (granule − pre-skip), with its packets. */
function runs(layout: Layout): { piece: number; from: number; to: number; decodedAt: number }[] {
  let g = 0;
  const out: { piece: number; from: number; to: number; decodedAt: number }[] = [];
  for (const op of layout.ops) {
    if (op.kind === 'silence') g += op.samples * op.count;
    else {
      out.push({ piece: op.piece, from: op.from, to: op.to, decodedAt: g - OPTS.preSkip });
      g += (op.to - op.from) * 2880;
    }
  }
  return out;
}

const audio = (piece: number, inMs: number, outMs: number, atMs: number): PlannedPart => ({ kind: 'audio', piece, inMs, outMs, atMs });

describe('layoutTimelineAudio', () => {
  it('puts the audio after a pause exactly where its media says, leaving out the packet that straddles the pause', () => {
    // 40 s of media in 60 ms packets; the recorder was paused at 20 s for 30 s.
    const piece = stream(2880, 668);
    const layout = layoutTimelineAudio([audio(0, 0, 20_000, 0), { kind: 'silence', durationMs: 30_000, atMs: 20_000 }, audio(0, 20_000, 40_000, 50_000)], [piece], 70_000, OPTS);
    const [before, after] = runs(layout);
    expect(before).toEqual({ piece: 0, from: 0, to: 333, decodedAt: -312 });
    // Packet 333 holds media 19.9735–20.0335 s: half before the pause, half after; it is left out.
    expect(after!.from).toBe(334);
    const mediaOfFirst = piece.start[334]! / 48; // 20.0335 s
    const wanted = (50_000 + (mediaOfFirst - 20_000)) * 48;
    expect(Math.abs(after!.decodedAt - wanted)).toBeLessThanOrEqual(60);
    expect(layout.endGranule).toBe(312 + 70_000 * 48);
    expect(Math.abs(layout.totalSamples - layout.endGranule)).toBeLessThanOrEqual(60);
  });

  it('starts a restarted recorder’s stream (priming included) where its first chunk says', () => {
    const layout = layoutTimelineAudio([audio(0, 0, 4000, 0), audio(1, 0, 3000, 7250)], [stream(2880, 67), stream(2880, 51)], 10_250, OPTS);
    const [, second] = runs(layout);
    // The priming (312 samples) plays just before 7.25 s, so media 0 lands exactly on it.
    expect(Math.abs(second!.decodedAt + 312 - 7250 * 48)).toBeLessThanOrEqual(60);
  });

  it('never takes a packet that reaches into a muted stretch', () => {
    const piece = stream(2880, 200);
    const layout = layoutTimelineAudio([audio(0, 0, 3000, 0), { kind: 'silence', durationMs: 2000, atMs: 3000 }, audio(0, 5000, 10_000, 5000)], [piece], 10_000, OPTS);
    const [a, b] = runs(layout);
    expect(piece.start[a!.to - 1]! + 2880).toBeLessThanOrEqual(3000 * 48 + 48);
    expect(piece.start[b!.from]!).toBeGreaterThanOrEqual(5000 * 48 - 48);
  });

  it('follows a jump in the recorder’s clock inside a part (Chrome’s timestamps jump 8 ms at a pause)', () => {
    const piece = stream(2880, 40);
    const start = piece.start.map((s, i) => (i >= 20 ? s + 384 : s));
    const layout = layoutTimelineAudio([audio(0, 0, 2500, 0)], [{ start, length: piece.length }], 2500, OPTS);
    const [a, b] = runs(layout);
    expect(a).toMatchObject({ from: 0, to: 20, decodedAt: -312 });
    expect(b!.from).toBe(20);
    expect(Math.abs(b!.decodedAt - start[20]!)).toBeLessThanOrEqual(60);
  });

  it('takes back the end of what came before when the next part must start earlier', () => {
    // The first stream's second packet ends 40 samples past 1 s (within the rounding tolerance).
    const first: PiecePackets = { start: [-312, 23_688], length: [24_000, 24_040] };
    const second: PiecePackets = { start: [-312, 648], length: [960, 960] };
    const layout = layoutTimelineAudio([audio(0, 0, 1000, 0), audio(1, 0, 40, 1000)], [first, second], 1040, OPTS);
    expect(layout.ops).toEqual([
      { kind: 'packets', piece: 0, from: 0, to: 1 },
      { kind: 'silence', samples: 960, count: 25 },
      { kind: 'packets', piece: 1, from: 0, to: 2 },
      { kind: 'silence', samples: 120, count: 3 },
    ]);
  });

  it('is all silence without audio, ending on the timeline to the sample', () => {
    const layout = layoutTimelineAudio([{ kind: 'silence', durationMs: 1001, atMs: 0 }], [], 1001, OPTS);
    expect(layout.ops).toEqual([
      { kind: 'silence', samples: 960, count: 50 },
      { kind: 'silence', samples: 120, count: 3 },
    ]);
    expect(layout.endGranule).toBe(312 + 1001 * 48);
    expect(layout.totalSamples).toBe(48_360);
  });
});
