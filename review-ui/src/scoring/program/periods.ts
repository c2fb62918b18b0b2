/**
 * Sampling periods as the server counts them (core/src/scoring/sampling.ts): UTC ISO weeks
 * (`2026-W47`, Monday to Monday) and calendar months (`2026-11`). The UI needs them to offer
 * periods to look at and to turn a plan's "N per agent per period" into a target for a range.
 */
export type Period = 'week' | 'month';
const DAY = 86_400_000;

export function periodKeyOf(at: Date, period: Period): string {
  if (period === 'month') return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

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
