/**
 * The seek index of a screen stream: what the player reads first, so that a seek fetches one
 * segment rather than the whole stream. Small (one entry per checkout, ~2 per minute) and kept
 * in the interaction's manifest.
 */

/** One entry per segment; times on the interaction timeline (ms). */
export interface SeekEntry {
  index: number;
  startMs: number;
  endMs: number;
  fullSnapshotMs: number;
  /** object-store key of the segment body, when the caller has stored it */
  key?: string;
}

type SegmentTimes = Pick<SeekEntry, 'index' | 'startMs' | 'endMs' | 'fullSnapshotMs'>;

/**
 * Builds the seek index from segments (the output of `buildSegments`, or anything with the same
 * times). `keyOf` names the stored body; keys are built by the caller from ids, never here.
 *
 * @throws {Error} when segments are not in index order with non-decreasing start times, which
 *   {@link findSegment}'s binary search relies on
 */
export function buildSeekIndex<S extends SegmentTimes>(segments: readonly S[], keyOf?: (segment: S) => string): SeekEntry[] {
  return segments.map((segment, i) => {
    const previous = segments[i - 1];
    if (segment.index !== i) throw new Error(`seek index: segment at position ${i} has index ${segment.index}`);
    if (previous && segment.startMs < previous.startMs) {
      throw new Error(`seek index: segment ${i} starts at ${segment.startMs} ms, before segment ${i - 1} (${previous.startMs} ms)`);
    }
    const entry: SeekEntry = {
      index: segment.index,
      startMs: segment.startMs,
      endMs: segment.endMs,
      fullSnapshotMs: segment.fullSnapshotMs,
    };
    if (keyOf) entry.key = keyOf(segment);
    return entry;
  });
}

/**
 * The segment to replay for timeline time `t`: the one whose `[startMs, endMs]` holds `t`, else
 * the last one starting before `t` (between segments the screen shows what the earlier one left;
 * after the last, it shows its final state). Where two segments start at the same time, the
 * later wins: it is the newer snapshot. `undefined` when `t` is before the first segment (no
 * screen recorded yet) or the index is empty. O(log n).
 */
export function findSegment(index: readonly SeekEntry[], t: number): SeekEntry | undefined {
  // Segments do not overlap (they are cut from one ordered stream), so "contains t" and "last
  // starting at or before t" are the same entry: search for the latter.
  let lo = 0;
  let hi = index.length - 1;
  let found: SeekEntry | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = index[mid]!;
    if (entry.startMs <= t) {
      found = entry;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
