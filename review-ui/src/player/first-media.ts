import type { Manifest } from '@duet/protocol';
import { findSegmentIndex } from './segments';
import { focusedStream } from './time';

/**
 * The screen segment the player shows first when it opens at `initialMs`: in the stream that had
 * focus then (or the first stream), the segment holding that moment (or the first, when the
 * screen starts a little after the call). The same choice as the Player and its ScreenFollower,
 * made before their code has arrived, so the boot can start downloading it.
 */
export function firstSegmentKey(manifest: Pick<Manifest, 'screens' | 'focus'>, initialMs: number): string | null {
  const streams = manifest.screens.filter((s) => s.segments.length > 0);
  const focus = [...manifest.focus].sort((a, b) => a.startMs - b.startMs);
  const name = focusedStream(focus, initialMs) ?? streams[0]?.stream;
  const screen = streams.find((s) => s.stream === name) ?? streams[0];
  if (!screen) return null;
  const index = Math.max(0, findSegmentIndex(screen.segments, initialMs));
  return screen.segments[index]?.key ?? null;
}

/** `?t=<ms>` of a player link: where it opens. */
export function initialMsOf(search: string): number {
  const t = Number(new URLSearchParams(search).get('t'));
  return Number.isFinite(t) && t > 0 ? Math.round(t) : 0;
}
