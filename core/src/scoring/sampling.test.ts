import { describe, expect, it } from 'vitest';
import { periodBounds, periodKeyOf, previousPeriodKey, seededRandom } from './sampling.js';

describe('sampling periods (UTC, ISO weeks)', () => {
  it.each([
    ['2026-10-01T12:00:00Z', '2026-W40', '2026-10'],
    ['2026-09-28T00:00:00Z', '2026-W40', '2026-09'],
    ['2026-09-27T23:59:59Z', '2026-W39', '2026-09'],
    ['2026-01-01T00:00:00Z', '2026-W01', '2026-01'],
    ['2027-01-01T00:00:00Z', '2026-W53', '2027-01'],
    ['2024-12-30T08:00:00Z', '2025-W01', '2024-12'],
    ['2021-01-03T08:00:00Z', '2020-W53', '2021-01'],
    ['2026-11-23T14:00:00Z', '2026-W48', '2026-11'],
  ])('%s is in week %s and month %s', (at, week, month) => {
    expect(periodKeyOf(new Date(at), 'week')).toBe(week);
    expect(periodKeyOf(new Date(at), 'month')).toBe(month);
  });

  it('bounds weeks Monday to Monday and months on the first', () => {
    expect(periodBounds('2026-W40')).toEqual({ period: 'week', start: new Date('2026-09-28T00:00:00Z'), end: new Date('2026-10-05T00:00:00Z') });
    expect(periodBounds('2026-W53').start).toEqual(new Date('2026-12-28T00:00:00Z'));
    expect(periodBounds('2026-12')).toEqual({ period: 'month', start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    for (const bad of ['2025-W53', '2026-W00', '2026-13', '2026-00', 'last week']) expect(() => periodBounds(bad), bad).toThrow(/not a/);
  });

  it('names the period that just ended', () => {
    expect(previousPeriodKey(new Date('2026-10-05T01:00:00Z'), 'week')).toBe('2026-W40');
    expect(previousPeriodKey(new Date('2026-01-01T00:00:00Z'), 'week')).toBe('2025-W52');
    expect(previousPeriodKey(new Date('2026-11-23T14:00:00Z'), 'month')).toBe('2026-10');
    expect(previousPeriodKey(new Date('2026-01-15T00:00:00Z'), 'month')).toBe('2025-12');
  });

  it('draws the same numbers for the same seed and different ones for another', () => {
    const a = seededRandom('plan:2026-10');
    const b = seededRandom('plan:2026-10');
    const c = seededRandom('plan:2026-11');
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
