import type { Interval, Manifest } from '@duet/protocol';

/** 83_400 → "1:23"; 3_723_000 → "1:02:03". */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 2_100 → "2.1 s"; 95_000 → "1 min 35 s". */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m} min ${s} s` : `${m} min`;
}

/** Silences both speakers share that are at least `minMs` long: what "skip dead air" jumps over. */
export function deadAir(metrics: NonNullable<Manifest['metrics']>, timelineMs: number): Interval[] {
  const speech = [...metrics.agent.speech, ...(metrics.customer?.speech ?? [])].sort((a, b) => a.startMs - b.startMs);
  const out: Interval[] = [];
  let cursor = 0;
  for (const s of speech) {
    if (s.startMs - cursor >= metrics.deadAir.thresholdMs) out.push({ startMs: cursor, endMs: s.startMs });
    cursor = Math.max(cursor, s.endMs);
  }
  if (timelineMs - cursor >= metrics.deadAir.thresholdMs) out.push({ startMs: cursor, endMs: timelineMs });
  return out;
}

/** Where to jump to if `t` is inside dead air (a little before speech resumes), or null. */
export function skipTarget(silences: readonly Interval[], t: number, leadInMs = 300): number | null {
  for (const s of silences) {
    if (t >= s.startMs + 150 && t < s.endMs - leadInMs - 100) return s.endMs - leadInMs;
  }
  return null;
}

/** The screen stream that had focus at `t` (the last focus change at or before it), or null. */
export function focusedStream(focus: Manifest['focus'], t: number): string | null {
  let found: string | null = null;
  for (const f of focus) {
    if (f.startMs <= t) found = f.stream;
    else break;
  }
  return found;
}

/** `screen:crm` → "crm". */
export function tabLabel(stream: string): string {
  return stream.startsWith('screen:') ? stream.slice('screen:'.length) : stream;
}
