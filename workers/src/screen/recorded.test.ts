import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { orderEvents, parseEvents, type RrwebEvent } from './events.js';
import { computeScreenFacts } from './screen-facts.js';
import { buildSeekIndex, findSegment } from './seek-index.js';
import { buildSegments, decodeSegment } from './segments.js';

/**
 * The screen pipeline on a stream recorded by a real Chromium with rrweb 2.2.2 (test/fixtures/
 * recorded: a CRM page, an SPA pushState, a real navigation to a payment page, a PCI pause with a
 * full snapshot on resume, a card number typed into a masked field). Expectations come from the
 * fixture's session.json, so regenerating the fixture does not break this file. Read as JSON, not
 * imported: workers must not import test code.
 */

const DIR = new URL('../../../test/fixtures/recorded/', import.meta.url);

interface Session {
  startEpochMs: number;
  durationMs: number;
  pause: { startMs: number; endMs: number };
  cardNumber: string;
  navigations: { kind: 'recording-start' | 'pushState' | 'navigation'; url: string; atMs: number; metaAtMs?: number }[];
  screen: { eventCount: number; fullSnapshots: number; metaUrls: string[] };
}

let session: Session;
let events: RrwebEvent[];
let toTimeline: (agentMs: number) => number;

beforeAll(async () => {
  const read = async (rel: string): Promise<unknown> => JSON.parse(await readFile(fileURLToPath(new URL(rel, DIR)), 'utf8'));
  session = (await read('session.json')) as Session;
  events = orderEvents(parseEvents(await read('screen/events.json')));
  // Recorded on one machine: no clock offset; the timeline starts at the recording start.
  toTimeline = (agentMs) => agentMs - session.startEpochMs;
});

describe('recorded fixture: screen', () => {
  it('has no duplicates, and a duplicated delivery changes nothing', () => {
    expect(events).toHaveLength(session.screen.eventCount);
    expect(orderEvents([...events.slice(40), ...events, ...events.slice(0, 60)])).toEqual(events);
  });

  it('splits at every full snapshot, losing nothing, and the card number is in no segment', async () => {
    const pauses = [session.pause];
    const { segments, report } = await buildSegments(events, { toTimeline, pauses });
    expect(report).toEqual({ droppedBeforeFirstSnapshot: 0, droppedInPauses: 0, fullSnapshotsWithoutMeta: 0, pausesWithoutResumeSnapshot: 0, oversizedSegments: [] });
    expect(segments).toHaveLength(session.screen.fullSnapshots);

    const decoded = await Promise.all(segments.map((s) => decodeSegment(s.body)));
    expect(decoded.flat()).toEqual(events);
    expect(decoded.map((d) => (d[0]?.data as { href?: string }).href)).toEqual(session.screen.metaUrls);
    const digits = session.cardNumber.replace(/\D/g, '');
    for (const d of decoded) {
      const json = JSON.stringify(d);
      expect(json).not.toContain(digits);
      expect(json).not.toContain(session.cardNumber);
    }

    // The resume snapshot starts a segment exactly at the pause end; the pause shows the one before.
    const index = buildSeekIndex(segments);
    const resumed = segments.find((s) => s.startMs === session.pause.endMs);
    expect(resumed).toBeDefined();
    expect(findSegment(index, session.pause.endMs)?.index).toBe(resumed!.index);
    expect(findSegment(index, session.pause.startMs)?.index).toBe(resumed!.index - 1);
    for (const s of segments) expect(findSegment(index, s.fullSnapshotMs)?.index).toBe(s.index);

    const raw = segments.reduce((n, s) => n + s.rawBytes, 0);
    const br = segments.reduce((n, s) => n + s.bytes, 0);
    const gz = decoded.reduce((n, d) => n + gzipSync(JSON.stringify(d), { level: 9 }).length, 0);
    const gz6 = decoded.reduce((n, d) => n + gzipSync(JSON.stringify(d)).length, 0);
    console.log(
      `[screen] recorded fixture: ${events.length} events, ${segments.length} segments, ${raw} B JSON; ` +
        `brotli q5 ${br} B (${(raw / br).toFixed(1)}x), gzip -9 ${gz} B (${(raw / gz).toFixed(1)}x), gzip -6 ${gz6} B (${(raw / gz6).toFixed(1)}x); ` +
        `Meta→FullSnapshot ${segments.map((s) => s.fullSnapshotMs - s.startMs).join(', ')} ms`,
    );
  });

  it('sees the pushState navigation only when the recorder reports it (the Custom event contract)', () => {
    const start = session.navigations.find((n) => n.kind === 'recording-start')!;
    const push = session.navigations.find((n) => n.kind === 'pushState')!;
    const nav = session.navigations.find((n) => n.kind === 'navigation')!;
    const options = { toTimeline, pauses: [session.pause], endMs: session.durationMs };
    const page = (url: string) => new URL(url).origin + new URL(url).pathname;

    // rrweb alone: Meta events only, so /orders/123 is invisible and its time goes to the first page.
    const plain = computeScreenFacts(events, options);
    expect(plain.pages.map((p) => [p.url, p.firstMs])).toEqual([
      [page(start.url), start.metaAtMs],
      [page(nav.url), nav.metaAtMs],
    ]);
    expect(plain.switches).toBe(1);

    // With the navigation event the recorder is asked to emit on pushState.
    const withNav = orderEvents([...events, { type: 5, timestamp: session.startEpochMs + push.atMs, data: { tag: 'navigation', payload: { href: push.url } } }]);
    const facts = computeScreenFacts(withNav, options);
    expect(facts.pages.map((p) => [p.url, p.firstMs, p.timeMs])).toEqual([
      [page(start.url), start.metaAtMs, push.atMs - start.metaAtMs!],
      [page(push.url), push.atMs, nav.metaAtMs! - push.atMs],
      [page(nav.url), nav.metaAtMs, session.durationMs - nav.metaAtMs! - (session.pause.endMs - session.pause.startMs)],
    ]);
    expect(facts.switches).toBe(2);
    expect(facts.appSwitches).toBe(0);
    expect(facts.apps).toEqual([{ app: new URL(start.url).origin, timeMs: facts.pages.reduce((n, p) => n + p.timeMs, 0) }]);
    expect(facts.observedMs).toBe(session.durationMs - toTimeline(events[0]!.timestamp) - (session.pause.endMs - session.pause.startMs));
    // A 25-second call: no stretch without interaction reaches 30 s.
    expect(facts.idleMs).toBe(0);
    expect(facts.interactionCounts.clicks).toBeGreaterThan(0);
    expect(facts.interactionCounts.inputs).toBeGreaterThan(0);
  });
});
