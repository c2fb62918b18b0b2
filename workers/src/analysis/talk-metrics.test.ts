import { describe, expect, it } from 'vitest';
import { talkMetrics } from './talk-metrics.js';

const iv = (startMs: number, endMs: number) => ({ startMs, endMs });

describe('talkMetrics', () => {
  it('measures talk, overtalk, dead air and monologues', () => {
    const agent = [iv(0, 3000), iv(3500, 6000), iv(12_000, 15_000)];
    const customer = [iv(6500, 9000), iv(14_000, 16_000)];
    const m = talkMetrics(agent, customer, 20_000);
    expect(m.agent).toMatchObject({ talkMs: 8500, longestMonologueMs: 6000 });
    expect(m.customer).toMatchObject({ talkMs: 4500, longestMonologueMs: 2500 });
    expect(m.overtalk).toEqual({ count: 1, totalMs: 1000 });
    // Both silent 9–12 s (3 s) and 16–20 s (4 s); 6–6.5 s is too short to count.
    expect(m.deadAir).toEqual({ count: 2, totalMs: 7000, thresholdMs: 2000 });
  });

  it('does not count a PCI pause as dead air, and works for mono calls', () => {
    const m = talkMetrics([iv(0, 2000), iv(8000, 10_000)], null, 10_000, { pauses: [iv(2000, 8000)] });
    expect(m.deadAir.count).toBe(0);
    expect(m.customer).toBeNull();
    expect(m.overtalk).toEqual({ count: 0, totalMs: 0 });
  });

  it('ends a monologue when the other party speaks in between', () => {
    const m = talkMetrics([iv(0, 2000), iv(2500, 4000)], [iv(2100, 2400)], 5000);
    expect(m.agent.longestMonologueMs).toBe(2000);
  });
});
