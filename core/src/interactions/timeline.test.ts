import { describe, expect, it } from 'vitest';
import { gapsOf, pausesFromMarkers, type MarkerRow } from './timeline.js';

const m = (kind: 'pause' | 'resume', at_ms: number, reason: string | null = null): MarkerRow => ({ kind, at_ms, reason });

describe('pausesFromMarkers', () => {
  const cases: [string, MarkerRow[], number, { startMs: number; endMs: number; reason: string | null }[]][] = [
    ['none', [], 10_000, []],
    ['one pause', [m('pause', 3000, 'sensitive-field'), m('resume', 5000)], 10_000, [{ startMs: 3000, endMs: 5000, reason: 'sensitive-field' }]],
    ['markers out of order', [m('resume', 5000), m('pause', 3000)], 10_000, [{ startMs: 3000, endMs: 5000, reason: null }]],
    ['repeated pause and stray resume', [m('resume', 1000), m('pause', 3000, 'manual'), m('pause', 3500), m('resume', 5000), m('resume', 6000)], 10_000, [{ startMs: 3000, endMs: 5000, reason: 'manual' }]],
    ['never resumed: to the end', [m('pause', 8000)], 10_000, [{ startMs: 8000, endMs: 10_000, reason: null }]],
    ['clamped to the timeline', [m('pause', -200), m('resume', 400), m('pause', 9000), m('resume', 12_000)], 10_000, [{ startMs: 0, endMs: 400, reason: null }, { startMs: 9000, endMs: 10_000, reason: null }]],
    ['zero-length dropped', [m('pause', 2000), m('resume', 2000)], 10_000, []],
  ];
  for (const [name, markers, timeline, expected] of cases) it(name, () => expect(pausesFromMarkers(markers, timeline)).toEqual(expected));
});

describe('gapsOf', () => {
  const c = (seq: number) => ({ seq, start_ms: seq * 1000, end_ms: seq * 1000 + 1000 });
  it('finds holes between and before received chunks', () => {
    expect(gapsOf('audio', [c(0), c(1), c(2)])).toEqual([]);
    expect(gapsOf('audio', [c(0), c(3), c(1), c(7)])).toEqual([
      { stream: 'audio', startMs: 2000, endMs: 3000, missingSeqs: [[2, 2]] },
      { stream: 'audio', startMs: 4000, endMs: 7000, missingSeqs: [[4, 6]] },
    ]);
    expect(gapsOf('screen:a', [c(2)])).toEqual([{ stream: 'screen:a', startMs: 0, endMs: 2000, missingSeqs: [[0, 1]] }]);
    expect(gapsOf('audio', [])).toEqual([]);
  });
});
