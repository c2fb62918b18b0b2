import { describe, expect, it } from 'vitest';
import { MANIFEST_VERSION, type AudioTrack, type Manifest } from '@duet/protocol';
import { joinedManifest, placeAudio, readManifest } from './placement.js';

const T0 = new Date('2026-11-23T09:00:00Z');
const sha = 'a'.repeat(64);
const audio = (durationMs: number): AudioTrack => ({ key: 'interactions/x/audio-import-y.ogg', bytes: 10, sha256: sha, container: 'ogg', codec: 'opus', channels: 2, channelRoles: ['agent', 'customer'], sampleRate: 48_000, durationMs });
const manifest: Manifest = {
  version: MANIFEST_VERSION,
  interactionId: '00000000-0000-4000-8000-000000000001',
  startedAt: T0.toISOString(),
  timelineMs: 10_000,
  audio: audio(10_000),
  peaks: { key: 'p', bytes: 1, sha256: sha, peaksPerSecond: 10, channels: 2, buckets: 100 },
  metrics: null,
  analysis: 'done',
  pauses: [{ startMs: 1000, endMs: 2000, reason: null }],
  gaps: [
    { stream: 'audio', startMs: 4000, endMs: 5000, missingSeqs: [[4, 4]] },
    { stream: 'screen:crm', startMs: 6000, endMs: 6500, missingSeqs: [[6, 6]] },
  ],
  screens: [
    {
      stream: 'screen:crm',
      encoding: 'br',
      segments: [{ key: 's0', bytes: 1, sha256: sha, index: 0, startMs: 0, endMs: 10_000, fullSnapshotMs: 0, eventCount: 1 }],
      facts: { pages: [{ url: 'u', app: 'a', firstMs: 100, timeMs: 9000, visits: 1 }], apps: [], switches: 0, appSwitches: 0, idleMs: 0, observedMs: 10_000 },
    },
  ],
  focus: [{ stream: 'screen:crm', startMs: 0, endMs: 10_000 }],
};

describe('placeAudio', () => {
  it('puts audio that starts later at its offset and grows the timeline to the right when it runs longer', () => {
    expect(placeAudio({ startedAt: T0, timelineMs: 10_000 }, { startedAt: new Date(T0.getTime() + 3000), durationMs: 9000 })).toEqual({
      offsetMs: 3000, leadMs: 0, audioAtMs: 3000, timelineMs: 12_000, startedAt: T0,
    });
  });
  it('grows the timeline to the left for audio that starts first: never drops audio', () => {
    expect(placeAudio({ startedAt: T0, timelineMs: 10_000 }, { startedAt: new Date(T0.getTime() - 2500), durationMs: 5000 })).toEqual({
      offsetMs: -2500, leadMs: 2500, audioAtMs: 0, timelineMs: 12_500, startedAt: new Date(T0.getTime() - 2500),
    });
  });
});

describe('joinedManifest', () => {
  it('shifts every position right by the lead, keeps durations, drops recorder audio gaps, waits for analysis', () => {
    const p = placeAudio({ startedAt: T0, timelineMs: 10_000 }, { startedAt: new Date(T0.getTime() - 2500), durationMs: 5000 });
    const m = joinedManifest(manifest, p, audio(12_500));
    expect(m.startedAt).toBe('2026-11-23T08:59:57.500Z');
    expect(m.timelineMs).toBe(12_500);
    expect(m).toMatchObject({ peaks: null, metrics: null, analysis: 'pending', audio: { durationMs: 12_500 } });
    expect(m.pauses).toEqual([{ startMs: 3500, endMs: 4500, reason: null }]);
    expect(m.gaps).toEqual([{ stream: 'screen:crm', startMs: 8500, endMs: 9000, missingSeqs: [[6, 6]] }]);
    expect(m.screens[0]!.segments[0]).toMatchObject({ startMs: 2500, endMs: 12_500, fullSnapshotMs: 2500 });
    expect(m.screens[0]!.facts.pages[0]).toMatchObject({ firstMs: 2600, timeMs: 9000 });
    expect(m.screens[0]!.facts.observedMs).toBe(10_000);
  });
  it('reads manifests written before the analysis field existed', () => {
    const { analysis: _analysis, ...old } = manifest;
    expect(readManifest(old).analysis).toBe('done');
    expect(readManifest({ ...old, peaks: null, audio: null }).analysis).toBe('none');
  });
});
