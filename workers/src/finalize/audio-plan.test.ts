import { describe, expect, it } from 'vitest';
import { planTimelineAudio } from './audio-plan.js';

describe('planTimelineAudio', () => {
  it('places one continuous piece and pads before and after with silence', () => {
    expect(planTimelineAudio([{ startMs: 500, endMs: 9500, mediaMs: 9000 }], [], 10_000)).toEqual([
      { kind: 'silence', durationMs: 500, atMs: 0 },
      { kind: 'audio', piece: 0, inMs: 0, outMs: 9000, atMs: 500 },
      { kind: 'silence', durationMs: 500, atMs: 9500 },
    ]);
  });

  it('cuts a paused piece where its media clock stopped and re-inserts the pause as silence', () => {
    // 10 s of wall time with a 2 s pause at 4–6 s: the media is 8 s long.
    expect(planTimelineAudio([{ startMs: 0, endMs: 10_000, mediaMs: 8000 }], [{ startMs: 4000, endMs: 6000 }], 10_000)).toEqual([
      { kind: 'audio', piece: 0, inMs: 0, outMs: 4000, atMs: 0 },
      { kind: 'silence', durationMs: 2000, atMs: 4000 },
      { kind: 'audio', piece: 0, inMs: 4000, outMs: 8000, atMs: 6000 },
    ]);
  });

  it('fills the gap between two recorder streams and trims a piece that runs past the timeline', () => {
    expect(planTimelineAudio([{ startMs: 0, endMs: 3000, mediaMs: 3000 }, { startMs: 5000, endMs: 12_000, mediaMs: 7000 }], [], 10_000)).toEqual([
      { kind: 'audio', piece: 0, inMs: 0, outMs: 3000, atMs: 0 },
      { kind: 'silence', durationMs: 2000, atMs: 3000 },
      { kind: 'audio', piece: 1, inMs: 0, outMs: 5000, atMs: 5000 },
    ]);
  });

  it('lets a later piece win an overlap, and never uses more media than a piece has', () => {
    expect(planTimelineAudio([{ startMs: 0, endMs: 4000, mediaMs: 3500 }, { startMs: 3000, endMs: 6000, mediaMs: 3000 }], [], 6000)).toEqual([
      { kind: 'audio', piece: 0, inMs: 0, outMs: 3500, atMs: 0 },
      { kind: 'audio', piece: 1, inMs: 500, outMs: 3000, atMs: 3500 },
    ]);
  });

  it('is all silence without audio, and sums to the timeline in every case', () => {
    expect(planTimelineAudio([], [], 4000)).toEqual([{ kind: 'silence', durationMs: 4000, atMs: 0 }]);
    const parts = planTimelineAudio([{ startMs: 100, endMs: 7000, mediaMs: 5000 }, { startMs: 7500, endMs: 9000, mediaMs: 1500 }], [{ startMs: 1000, endMs: 2500 }], 9000);
    const total = parts.reduce((s, p) => s + (p.kind === 'silence' ? p.durationMs : p.outMs - p.inMs), 0);
    expect(total).toBe(9000);
  });

  it('mutes another tab’s pause where the audio recorder ran on: silence there, no shift after it', () => {
    // The CRM tab paused 3–5 s; the softphone's recorder kept recording (10 s of media).
    expect(planTimelineAudio([{ startMs: 0, endMs: 10_000, mediaMs: 10_000 }], [], 10_000, [{ startMs: 3000, endMs: 5000 }])).toEqual([
      { kind: 'audio', piece: 0, inMs: 0, outMs: 3000, atMs: 0 },
      { kind: 'silence', durationMs: 2000, atMs: 3000 },
      { kind: 'audio', piece: 0, inMs: 5000, outMs: 10_000, atMs: 5000 },
    ]);
  });

  it('mutes the lag between another tab’s pause and the audio recorder’s own pause', () => {
    // The CRM tab paused at 3000; the softphone heard of it and paused its recorder at 3080 until 5000.
    const media = 10_000 - (5000 - 3080);
    expect(planTimelineAudio([{ startMs: 0, endMs: 10_000, mediaMs: media }], [{ startMs: 3080, endMs: 5000 }], 10_000, [{ startMs: 3000, endMs: 5000 }])).toEqual([
      { kind: 'audio', piece: 0, inMs: 0, outMs: 3000, atMs: 0 },
      { kind: 'silence', durationMs: 2000, atMs: 3000 },
      { kind: 'audio', piece: 0, inMs: 3080, outMs: media, atMs: 5000 },
    ]);
  });
});
