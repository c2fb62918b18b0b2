/**
 * Sampling periods as the server counts them (core/src/scoring/sampling.ts): UTC ISO weeks
 * (`2026-W47`, Monday to Monday) and calendar months (`2026-11`). The UI needs them to offer
 * periods to look at and to turn a plan's "N per agent per period" into a target for a range.
 * The period key itself is protocol's, the server's own function.
 */
import { periodKeyOf, type Period } from '@duet/protocol';

export { periodKeyOf, type Period };

const DAY = 86_400_000;

/** [start, end) of the period containing `at`. */
export function periodRange(at: Date, period: Period): { start: Date; end: Date } {
  if (period === 'month') return { start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), end: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) };
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const start = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
  return { start, end: new Date(start.getTime() + 7 * DAY) };
}

/** The periods a [from, to) range touches, newest last. */
export function periodsIn(from: Date, to: Date, period: Period): string[] {
  const keys: string[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY) {
    const k = periodKeyOf(new Date(t), period);
    if (keys[keys.length - 1] !== k) keys.push(k);
  }
  return keys;
}

/** `YYYY-MM-DD` of a UTC date, for date inputs. */
export const dayOf = (d: Date) => d.toISOString().slice(0, 10);
