import { describe, expect, it } from 'vitest';
import { buildSeekIndex, findSegment } from './seek-index.js';

// Three segments with gaps between them (a segment's end is its last event), as buildSegments makes.
const segments = [
  { index: 0, startMs: 1_000, endMs: 29_000, fullSnapshotMs: 1_000, sha256: 'a' },
  { index: 1, startMs: 30_000, endMs: 59_500, fullSnapshotMs: 30_001, sha256: 'b' },
  { index: 2, startMs: 60_000, endMs: 75_000, fullSnapshotMs: 60_000, sha256: 'c' },
];
const index = buildSeekIndex(segments, (s) => `screen/tab-1/${s.index}-${s.sha256}.json.br`);

describe('buildSeekIndex', () => {
  it('keeps the times and adds the key the caller names', () => {
    expect(index).toEqual([
      { index: 0, startMs: 1_000, endMs: 29_000, fullSnapshotMs: 1_000, key: 'screen/tab-1/0-a.json.br' },
      { index: 1, startMs: 30_000, endMs: 59_500, fullSnapshotMs: 30_001, key: 'screen/tab-1/1-b.json.br' },
      { index: 2, startMs: 60_000, endMs: 75_000, fullSnapshotMs: 60_000, key: 'screen/tab-1/2-c.json.br' },
    ]);
    expect(buildSeekIndex(segments)[0]).not.toHaveProperty('key');
  });

  it.each([
    ['an index out of position', [segments[1]!], /position 0 has index 1/],
    ['start times going back', [segments[0]!, { ...segments[1]!, startMs: 500 }], /segment 1 starts at 500 ms, before segment 0/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => buildSeekIndex(input)).toThrow(message);
  });
});

describe('findSegment', () => {
  it.each<[string, number, number | undefined]>([
    ['before the first segment: no screen yet', 999, undefined],
    ['long before it, negative time', -5_000, undefined],
    ['at the first segment start', 1_000, 0],
    ['inside the first segment', 15_000, 0],
    ['at the first segment end', 29_000, 0],
    ['in the gap after it: its final screen', 29_999, 0],
    ['at the second segment start', 30_000, 1],
    ['between its start and its full snapshot', 30_000.5, 1],
    ['one ms before the third', 59_999, 1],
    ['at the third segment start', 60_000, 2],
    ['at the last segment end', 75_000, 2],
    ['after the last segment', 3_600_000, 2],
  ])('%s (t = %d) → %s', (_name, t, expected) => {
    expect(findSegment(index, t)?.index).toBe(expected);
  });

  it('returns nothing for an empty index, the only segment otherwise', () => {
    expect(findSegment([], 0)).toBeUndefined();
    const one = buildSeekIndex([segments[0]!]);
    expect(findSegment(one, 999)).toBeUndefined();
    expect(findSegment(one, 1_000)?.index).toBe(0);
    expect(findSegment(one, 1e9)?.index).toBe(0);
  });

  it('picks the later of two segments starting in the same ms (the newer snapshot)', () => {
    const same = buildSeekIndex([
      { index: 0, startMs: 0, endMs: 10, fullSnapshotMs: 0 },
      { index: 1, startMs: 10, endMs: 10, fullSnapshotMs: 10 },
      { index: 2, startMs: 10, endMs: 20, fullSnapshotMs: 10 },
    ]);
    expect(findSegment(same, 10)?.index).toBe(2);
    expect(findSegment(same, 9)?.index).toBe(0);
  });

  it('agrees with a linear scan on a long index', () => {
    const long = buildSeekIndex(Array.from({ length: 200 }, (_, i) => ({ index: i, startMs: i * 30_000, endMs: i * 30_000 + 29_000, fullSnapshotMs: i * 30_000 })));
    for (let t = -1_000; t < 200 * 30_000 + 5_000; t += 7_001) {
      const linear = long.filter((e) => e.startMs <= t).at(-1);
      expect(findSegment(long, t)).toBe(linear);
    }
  });
});
