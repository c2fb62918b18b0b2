import type { Interval } from '../finalize/audio-plan.js';

const total = (xs: readonly Interval[]) => xs.reduce((s, x) => s + (x.endMs - x.startMs), 0);

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) for (const y of b) {
    const s = Math.max(x.startMs, y.startMs);
    const e = Math.min(x.endMs, y.endMs);
    if (e > s) out.push({ startMs: s, endMs: e });
  }
  return out.sort((p, q) => p.startMs - q.startMs);
}

function union(...lists: (readonly Interval[])[]): Interval[] {
  const all = lists.flat().slice().sort((a, b) => a.startMs - b.startMs);
  const out: Interval[] = [];
  for (const x of all) {
    const last = out.at(-1);
    if (last && x.startMs <= last.endMs) last.endMs = Math.max(last.endMs, x.endMs);
    else out.push({ ...x });
  }
  return out;
}

function complement(xs: readonly Interval[], timelineMs: number): Interval[] {
  const out: Interval[] = [];
  let t = 0;
  for (const x of union(xs)) {
    if (x.startMs > t) out.push({ startMs: t, endMs: x.startMs });
    t = Math.max(t, x.endMs);
  }
  if (timelineMs > t) out.push({ startMs: t, endMs: timelineMs });
  return out;
}

/**
 * The longest stretch one party holds the floor: own speech joined across pauses for breath
 * shorter than `joinGapMs`, as long as the other party says nothing in between.
 */
function longestMonologue(own: readonly Interval[], other: readonly Interval[], joinGapMs: number): number {
  let best = 0;
  let run: Interval | null = null;
  for (const x of union(own)) {
    const interrupted = run && other.some((o) => o.startMs < x.startMs && o.endMs > run!.endMs);
    if (run && x.startMs - run.endMs < joinGapMs && !interrupted) run.endMs = x.endMs;
    else run = { ...x };
    best = Math.max(best, run.endMs - run.startMs);
  }
  return best;
}

export interface TalkMetricsOptions {
  /** both silent longer than this is dead air (default 2 s) */
  deadAirMs?: number;
  /** own silences shorter than this do not end a monologue (default 1.5 s) */
  joinGapMs?: number;
  /** PCI pauses: silent by construction, so never dead air */
  pauses?: readonly Interval[];
}

/**
 * Talk metrics for a call: per channel talk time and longest monologue, dead air (both silent
 * beyond a threshold, pauses excluded) and overtalk (both talking). Pure, so it is table-tested.
 */
export function talkMetrics(agent: readonly Interval[], customer: readonly Interval[] | null, timelineMs: number, opts: TalkMetricsOptions = {}) {
  const deadAirMs = opts.deadAirMs ?? 2000;
  const joinGapMs = opts.joinGapMs ?? 1500;
  const other = customer ?? [];
  const silentBoth = complement(union(agent, other, opts.pauses ?? []), timelineMs).filter((s) => s.endMs - s.startMs > deadAirMs);
  const overtalk = customer ? intersect(union(agent), union(customer)) : [];
  return {
    agent: { talkMs: total(union(agent)), longestMonologueMs: longestMonologue(agent, other, joinGapMs), speech: union(agent) },
    customer: customer ? { talkMs: total(union(customer)), longestMonologueMs: longestMonologue(customer, agent, joinGapMs), speech: union(customer) } : null,
    deadAir: { count: silentBoth.length, totalMs: total(silentBoth), thresholdMs: deadAirMs },
    overtalk: { count: overtalk.length, totalMs: total(overtalk) },
  };
}
