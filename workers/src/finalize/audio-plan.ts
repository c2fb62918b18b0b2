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

type AudioPart = Extract<PlannedPart, { kind: 'audio' }>;

/**
 * Cuts the stretches under `mutes` out of placed audio parts: the media ran on (the recorder was
 * not paused) but must not be heard, e.g. while another tab of the agent showed a card field.
 */
function withoutMutes(parts: readonly AudioPart[], mutes: readonly Interval[]): AudioPart[] {
  let out = [...parts];
  for (const m of mutes) {
    out = out.flatMap((p) => {
      const end = p.atMs + (p.outMs - p.inMs);
      if (m.endMs <= p.atMs || m.startMs >= end) return [p];
      const kept: AudioPart[] = [];
      if (m.startMs > p.atMs) kept.push({ ...p, outMs: p.inMs + (m.startMs - p.atMs) });
      if (m.endMs < end) kept.push({ ...p, inMs: p.inMs + (m.endMs - p.atMs), atMs: m.endMs });
      return kept;
    });
  }
  return out.filter((p) => p.outMs - p.inMs >= MIN_PART_MS);
}

/**
 * `pauses`: when the audio's own recorder was paused (its media clock stopped, so they are cut
 * out of the media and re-inserted as silence). `mutes`: intervals to silence where the media ran
 * on (other tabs' PCI pauses); every pause may be passed here too, it costs nothing.
 */
export function planTimelineAudio(pieces: readonly AudioPiece[], pauses: readonly Interval[], timelineMs: number, mutes: readonly Interval[] = []): PlannedPart[] {
  let audio: AudioPart[] = [];
  pieces.forEach((piece, index) => {
    let media = 0;
    for (const span of minus({ startMs: piece.startMs, endMs: piece.endMs }, pauses)) {
      const length = Math.min(span.endMs - span.startMs, piece.mediaMs - media);
      if (length >= MIN_PART_MS) audio.push({ kind: 'audio', piece: index, inMs: media, outMs: media + length, atMs: span.startMs });
      media += span.endMs - span.startMs;
    }
  });
  audio = withoutMutes(audio, mutes);
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
