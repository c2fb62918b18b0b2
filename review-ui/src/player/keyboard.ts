/**
 * Player shortcuts, as in most media review tools: Space or K play/pause, J/L back/forward 10 s,
 * ←/→ 5 s (with Shift 1 s), Home/End, < and > slower/faster. They work anywhere on the player
 * page except where the key already means something (typing in a field, a focused button or
 * radio group), so a keyboard user never loses the native behaviour.
 */
export type KeyAction =
  | { type: 'toggle' }
  | { type: 'skip'; ms: number }
  | { type: 'seek'; to: 'start' | 'end' }
  | { type: 'speed'; step: 1 | -1 };

type KeyLike = Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'> & { target: EventTarget | null };

function ownsKey(target: EventTarget | null, key: string): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog[open]')) return true;
  // Buttons and links answer Space/Enter themselves.
  if ((key === ' ' || key === 'Enter') && target.closest('button, a, summary, [role="radio"]')) return true;
  return false;
}

export function keyAction(e: KeyLike): KeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (ownsKey(e.target, e.key)) return null;
  switch (e.key) {
    case ' ':
    case 'k':
    case 'K':
      return { type: 'toggle' };
    case 'ArrowLeft':
      return { type: 'skip', ms: e.shiftKey ? -1000 : -5000 };
    case 'ArrowRight':
      return { type: 'skip', ms: e.shiftKey ? 1000 : 5000 };
    case 'j':
    case 'J':
      return { type: 'skip', ms: -10_000 };
    case 'l':
    case 'L':
      return { type: 'skip', ms: 10_000 };
    case 'Home':
      return { type: 'seek', to: 'start' };
    case 'End':
      return { type: 'seek', to: 'end' };
    case '<':
    case ',':
      return { type: 'speed', step: -1 };
    case '>':
    case '.':
      return { type: 'speed', step: 1 };
    default:
      return null;
  }
}

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3] as const;

export function stepSpeed(rate: number, step: 1 | -1): number {
  const i = SPEEDS.findIndex((s) => s >= rate - 1e-6);
  const at = i < 0 ? SPEEDS.length - 1 : i;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, at + step))]!;
}
