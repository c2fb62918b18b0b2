import { describe, expect, it } from 'vitest';
import { encodeEvent, packBatches, splitMutation, utf8Length, type EventWithTime } from './screen-encoding.js';

const add = (id: number, text = 'Customer') => ({ parentId: 10, nextId: id > 100 ? id - 1 : null, node: { type: 2, id, tagName: 'li', attributes: { class: 'row' }, childNodes: [], text } });
const mutation = (adds: unknown[], rest: Partial<Record<'removes' | 'texts' | 'attributes', unknown[]>> = {}): EventWithTime => ({
  type: 3,
  timestamp: 1_000,
  data: { source: 0, removes: rest.removes ?? [], adds, texts: rest.texts ?? [], attributes: rest.attributes ?? [] },
});

describe('screen-encoding: chunks under the ingest limit', () => {
  it('counts UTF-8 bytes as the server does', () => {
    for (const s of ['plain', 'Zoë Müller', '東京 office', 'emoji 🙂 and 🎧', '']) expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
  });

  it('cuts a large mutation event into consecutive ones: removes first, adds in order, texts and attributes last', () => {
    const e = mutation(
      Array.from({ length: 5000 }, (_, i) => add(100 + i)),
      { removes: [{ parentId: 10, id: 7 }], texts: [{ id: 3, value: 'tick 9' }], attributes: [{ id: 4, attributes: { class: 'hot' } }] },
    );
    const whole = JSON.stringify(e).length;
    const parts = encodeEvent(e, 64 * 1024);
    expect(parts.length).toBeGreaterThan(whole / (64 * 1024));
    for (const p of parts) expect(p.bytes).toBeLessThanOrEqual(64 * 1024);
    const events = parts.map((p) => JSON.parse(p.json) as { timestamp: number; data: { removes: unknown[]; adds: { node: { id: number } }[]; texts: unknown[]; attributes: unknown[] } });
    expect(events.every((x) => x.timestamp === 1_000)).toBe(true);
    // the same operations, in the same order, each once
    expect(events.flatMap((x) => x.data.adds.map((a) => a.node.id))).toEqual(Array.from({ length: 5000 }, (_, i) => 100 + i));
    expect(events[0]!.data.removes).toEqual([{ parentId: 10, id: 7 }]);
    expect(events.slice(1).every((x) => x.data.removes.length === 0)).toBe(true);
    expect(events.at(-1)!.data.texts).toEqual([{ id: 3, value: 'tick 9' }]);
    expect(events.at(-1)!.data.attributes).toEqual([{ id: 4, attributes: { class: 'hot' } }]);
    expect(events.slice(0, -1).every((x) => x.data.texts.length === 0 && x.data.attributes.length === 0)).toBe(true);
  });

  it('keeps small events, other event types and an attach-iframe mutation whole', () => {
    expect(encodeEvent(mutation([add(100)]), 64)).toHaveLength(1);
    const snapshot: EventWithTime = { type: 2, timestamp: 5, data: { node: { type: 0, childNodes: [], filler: 'x'.repeat(1000) } } };
    expect(encodeEvent(snapshot, 100)).toHaveLength(1);
    const iframe = mutation(Array.from({ length: 50 }, (_, i) => add(100 + i)));
    (iframe.data as { isAttachIframe?: true }).isAttachIframe = true;
    expect(encodeEvent(iframe, 100)).toHaveLength(1);
    expect(splitMutation(mutation([add(100)]) as never)).toBeNull();
  });

  it('packs events into chunks of at most the limit, in order, with each chunk’s first and last time', () => {
    const events = Array.from({ length: 40 }, (_, i) => {
      const json = JSON.stringify({ type: 3, timestamp: 100 + i, data: { filler: 'é'.repeat(200 + i) } });
      return { json, bytes: utf8Length(json), ms: 100 + i };
    });
    const limit = 2_000;
    const batches = packBatches(events, limit);
    expect(batches.length).toBeGreaterThan(4);
    for (const b of batches) expect(Buffer.byteLength(b.json, 'utf8')).toBeLessThanOrEqual(limit);
    const back = batches.flatMap((b) => JSON.parse(b.json) as { timestamp: number }[]);
    expect(back.map((e) => e.timestamp)).toEqual(events.map((e) => e.ms));
    expect(batches.reduce((n, b) => n + b.count, 0)).toBe(40);
    for (const b of batches) {
      const times = (JSON.parse(b.json) as { timestamp: number }[]).map((e) => e.timestamp);
      expect([b.firstMs, b.lastMs]).toEqual([times[0], times.at(-1)]);
    }
    expect(packBatches([], limit)).toEqual([]);
  });
});
