/**
 * Where each Opus packet goes in the timeline audio, counted in samples: pure arithmetic, tested
 * without ffmpeg.
 *
 * Packets are copied whole (no re-encode), and a decoder plays every packet it gets, one after
 * the other: a packet's place in the decoded audio is the number of samples before it, whatever a
 * container's timestamps claim. So each run of recorded packets is preceded by exactly the silence
 * that puts its first sample where the plan wants it, made of 20 ms and 2.5 ms silent packets
 * (placement within 1.25 ms), and only packets lying wholly inside a planned part are taken: a
 * packet straddling a pause, mute or cut is left out, so nothing muted leaks and nothing repeats.
 */
import type { PlannedPart } from './audio-plan.js';

/** Samples per ms: Opus always decodes at 48 kHz. */
export const SAMPLES_PER_MS = 48;

/** One piece's packets on its own media clock, in samples: 0 is the piece's first decoded sample. */
export interface PiecePackets {
  /** where each packet's first sample is (the first packet of a recorder stream starts at −pre-skip) */
  start: readonly number[];
  /** samples each packet decodes to */
  length: readonly number[];
}

export type LayoutOp = { kind: 'packets'; piece: number; from: number; to: number } | { kind: 'silence'; samples: number; count: number };

export interface Layout {
  ops: LayoutOp[];
  /** granule position the file ends at: the output's pre-skip plus the timeline, exactly */
  endGranule: number;
  /** samples the ops decode to (≥ endGranule − at most one silence unit, ≤ endGranule + a tolerance) */
  totalSamples: number;
}

/** Rounding of plan times (whole ms) against packet edges. */
const TOLERANCE = SAMPLES_PER_MS;

/**
 * Lays the planned audio parts out as packet runs and silence. `preSkip`: the output's OpusHead
 * pre-skip (decoded time t is granule t + preSkip). `silenceUnits`: sizes of the silent packets
 * available, largest first.
 */
export function layoutTimelineAudio(
  parts: readonly PlannedPart[],
  pieces: readonly PiecePackets[],
  timelineMs: number,
  opts: { preSkip: number; silenceUnits: readonly number[] },
): Layout {
  const ops: LayoutOp[] = [];
  let g = 0;
  // A later part that must start before what is already laid out (a restarted recorder's
  // priming, rounding) wins: the end of what came before is taken back.
  const takeBack = (target: number) => {
    while (g > target && ops.length) {
      const last = ops.at(-1)!;
      if (last.kind === 'silence') {
        const n = Math.min(last.count, Math.ceil((g - target) / last.samples));
        last.count -= n;
        g -= n * last.samples;
        if (!last.count) ops.pop();
      } else {
        last.to--;
        g -= pieces[last.piece]!.length[last.to]!;
        if (last.to === last.from) ops.pop();
      }
    }
  };
  const fillTo = (target: number) => {
    if (g > target) takeBack(target);
    let rest = target - g;
    opts.silenceUnits.forEach((unit, i) => {
      const n = i === opts.silenceUnits.length - 1 ? Math.round(rest / unit) : Math.floor(rest / unit);
      if (n <= 0) return;
      ops.push({ kind: 'silence', samples: unit, count: n });
      g += n * unit;
      rest -= n * unit;
    });
  };
  for (const part of parts) {
    if (part.kind !== 'audio') continue;
    const piece = pieces[part.piece]!;
    const inS = Math.round(part.inMs * SAMPLES_PER_MS);
    const outS = Math.round(part.outMs * SAMPLES_PER_MS);
    const atS = Math.round(part.atMs * SAMPLES_PER_MS);
    // Only packets wholly inside the part (a stream's first packet starts before 0, its
    // priming: it counts as starting at 0). A run restarts where the recorder's clock jumped.
    let runStart = -1;
    let expected = 0;
    for (let i = 0; i < piece.start.length; i++) {
      const s = piece.start[i]!;
      const inside = Math.max(s, 0) >= inS - TOLERANCE && s + piece.length[i]! <= outS + TOLERANCE;
      const jumped = runStart >= 0 && Math.abs(s - expected) > TOLERANCE;
      if (runStart >= 0 && (!inside || jumped)) {
        ops.push({ kind: 'packets', piece: part.piece, from: runStart, to: i });
        runStart = -1;
      }
      if (s > outS + TOLERANCE) break;
      if (!inside) continue;
      if (runStart < 0) {
        fillTo(opts.preSkip + atS + (s - inS));
        runStart = i;
      }
      g += piece.length[i]!;
      expected = s + piece.length[i]!;
    }
    if (runStart >= 0) ops.push({ kind: 'packets', piece: part.piece, from: runStart, to: piece.start.length });
  }
  const endGranule = opts.preSkip + Math.round(timelineMs * SAMPLES_PER_MS);
  if (g < endGranule) fillTo(endGranule);
  return { ops, endGranule, totalSamples: g };
}
