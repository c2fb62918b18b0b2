import type { Manifest } from '@duet/protocol';
import { formatSpan, tabLabel } from './time';

export type MarkerKind = 'pause' | 'gap' | 'focus' | 'page' | 'dead-air' | 'comment';
/** `id` names a mark one can click on the timeline to jump exactly there (comments). */
export type TimelineMarker = { kind: MarkerKind; startMs: number; endMs: number | null; label: string; id?: string };

const PAUSE_REASONS: Record<string, string> = {
  'sensitive-field': 'a payment or other sensitive field had focus',
  'sensitive-area': 'a sensitive area was on screen',
  manual: 'the agent paused',
};

function pageLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

/** Everything worth a mark on the timeline and a line in the "jump to" list, in time order. */
export function timelineMarkers(manifest: Manifest, silences: readonly { startMs: number; endMs: number }[]): TimelineMarker[] {
  const out: TimelineMarker[] = [];
  for (const p of manifest.pauses) {
    out.push({ kind: 'pause', startMs: p.startMs, endMs: p.endMs, label: `Recording paused for ${formatSpan(p.endMs - p.startMs)}${p.reason ? `: ${PAUSE_REASONS[p.reason] ?? p.reason}` : ''}` });
  }
  for (const g of manifest.gaps) {
    out.push({ kind: 'gap', startMs: g.startMs, endMs: g.endMs, label: `Missing ${g.stream === 'audio' ? 'audio' : `screen (${tabLabel(g.stream)})`} for ${formatSpan(g.endMs - g.startMs)}` });
  }
  const focus = [...manifest.focus].sort((a, b) => a.startMs - b.startMs);
  let previous: string | null = null;
  for (const f of focus) {
    if (f.stream !== previous && previous !== null) out.push({ kind: 'focus', startMs: f.startMs, endMs: null, label: `Switched to tab ${tabLabel(f.stream)}` });
    previous = f.stream;
  }
  for (const screen of manifest.screens) {
    const pages = [...screen.facts.pages].sort((a, b) => a.firstMs - b.firstMs);
    let lastApp: string | null = null;
    for (const page of pages) {
      const appSwitch = lastApp !== null && page.app !== lastApp;
      out.push({ kind: 'page', startMs: page.firstMs, endMs: null, label: `${appSwitch ? 'Application switch to' : 'Opened'} ${pageLabel(page.url)}${manifest.screens.length > 1 ? ` (tab ${tabLabel(screen.stream)})` : ''}` });
      lastApp = page.app;
    }
  }
  for (const s of silences) out.push({ kind: 'dead-air', startMs: s.startMs, endMs: s.endMs, label: `Dead air, ${formatSpan(s.endMs - s.startMs)}` });
  return out.sort((a, b) => a.startMs - b.startMs || a.kind.localeCompare(b.kind));
}
