/**
 * Pure timeline arithmetic for finalization: PCI pauses from markers, and gaps from the seqs
 * that never arrived. All times are interaction-timeline ms.
 */

export interface MarkerRow {
  kind: 'pause' | 'resume' | 'focus';
  /** '' (the whole recorder), `audio` or `screen:<tab>`; absent counts as '' */
  stream?: string;
  at_ms: number;
  reason: string | null;
}

export interface PauseInterval {
  startMs: number;
  endMs: number;
  reason: string | null;
}

/**
 * Pairs one source's pause and resume markers in time order. A repeated pause while paused, or a
 * resume while running, is ignored (markers are idempotent and may be resent); a pause never
 * resumed lasts to the end of the timeline, because nothing was recorded after it.
 */
function pairPauses(markers: readonly MarkerRow[], timelineMs: number): PauseInterval[] {
  const sorted = markers.filter((m) => m.kind !== 'focus').sort((a, b) => a.at_ms - b.at_ms || (a.kind === 'pause' ? -1 : 1));
  const out: PauseInterval[] = [];
  let open: { at: number; reason: string | null } | null = null;
  for (const m of sorted) {
    if (m.kind === 'pause' && !open) open = { at: m.at_ms, reason: m.reason };
    else if (m.kind === 'resume' && open) {
      if (m.at_ms > open.at) out.push({ startMs: Math.max(0, open.at), endMs: Math.min(timelineMs, m.at_ms), reason: open.reason });
      open = null;
    }
  }
  if (open && open.at < timelineMs) out.push({ startMs: Math.max(0, open.at), endMs: timelineMs, reason: open.reason });
  return out.filter((p) => p.endMs > p.startMs);
}

const streamOf = (m: MarkerRow) => m.stream ?? '';

/**
 * The interaction's PCI pauses: while any source (a tab, the call audio, a single-tab recorder)
 * was paused. Each source's markers are paired on their own, then the intervals are merged; a
 * merged pause keeps the reason of the pause that opened it.
 */
export function pausesFromMarkers(markers: readonly MarkerRow[], timelineMs: number): PauseInterval[] {
  const sources = new Map<string, MarkerRow[]>();
  for (const m of markers) sources.set(streamOf(m), [...(sources.get(streamOf(m)) ?? []), m]);
  const all = [...sources.values()].flatMap((list) => pairPauses(list, timelineMs)).sort((a, b) => a.startMs - b.startMs);
  const merged: PauseInterval[] = [];
  for (const p of all) {
    const last = merged.at(-1);
    if (last && p.startMs <= last.endMs) last.endMs = Math.max(last.endMs, p.endMs);
    else merged.push({ ...p });
  }
  return merged;
}

/**
 * When the call audio's own recorder was paused (its media clock stopped): markers of `audio`
 * and of single-tab recorders (''). Other tabs' pauses do not stop that clock; the audio is
 * muted over them instead.
 */
export function audioClockPauses(markers: readonly MarkerRow[], timelineMs: number): PauseInterval[] {
  return pairPauses(markers.filter((m) => streamOf(m) === '' || streamOf(m) === 'audio'), timelineMs);
}

export interface FocusInterval {
  stream: string;
  startMs: number;
  endMs: number;
}

/** Which tab the agent was in, from each `focus` marker to the next (or the end). */
export function focusFromMarkers(markers: readonly MarkerRow[], timelineMs: number): FocusInterval[] {
  const sorted = markers.filter((m) => m.kind === 'focus' && streamOf(m)).sort((a, b) => a.at_ms - b.at_ms);
  const out: FocusInterval[] = [];
  for (const [i, m] of sorted.entries()) {
    const startMs = Math.max(0, m.at_ms);
    const endMs = Math.min(timelineMs, sorted[i + 1]?.at_ms ?? timelineMs);
    const last = out.at(-1);
    if (last && last.stream === streamOf(m)) last.endMs = endMs;
    else if (endMs > startMs) out.push({ stream: streamOf(m), startMs, endMs });
  }
  return out;
}

export interface ChunkTimes {
  seq: number;
  start_ms: number;
  end_ms: number;
}

export interface Gap {
  stream: string;
  startMs: number;
  endMs: number;
  /** inclusive seq ranges that never arrived */
  missingSeqs: [number, number][];
}

/**
 * Missing seqs of one stream as gaps on the timeline: from the end of the chunk before the hole
 * to the start of the chunk after it. Missing seqs after the last received chunk cannot be
 * known (the recorder numbers as it goes), so a stream simply ends there.
 */
export function gapsOf(stream: string, chunks: readonly ChunkTimes[]): Gap[] {
  const sorted = [...chunks].sort((a, b) => a.seq - b.seq);
  const gaps: Gap[] = [];
  if (sorted.length && sorted[0]!.seq > 0) {
    gaps.push({ stream, startMs: 0, endMs: sorted[0]!.start_ms, missingSeqs: [[0, sorted[0]!.seq - 1]] });
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.seq > prev.seq + 1) gaps.push({ stream, startMs: prev.end_ms, endMs: next.start_ms, missingSeqs: [[prev.seq + 1, next.seq - 1]] });
  }
  return gaps;
}
