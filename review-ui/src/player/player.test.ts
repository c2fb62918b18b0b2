import { describe, expect, it } from 'vitest';
import { keyAction, stepSpeed } from './keyboard';
import { decodeSegment, findSegmentIndex, SegmentCache, SegmentError } from './segments';
import { firstSegmentKey, initialMsOf } from './first-media';
import { drifted, LATE_BUDGET_MS, lockedTarget, replayerTarget } from './sync';
import { deadAir, focusedStream, formatClock, skipTarget } from './time';

/** The player's pure parts; the whole player is tested in Chromium (test/e2e/library-and-player). */

const segments = [{ startMs: 25 }, { startMs: 10_000 }, { startMs: 22_300 }];

/** A segment body as finalization writes it: gzip JSON, with its SHA-256 (web APIs only, as in the browser). */
async function body(events: unknown[]): Promise<{ bytes: ArrayBuffer; sha256: string }> {
  const stream = new Blob([JSON.stringify(events)]).stream().pipeThrough(new CompressionStream('gzip'));
  const bytes = await new Response(stream).arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return { bytes, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
}

describe('seek index', () => {
  it('finds the last segment starting at or before t, -1 before the first', () => {
    expect(findSegmentIndex(segments, 0)).toBe(-1);
    expect(findSegmentIndex(segments, 25)).toBe(0);
    expect(findSegmentIndex(segments, 9_999)).toBe(0);
    expect(findSegmentIndex(segments, 10_000)).toBe(1);
    expect(findSegmentIndex(segments, 99_000)).toBe(2);
    expect(findSegmentIndex([], 5)).toBe(-1);
  });
});

describe('segment decoding', () => {
  const agentEpoch = 1_763_900_000_000;
  const events = [
    { type: 4, timestamp: agentEpoch + 10_000, data: { href: 'http://crm.example.test/', width: 1280, height: 720 } },
    { type: 2, timestamp: agentEpoch + 10_040, data: {} },
    { type: 3, timestamp: agentEpoch + 12_500, data: {} },
  ];

  it('checks the checksum, gunzips and rebases agent epoch ms onto timeline ms + the base', async () => {
    const { bytes, sha256 } = await body(events);
    const base = 1_700_000_000_000;
    const decoded = await decodeSegment(bytes, { sha256, startMs: 9_990 }, base);
    // The Meta lands on the segment's startMs; the rest keep their distance to it.
    expect(decoded.map((e) => e.timestamp - base)).toEqual([9_990, 10_030, 12_490]);
  });

  it('refuses bytes that do not match the manifest, and a segment that does not start with Meta', async () => {
    const { bytes } = await body(events);
    await expect(decodeSegment(bytes, { sha256: '0'.repeat(64), startMs: 0 }, 0)).rejects.toMatchObject({ kind: 'integrity' });
    const bad = await body(events.slice(1));
    await expect(decodeSegment(bad.bytes, { sha256: bad.sha256, startMs: 0 }, 0)).rejects.toBeInstanceOf(SegmentError);
  });

  it('caches decoded segments, shares a load in flight and forgets failures', async () => {
    const { bytes, sha256 } = await body(events);
    let fetches = 0;
    let fail = true;
    const cache = new SegmentCache({ k: 'https://x/k' }, 0, 2, async () => {
      fetches++;
      return fail ? new Response('expired', { status: 403 }) : new Response(bytes.slice(0));
    });
    const entry = { key: 'k', sha256, startMs: 0, endMs: 3000, fullSnapshotMs: 40, index: 0, eventCount: 3, bytes: bytes.byteLength };
    await expect(cache.get(entry)).rejects.toMatchObject({ kind: 'expired' });
    fail = false;
    const [a, b] = await Promise.all([cache.get(entry), cache.get(entry)]);
    expect(a).toBe(b);
    expect(fetches).toBe(2);
  });

  it('takes a segment loaded at boot without fetching it again, and fetches it if that load failed', async () => {
    const { bytes, sha256 } = await body(events);
    let fetches = 0;
    const cache = new SegmentCache({ k: 'https://x/k' }, 0, 2, async () => {
      fetches++;
      return new Response(bytes.slice(0));
    });
    const entry = { key: 'k', sha256, startMs: 0, endMs: 3000, fullSnapshotMs: 40, index: 0, eventCount: 3, bytes: bytes.byteLength };
    const early = decodeSegment(bytes.slice(0), entry, 0);
    cache.seed('k', early);
    expect(await cache.get(entry)).toBe(await early);
    expect(fetches).toBe(0);
    const other = new SegmentCache({ k: 'https://x/k' }, 0, 2, async () => {
      fetches++;
      return new Response(bytes.slice(0));
    });
    const failed = Promise.reject(new Error('offline'));
    other.seed('k', failed);
    await failed.catch(() => {});
    expect(await other.get(entry)).toHaveLength(3);
    expect(fetches).toBe(1);
  });
});

describe('expired links', () => {
  it('renews the signed URLs once and fetches again', async () => {
    const events = [{ type: 4, timestamp: 1_763_900_000_000, data: {} }];
    const { bytes, sha256 } = await body(events);
    const cache = new SegmentCache({ k: 'https://x/old' }, 0, 2, async (url) => (url.endsWith('/new') ? new Response(bytes.slice(0)) : new Response('', { status: 403 })));
    let renewals = 0;
    cache.refresh = async () => {
      renewals++;
      return { k: 'https://x/new' };
    };
    const entry = { key: 'k', sha256, startMs: 0, endMs: 0, fullSnapshotMs: 0, index: 0, eventCount: 1, bytes: bytes.byteLength };
    expect(await cache.get(entry)).toHaveLength(1);
    expect(renewals).toBe(1);
  });
});

describe('clock sync', () => {
  it('maps timeline time into the replayer run, clamped to its events', () => {
    expect(replayerTarget(15_000, 10_000, 20_000)).toBe(5_000);
    expect(replayerTarget(5_000, 10_000, 20_000)).toBe(0);
    expect(replayerTarget(25_000, 10_000, 20_000)).toBe(10_001);
  });
  it('corrects only beyond the tolerance', () => {
    expect(drifted(1000, 1039)).toBe(false);
    expect(drifted(1000, 1041)).toBe(true);
  });
  it('aims a frame ahead while playing, less the lateness allowed, more at speed, never past the events it holds', () => {
    // a change then lands between (frame × speed − LATE_BUDGET_MS) early and LATE_BUDGET_MS late
    expect(lockedTarget(5000, 16, 1, 30_000)).toBeCloseTo(5000 + 16 - LATE_BUDGET_MS);
    expect(lockedTarget(5000, 16, 3, 30_000)).toBeCloseTo(5000 + 48 - LATE_BUDGET_MS);
    expect(lockedTarget(5000, 8, 1, 30_000)).toBe(5000);
    expect(lockedTarget(29_995, 16, 3, 30_000)).toBe(30_000);
  });
});

describe('the first media the player needs (started at boot on a player link)', () => {
  const seg = (stream: string, startMs: number) => ({ key: `${stream}/${startMs}`, sha256: '', startMs, endMs: startMs + 30_000, fullSnapshotMs: startMs, index: 0, eventCount: 1, bytes: 1 });
  const screen = (stream: string, starts: number[]) => ({ stream, segments: starts.map((t) => seg(stream, t)), facts: { pages: [], appSwitches: 0 } });
  it('picks the segment the player opens on: in the tab that had focus, holding the moment', () => {
    const screens = [screen('screen:crm', [40, 30_000, 60_000]), screen('screen:billing', [10_000, 40_000])];
    const focus = [
      { stream: 'screen:crm', startMs: 0, endMs: 10_000 },
      { stream: 'screen:billing', startMs: 10_000, endMs: 50_000 },
    ];
    expect(firstSegmentKey({ screens, focus } as never, 0)).toBe('screen:crm/40');
    expect(firstSegmentKey({ screens, focus } as never, 45_000)).toBe('screen:billing/40000');
    expect(firstSegmentKey({ screens, focus: [] } as never, 65_000)).toBe('screen:crm/60000');
    expect(firstSegmentKey({ screens: [], focus: [] } as never, 0)).toBeNull();
  });
  it('reads where a shared link opens', () => {
    expect(initialMsOf('?t=83400')).toBe(83_400);
    expect(initialMsOf('?t=-5')).toBe(0);
    expect(initialMsOf('?t=abc')).toBe(0);
    expect(initialMsOf('')).toBe(0);
  });
});

describe('dead air, focus, formats', () => {
  const metrics = {
    agent: { talkMs: 0, longestMonologueMs: 0, speech: [{ startMs: 500, endMs: 4000 }, { startMs: 9000, endMs: 10_000 }] },
    customer: { talkMs: 0, longestMonologueMs: 0, speech: [{ startMs: 3500, endMs: 5000 }] },
    deadAir: { count: 1, totalMs: 4000, thresholdMs: 3000 },
    overtalk: { count: 1, totalMs: 500 },
  };
  it('finds silences both speakers share, at least the threshold long, and where to skip to', () => {
    const silences = deadAir(metrics, 15_000);
    expect(silences).toEqual([
      { startMs: 5000, endMs: 9000 },
      { startMs: 10_000, endMs: 15_000 },
    ]);
    expect(skipTarget(silences, 5100)).toBeNull();
    expect(skipTarget(silences, 6000)).toBe(8700);
    expect(skipTarget(silences, 8800)).toBeNull();
  });
  it('knows which tab had focus', () => {
    const focus = [
      { stream: 'screen:crm', startMs: 0, endMs: 5000 },
      { stream: 'screen:billing', startMs: 5000, endMs: 16_000 },
      { stream: 'screen:crm', startMs: 16_000, endMs: 25_000 },
    ];
    expect(focusedStream(focus, 4999)).toBe('screen:crm');
    expect(focusedStream(focus, 8000)).toBe('screen:billing');
    expect(focusedStream(focus, 30_000)).toBe('screen:crm');
    expect(focusedStream([], 1)).toBeNull();
  });
  it('formats clock times', () => {
    expect(formatClock(83_400)).toBe('1:23');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });
});

describe('keyboard', () => {
  const key = (k: string, extra: Partial<KeyboardEvent> = {}) => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, target: null, ...extra });
  it('maps the shortcuts, and leaves modified keys alone', () => {
    expect(keyAction(key(' '))).toEqual({ type: 'toggle' });
    expect(keyAction(key('ArrowLeft'))).toEqual({ type: 'skip', ms: -5000 });
    expect(keyAction(key('ArrowRight', { shiftKey: true }))).toEqual({ type: 'skip', ms: 1000 });
    expect(keyAction(key('j'))).toEqual({ type: 'skip', ms: -10_000 });
    expect(keyAction(key('L'))).toEqual({ type: 'skip', ms: 10_000 });
    expect(keyAction(key('l', { ctrlKey: true }))).toBeNull();
  });
  it('steps through the speeds between 0.5× and 3×', () => {
    expect(stepSpeed(1, 1)).toBe(1.25);
    expect(stepSpeed(0.5, -1)).toBe(0.5);
    expect(stepSpeed(3, 1)).toBe(3);
  });
});
