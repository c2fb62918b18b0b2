import { describe, expect, it } from 'vitest';
import { InvalidScreenEventsError, orderEvents, parseEvents, type RrwebEvent } from './events.js';

// Timestamps are written relative to T0, as rrweb's own tests normalise them.
const T0 = 1_700_000_000_000;
const ev = (ms: number, type: number, data: unknown = {}): RrwebEvent => ({ type, timestamp: T0 + ms, data });
const mouse = (ms: number, x: number) => ev(ms, 3, { source: 1, positions: [{ x, y: 10, id: 5, timeOffset: 0 }] });

describe('parseEvents', () => {
  it.each([
    ['not an array', { events: [] }, /must be an array, got an object/],
    ['a null event', [ev(0, 4), null], /#1 must be an object, got null/],
    ['an array event', [[4, T0]], /#0 must be an object, got an array/],
    ['a missing type', [{ timestamp: T0, data: {} }], /#0: type must be a non-negative integer, got undefined/],
    ['a string type', [ev(0, 4), { type: '3', timestamp: T0, data: {} }], /#1: type must be .*the string "3"/],
    ['a fractional type', [{ type: 2.5, timestamp: T0, data: {} }], /#0: type must be a non-negative integer/],
    ['a missing timestamp', [ev(0, 4), ev(1, 2), { type: 3, data: {} }], /#2: timestamp must be a finite number/],
    ['a NaN timestamp', [{ type: 3, timestamp: Number.NaN, data: {} }], /#0: timestamp must be a finite number/],
    ['an ISO timestamp', [{ type: 3, timestamp: '2026-01-01T00:00:00Z', data: {} }], /#0: timestamp .* the string/],
    ['missing data', [{ type: 2, timestamp: T0 }], /#0 \(type 2\) has no data/],
  ])('rejects %s, naming the index', (_name, input, message) => {
    expect(() => parseEvents(input)).toThrow(InvalidScreenEventsError);
    expect(() => parseEvents(input)).toThrow(message);
  });

  it('accepts event types and sources it does not know (newer rrweb), returning the same objects', () => {
    const input = [ev(0, 4, { href: 'https://a.test/', width: 800, height: 600 }), ev(1, 8, { tag: 'x' }), { ...ev(2, 3, { source: 16 }), delay: 5 }];
    const parsed = parseEvents(input);
    expect(parsed).toBe(input);
    expect(parsed[2]).toHaveProperty('delay', 5);
    expect(parseEvents([])).toEqual([]);
  });
});

describe('orderEvents', () => {
  it.each<[string, RrwebEvent[], RrwebEvent[]]>([
    ['sorts by timestamp', [mouse(30, 3), mouse(10, 1), mouse(20, 2)], [mouse(10, 1), mouse(20, 2), mouse(30, 3)]],
    [
      'keeps input order within a millisecond (Meta stays before its FullSnapshot)',
      [mouse(5, 0), ev(10, 4, { href: 'h' }), ev(10, 2, { node: 1 }), ev(10, 3, { source: 0 })],
      [mouse(5, 0), ev(10, 4, { href: 'h' }), ev(10, 2, { node: 1 }), ev(10, 3, { source: 0 })],
    ],
    ['drops an exact duplicate', [mouse(10, 1), mouse(20, 2), mouse(10, 1)], [mouse(10, 1), mouse(20, 2)]],
    [
      'drops a duplicated run, keeping first-seen order',
      [ev(10, 3, { a: 1 }), ev(10, 3, { a: 2 }), ev(10, 3, { a: 1 }), ev(10, 3, { a: 2 })],
      [ev(10, 3, { a: 1 }), ev(10, 3, { a: 2 })],
    ],
    ['keeps equal data at different times', [mouse(10, 1), mouse(11, 1)], [mouse(10, 1), mouse(11, 1)]],
    ['keeps different types at the same time with equal data', [ev(10, 0), ev(10, 1)], [ev(10, 0), ev(10, 1)]],
    ['keeps same-time events that differ only in data', [mouse(10, 1), mouse(10, 2)], [mouse(10, 1), mouse(10, 2)]],
  ])('%s', (_name, input, expected) => {
    expect(orderEvents(input)).toEqual(expected);
  });

  it('does not modify its input', () => {
    const input = [mouse(2, 0), mouse(1, 0)];
    orderEvents(input);
    expect(input.map((e) => e.timestamp)).toEqual([T0 + 2, T0 + 1]);
  });
});
