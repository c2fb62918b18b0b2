/**
 * Pause (PCI) intervals on the interaction timeline, shared by segments and screen facts so both
 * agree on what "inside a pause" means: half-open `[startMs, endMs)`, i.e. an event exactly at
 * `endMs` is the first one after the resume.
 */

/** An interval on the interaction timeline, ms since the interaction's start. */
export interface TimelineInterval {
  startMs: number;
  endMs: number;
}

/**
 * Sorts pauses and merges overlapping or touching ones, so lookups can binary-search and overlaps
 * are not subtracted twice (the server may record a manual pause inside a sensitive-field pause).
 * Empty intervals are dropped.
 *
 * @throws {Error} on a non-finite bound or an interval that ends before it starts
 */
export function normalizePauses(pauses: readonly TimelineInterval[] = []): TimelineInterval[] {
  for (const [i, p] of pauses.entries()) {
    if (!Number.isFinite(p.startMs) || !Number.isFinite(p.endMs) || p.endMs < p.startMs) {
      throw new Error(`pause #${i} must have finite startMs <= endMs, got [${p.startMs}, ${p.endMs}]`);
    }
  }
  const sorted = pauses.filter((p) => p.endMs > p.startMs).sort((a, b) => a.startMs - b.startMs);
  const merged: TimelineInterval[] = [];
  for (const p of sorted) {
    const last = merged.at(-1);
    if (last && p.startMs <= last.endMs) last.endMs = Math.max(last.endMs, p.endMs);
    else merged.push({ startMs: p.startMs, endMs: p.endMs });
  }
  return merged;
}

/** Whether `t` falls inside one of `pauses` (normalized). Binary search: O(log pauses). */
export function isPaused(pauses: readonly TimelineInterval[], t: number): boolean {
  let lo = 0;
  let hi = pauses.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = pauses[mid]!;
    if (t < p.startMs) hi = mid - 1;
    else if (t >= p.endMs) lo = mid + 1;
    else return true;
  }
  return false;
}

/** How much of `[from, to)` lies inside `pauses` (normalized). */
export function pausedWithin(pauses: readonly TimelineInterval[], from: number, to: number): number {
  let total = 0;
  for (const p of pauses) {
    if (p.startMs >= to) break;
    total += Math.max(0, Math.min(to, p.endMs) - Math.max(from, p.startMs));
  }
  return total;
}

/** `[from, to)` with the pauses cut out: the parts of it that were observed. */
export function unpausedParts(pauses: readonly TimelineInterval[], from: number, to: number): TimelineInterval[] {
  const parts: TimelineInterval[] = [];
  let cursor = from;
  for (const p of pauses) {
    if (p.startMs >= to) break;
    if (p.endMs <= cursor) continue;
    if (p.startMs > cursor) parts.push({ startMs: cursor, endMs: p.startMs });
    cursor = Math.max(cursor, p.endMs);
  }
  if (cursor < to) parts.push({ startMs: cursor, endMs: to });
  return parts;
}
