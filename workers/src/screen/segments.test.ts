import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { orderEvents, type RrwebEvent } from './events.js';
import { buildSegments, decodeSegment, encodeSegment, type SegmentEncoding, type SegmentsReport } from './segments.js';

// Timestamps are written relative to T0 (agent clock), as rrweb's own tests normalise them; the
// timeline used by most cases is the same ms, so fixture times read directly as expected times.
const T0 = 1_700_000_000_000;
const toTimeline = (agentMs: number) => agentMs - T0;
const ev = (ms: number, type: number, data: unknown): RrwebEvent => ({ type, timestamp: T0 + ms, data });

const domLoaded = (ms: number) => ev(ms, 0, {});
const loaded = (ms: number) => ev(ms, 1, {});
const meta = (ms: number, href = 'https://crm.test/cases') => ev(ms, 4, { href, width: 1280, height: 800 });
const full = (ms: number, title: string) =>
  ev(ms, 2, {
    node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'html', attributes: {}, childNodes: [{ type: 3, id: 3, textContent: title }] }] },
    initialOffset: { left: 0, top: 0 },
  });
const mutation = (ms: number, text: string) => ev(ms, 3, { source: 0, texts: [{ id: 3, value: text }], attributes: [], removes: [], adds: [] });
const mouse = (ms: number, x: number) => ev(ms, 3, { source: 1, positions: [{ x, y: 40, id: 2, timeOffset: -20 }] });
const click = (ms: number) => ev(ms, 3, { source: 2, type: 2, id: 2, x: 10, y: 10 });
const input = (ms: number, text: string) => ev(ms, 3, { source: 5, id: 9, text, isChecked: false });
const scroll = (ms: number, y: number) => ev(ms, 3, { source: 3, id: 1, x: 0, y });

/** Two checkouts with Meta, one full snapshot without (e.g. `takeFullSnapshot` misuse), and events before any snapshot. */
const stream: RrwebEvent[] = [
  domLoaded(0),
  loaded(5),
  meta(10),
  full(10, 'Cases'),
  mouse(500, 1),
  input(900, 'a'),
  mutation(1_500, 'Case 42'),
  meta(30_010),
  full(30_010, 'Case 42'),
  mouse(30_500, 2),
  scroll(40_000, 300),
  full(60_020, 'Case 42 saved'),
  click(61_000),
];

const cleanReport: SegmentsReport = {
  droppedBeforeFirstSnapshot: 0,
  droppedInPauses: 0,
  fullSnapshotsWithoutMeta: 0,
  pausesWithoutResumeSnapshot: 0,
  oversizedSegments: [],
};

async function reassemble(segments: { body: Buffer; encoding: SegmentEncoding }[]): Promise<RrwebEvent[]> {
  const parts = await Promise.all(segments.map((s) => decodeSegment(s.body, s.encoding)));
  return parts.flat();
}

