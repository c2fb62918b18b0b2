/**
 * Where each piece of recorded audio goes on the interaction timeline: pure arithmetic, so the
 * rules are tested without ffmpeg.
 *
 * A "piece" is one MediaRecorder stream (a run of chunks starting with a WebM header, without a
 * missing seq). Its media time skips what the recorder did not capture: MediaRecorder.pause()
 * stops the media clock, so inside a piece every PCI pause is cut out of the media and must be
 * re-inserted as silence. Between pieces (recorder restarts, reloads, lost chunks) the holes are
 * silence too, so second t of the audio is second t of the screen.
 */

export interface Interval {
  startMs: number;
  endMs: number;
}

export interface AudioPiece {
  /** timeline start of its first chunk and end of its last */
  startMs: number;
  endMs: number;
  /** what the piece decodes to, from ffprobe */
  mediaMs: number;
}

export type PlannedPart =
  | { kind: 'audio'; piece: number; inMs: number; outMs: number; atMs: number }
  | { kind: 'silence'; durationMs: number; atMs: number };

/** Parts shorter than this are dropped: below one Opus frame there is nothing to place. */
const MIN_PART_MS = 20;

function minus(span: Interval, pauses: readonly Interval[]): Interval[] {
  let parts: Interval[] = [span];
  for (const p of pauses) {
    parts = parts.flatMap((x) => {
      if (p.endMs <= x.startMs || p.startMs >= x.endMs) return [x];
      const out: Interval[] = [];
      if (p.startMs > x.startMs) out.push({ startMs: x.startMs, endMs: p.startMs });
      if (p.endMs < x.endMs) out.push({ startMs: p.endMs, endMs: x.endMs });
      return out;
    });
  }
  return parts;
}

export function planTimelineAudio(pieces: readonly AudioPiece[], pauses: readonly Interval[], timelineMs: number): PlannedPart[] {
  const audio: Extract<PlannedPart, { kind: 'audio' }>[] = [];
  pieces.forEach((piece, index) => {
    let media = 0;
    for (const span of minus({ startMs: piece.startMs, endMs: piece.endMs }, pauses)) {
      const length = Math.min(span.endMs - span.startMs, piece.mediaMs - media);
      if (length >= MIN_PART_MS) audio.push({ kind: 'audio', piece: index, inMs: media, outMs: media + length, atMs: span.startMs });
      media += span.endMs - span.startMs;
    }
  });
  audio.sort((a, b) => a.atMs - b.atMs);
  const parts: PlannedPart[] = [];
  let t = 0;
  for (const part of audio) {
    let p = part;
    if (p.atMs < t) {
      // Overlap (a restarted recorder whose first chunk began before the last one ended):
      // the later piece wins from where the earlier one stops; skip its overlapped start.
      const skip = t - p.atMs;
      p = { ...p, inMs: p.inMs + skip, atMs: t };
    }
    if (p.atMs >= timelineMs) continue;
    p = { ...p, outMs: Math.min(p.outMs, p.inMs + (timelineMs - p.atMs)) };
    if (p.outMs - p.inMs < MIN_PART_MS) continue;
    if (p.atMs > t) parts.push({ kind: 'silence', durationMs: p.atMs - t, atMs: t });
    parts.push(p);
    t = p.atMs + (p.outMs - p.inMs);
  }
  if (timelineMs > t) parts.push({ kind: 'silence', durationMs: timelineMs - t, atMs: t });
  return parts;
}
