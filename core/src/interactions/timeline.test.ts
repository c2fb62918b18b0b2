import { describe, expect, it } from 'vitest';
import { audioClockPauses, focusFromMarkers, gapsOf, pausesFromMarkers, type MarkerRow } from './timeline.js';

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

describe('markers of several tabs', () => {
  const m = (kind: MarkerRow['kind'], stream: string, at_ms: number, reason: string | null = null): MarkerRow => ({ kind, stream, at_ms, reason });

  it('pauses while any source is paused: each paired on its own, then merged', () => {
    const markers = [
      m('pause', 'screen:crm', 1000, 'sensitive-field'),
      m('pause', 'audio', 1080, 'sensitive-field'),
      m('pause', 'screen:phone', 1500, 'manual'),
      m('resume', 'screen:crm', 3000),
      m('resume', 'audio', 3050),
      m('resume', 'screen:phone', 4000),
      m('pause', 'screen:crm', 6000, 'sensitive-area'),
      m('resume', 'screen:crm', 7000),
    ];
    expect(pausesFromMarkers(markers, 10_000)).toEqual([
      { startMs: 1000, endMs: 4000, reason: 'sensitive-field' },
      { startMs: 6000, endMs: 7000, reason: 'sensitive-area' },
    ]);
    // The audio recorder's clock stopped only for its own pause.
    expect(audioClockPauses(markers, 10_000)).toEqual([{ startMs: 1080, endMs: 3050, reason: 'sensitive-field' }]);
  });

  it('one tab resuming does not end another tab’s pause', () => {
    const markers = [m('pause', 'screen:a', 100), m('pause', 'screen:b', 200), m('resume', 'screen:a', 300), m('resume', 'screen:b', 900)];
    expect(pausesFromMarkers(markers, 1000)).toEqual([{ startMs: 100, endMs: 900, reason: null }]);
  });

  it('counts single-tab recorder markers (no stream) as the audio clock’s, and ignores focus for pauses', () => {
    const markers: MarkerRow[] = [{ kind: 'pause', at_ms: 100, reason: null }, { kind: 'resume', at_ms: 500, reason: null }, m('focus', 'screen:a', 200)];
    expect(audioClockPauses(markers, 1000)).toEqual([{ startMs: 100, endMs: 500, reason: null }]);
    expect(pausesFromMarkers(markers, 1000)).toEqual([{ startMs: 100, endMs: 500, reason: null }]);
  });

  it('knows which tab had focus from each focus marker to the next, merging repeats', () => {
    const markers = [m('focus', 'screen:phone', 0), m('focus', 'screen:crm', 4000), m('focus', 'screen:crm', 5000), m('pause', 'screen:crm', 5500), m('focus', 'screen:phone', 8000)];
    expect(focusFromMarkers(markers, 10_000)).toEqual([
      { stream: 'screen:phone', startMs: 0, endMs: 4000 },
      { stream: 'screen:crm', startMs: 4000, endMs: 8000 },
      { stream: 'screen:phone', startMs: 8000, endMs: 10_000 },
    ]);
  });
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