describe('buildSegments', () => {
  it('starts a segment at each full snapshot, with the Meta right before it', async () => {
    const { segments, report } = await buildSegments(stream, { toTimeline });
    expect(segments.map(({ index, startMs, endMs, fullSnapshotMs, eventCount }) => ({ index, startMs, endMs, fullSnapshotMs, eventCount }))).toEqual([
      { index: 0, startMs: 10, endMs: 1_500, fullSnapshotMs: 10, eventCount: 5 },
      { index: 1, startMs: 30_010, endMs: 40_000, fullSnapshotMs: 30_010, eventCount: 4 },
      { index: 2, startMs: 60_020, endMs: 61_000, fullSnapshotMs: 60_020, eventCount: 2 },
    ]);
    expect(report).toEqual({ ...cleanReport, droppedBeforeFirstSnapshot: 2, fullSnapshotsWithoutMeta: 1 });

    const decoded = await Promise.all(segments.map((s) => decodeSegment(s.body, s.encoding)));
    expect(decoded.map((events) => events.map((e) => e.type))).toEqual([[4, 2, 3, 3, 3], [4, 2, 3, 3], [2, 3]]);
    for (const s of segments) {
      expect(s.bytes).toBe(s.body.length);
      expect(s.sha256).toBe(createHash('sha256').update(s.body).digest('hex'));
      expect(s.rawBytes).toBe(Buffer.byteLength(JSON.stringify(decoded[s.index])));
    }
  });

  it.each<SegmentEncoding>(['br', 'gzip'])('reassembles exactly the ordered, deduplicated events (%s)', async (encoding) => {
    const { segments, report } = await buildSegments(stream, { toTimeline, encoding });
    expect(segments.every((s) => s.encoding === encoding)).toBe(true);
    expect(await reassemble(segments)).toEqual(orderEvents(stream).slice(report.droppedBeforeFirstSnapshot));
  });

  it('gives byte-identical segments when chunks arrive duplicated and out of order', async () => {
    // Chunks as a recorder might have cut them; boundaries do not split a millisecond (see orderEvents).
    const chunks = [stream.slice(0, 2), stream.slice(2, 6), stream.slice(6, 9), stream.slice(9, 11), stream.slice(11)];
    const delivered = [chunks[0], chunks[2], chunks[1], chunks[2], chunks[4], chunks[3], chunks[1]].flat() as RrwebEvent[];
    // Deep copies, as each delivery is parsed from its own JSON.
    const redelivered = delivered.map((e) => structuredClone(e));

    const reference = await buildSegments(orderEvents(stream), { toTimeline });
    const rebuilt = await buildSegments(orderEvents(redelivered), { toTimeline });
    expect(rebuilt.segments.map((s) => s.sha256)).toEqual(reference.segments.map((s) => s.sha256));
    expect(rebuilt.report).toEqual(reference.report);
  });

  it('applies toTimeline to every time it outputs', async () => {
    const { segments } = await buildSegments(stream, { toTimeline: (agentMs) => agentMs - T0 + 1_000 });
    expect(segments.map((s) => [s.startMs, s.fullSnapshotMs, s.endMs])).toEqual([
      [1_010, 1_010, 2_500],
      [31_010, 31_010, 41_000],
      [61_020, 61_020, 62_000],
    ]);
  });

  it.each<[string, RrwebEvent[], Partial<SegmentsReport>, number[]]>([
    [
      'drops events in a pause; a snapshot on resume keeps replay exact',
      [meta(0), full(0, 'A'), input(1_000, '4'), input(2_500, '4111'), mutation(3_000, 'card ok'), meta(5_000), full(5_000, 'B'), mouse(6_000, 1)],
      { droppedInPauses: 2 },
      [3, 3],
    ],
    [
      'reports a resume without a fresh snapshot',
      [meta(0), full(0, 'A'), input(2_500, '4111'), mutation(5_500, 'changed unseen'), full(9_000, 'C')],
      { droppedInPauses: 1, pausesWithoutResumeSnapshot: 1, fullSnapshotsWithoutMeta: 1 },
      [3, 1],
    ],
    [
      'drops a full snapshot taken inside a pause (it may show what the pause hides)',
      [meta(0), full(0, 'A'), meta(3_000), full(3_000, 'card form'), mouse(6_000, 1)],
      { droppedInPauses: 2, pausesWithoutResumeSnapshot: 1 },
      [3],
    ],
    ['treats the pause as half-open: an event at its end is kept', [meta(0), full(0, 'A'), meta(5_000), full(5_000, 'B')], {}, [2, 2]],
  ])('%s', async (_name, events, report, counts) => {
    const { segments, report: actual } = await buildSegments(events, { toTimeline, pauses: [{ startMs: 2_000, endMs: 5_000 }] });
    expect(actual).toEqual({ ...cleanReport, ...report });
    expect(segments.map((s) => s.eventCount)).toEqual(counts);
    const all = await reassemble(segments);
    expect(all.some((e) => toTimeline(e.timestamp) >= 2_000 && toTimeline(e.timestamp) < 5_000)).toBe(false);
  });

  it('counts everything as unreplayable when there is no full snapshot, and handles an empty stream', async () => {
    const noSnapshot = await buildSegments([meta(0), mouse(10, 1), click(20)], { toTimeline });
    expect(noSnapshot.segments).toEqual([]);
    expect(noSnapshot.report).toEqual({ ...cleanReport, droppedBeforeFirstSnapshot: 3 });
    expect(await buildSegments([], { toTimeline })).toEqual({ segments: [], report: cleanReport });
  });

  it('lists segments longer than the soft limit without splitting them', async () => {
    const { segments, report } = await buildSegments([meta(0), full(0, 'A'), mouse(61_000, 1), meta(62_000), full(62_000, 'B')], { toTimeline });
    expect(segments).toHaveLength(2);
    expect(report.oversizedSegments).toEqual([0]);
  });

  it('refuses events that are not ordered', async () => {
    await expect(buildSegments([mouse(10, 1), mouse(5, 1)], { toTimeline })).rejects.toThrow(/event #1 goes back in time/);
  });
});

describe('encodeSegment / decodeSegment', () => {
  it.each<SegmentEncoding>(['br', 'gzip'])('round-trips and is deterministic (%s)', async (encoding) => {
    const a = await encodeSegment(stream, encoding);
    const b = await encodeSegment(structuredClone(stream), encoding);
    expect(a.body.equals(b.body)).toBe(true);
    expect(await decodeSegment(a.body, encoding)).toEqual(stream);
  });
});
