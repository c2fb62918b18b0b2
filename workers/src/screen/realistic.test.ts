import { performance } from 'node:perf_hooks';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { orderEvents, parseEvents, type RrwebEvent } from './events.js';
import { computeScreenFacts } from './screen-facts.js';
import { buildSeekIndex, findSegment } from './seek-index.js';
import { buildSegments, decodeSegment } from './segments.js';

/**
 * A deterministic, rrweb-shaped 10-minute stream of an agent working a CRM page: a ~1,000-node
 * DOM with inlined CSS, a full snapshot every 30 s (`checkoutEveryNms: 30_000`), and per minute
 * ~1,300 events (the rate MACHINE-NOTES measured for heavy activity): mutations (live timer, list
 * refreshes, autocomplete rows, class toggles), batched mouse moves, clicks, typing, scrolls.
 * It stands in for a recorded stream in size and shape; its text is drawn from small word lists,
 * so it compresses somewhat better than real pages do. Figures are printed, not asserted.
 */

/** mulberry32: tiny, fast, good enough for fixtures, and the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'account billing case customer order refund shipping address phone email status open closed pending escalated priority ' +
  'high low normal note call back agent team queue ticket product warranty return replace invoice payment card balance due ' +
  'credit debit plan upgrade downgrade contract renewal cancel request issue resolved update created assigned owner subject ' +
  'description details history activity summary notes contact name city street zip country region language preferred channel'
).split(' ');
const NAMES = 'Ana Ben Chloé Dmitri Emma Farid Grace Hiro Ines Jonas Kemal Lena Marta Noah Olga Pablo Quinn Rosa Sven Tariq'.split(' ');
const SURNAMES = 'Silva Müller Smith Nowak Rossi Dubois Tanaka Kowalski Jensen Garcia Novak Horvat Meyer Costa Berg'.split(' ');

const T0 = 1_763_900_000_000;
const MINUTES = 10;
const CHECKOUT_MS = 30_000;

function generateStream(seed: number): RrwebEvent[] {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const person = () => `${pick(NAMES)} ${pick(SURNAMES)}`;

  let nextId = 1;
  const text = (value: string) => ({ type: 3, textContent: value, id: nextId++ });
  const el = (tagName: string, attributes: Record<string, string | number>, childNodes: unknown[] = []) => ({
    type: 2,
    tagName,
    attributes,
    childNodes,
    id: nextId++,
  });
  const css = Array.from(
    { length: 220 },
    (_, i) => `.c${i}{margin:${i % 7}px ${i % 5}px;padding:${i % 4}px;color:#${(i * 2654435761).toString(16).slice(0, 6)};display:${i % 3 ? 'flex' : 'block'}}`,
  ).join('');
  const row = () =>
    el('tr', { class: 'case-row', 'data-case': int(10_000, 99_999) }, [
      el('td', { class: 'c1' }, [text(String(int(10_000, 99_999)))]),
      el('td', { class: 'c2' }, [text(person())]),
      el('td', { class: 'c3' }, [text(sentence(int(3, 8)))]),
      el('td', { class: `status ${pick(['open', 'pending', 'closed'])}` }, [text(pick(['Open', 'Pending', 'Closed', 'Escalated']))]),
      el('td', { class: 'c5' }, [text(`2026-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`)]),
    ]);
  const inputIds: number[] = [];
  const page = () => {
    nextId = 1;
    inputIds.length = 0;
    const fields = Array.from({ length: 14 }, (_, i) => {
      const field = el('input', { type: 'text', name: `f${i}`, class: 'field c9', placeholder: pick(WORDS), value: '' });
      inputIds.push(field.id);
      return el('label', { class: 'c8' }, [text(`${pick(WORDS)} ${pick(WORDS)}`), field]);
    });
    return {
      type: 0,
      id: nextId++,
      compatMode: 'CSS1Compat',
      childNodes: [
        { type: 1, name: 'html', publicId: '', systemId: '', id: nextId++ },
        el('html', { lang: 'en' }, [
          el('head', {}, [el('style', {}, [{ ...text(css), isStyle: true }]), el('title', {}, [text('Cases - CRM')])]),
          el('body', { class: 'app c0' }, [
            el('nav', { class: 'c1' }, Array.from({ length: 12 }, () => el('a', { href: `/${pick(WORDS)}`, class: 'c2' }, [text(pick(WORDS))]))),
            el('main', { class: 'c3' }, [
              el('table', { class: 'cases c4' }, [el('tbody', {}, Array.from({ length: 60 }, row))]),
              el('form', { class: 'c5' }, fields),
              el('aside', { class: 'c6' }, Array.from({ length: 20 }, () => el('p', { class: 'c7' }, [text(sentence(int(8, 20)))]))),
            ]),
          ]),
        ]),
      ],
    };
  };

  const events: RrwebEvent[] = [];
  const emit = (ms: number, type: number, data: unknown) => events.push({ type, timestamp: T0 + Math.round(ms), data });
  let lastCheckout = -Infinity;
  let maxId = 0;
  let x = 400;
  let y = 300;
  let typing: { id: number; text: string } | null = null;
  // ~22 events/s on average: each step emits one event and advances ~46 ms.
  for (let ms = 0; ms < MINUTES * 60_000; ms += rand() * 92) {
    if (ms - lastCheckout >= CHECKOUT_MS) {
      lastCheckout = ms;
      emit(ms, 4, { href: `https://crm.example.com/cases?view=${pick(WORDS)}`, width: 1600, height: 900 });
      emit(ms, 2, { node: page(), initialOffset: { left: 0, top: int(0, 800) } });
      maxId = nextId;
      continue;
    }
    const r = rand();
    if (r < 0.5) {
      // mutations: a ticking call timer, attribute toggles, list rows added and removed
      const kind = rand();
      if (kind < 0.5) emit(ms, 3, { source: 0, texts: [{ id: int(5, maxId - 1), value: `00:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}` }], attributes: [], removes: [], adds: [] });
      else if (kind < 0.95) emit(ms, 3, { source: 0, texts: [], attributes: [{ id: int(5, maxId - 1), attributes: { class: `case-row ${pick(['selected', 'hover', ''])}`, style: rand() < 0.3 ? `opacity:${rand().toFixed(2)}` : null } }], removes: [], adds: [] });
      else {
        const added = row();
        maxId = nextId;
        emit(ms, 3, { source: 0, texts: [], attributes: [], removes: [{ parentId: int(5, 50), id: int(50, maxId - 20) }], adds: [{ parentId: int(5, 50), nextId: null, node: added }] });
      }
    } else if (r < 0.62) {
      const positions = Array.from({ length: int(2, 6) }, (_, i) => {
        x = Math.max(0, Math.min(1600, x + int(-40, 40)));
        y = Math.max(0, Math.min(900, y + int(-30, 30)));
        return { x, y, id: int(5, maxId - 1), timeOffset: -500 + i * 50 };
      });
      emit(ms, 3, { source: 1, positions });
    } else if (r < 0.68) {
      emit(ms, 3, { source: 2, type: pick([0, 1, 2, 2, 5, 6]), id: int(5, maxId - 1), x, y, pointerType: 0 });
    } else if (r < 0.9) {
      if (!typing || rand() < 0.05) typing = { id: pick(inputIds), text: '' };
      const before = typing.text;
      typing.text = rand() < 0.1 ? typing.text.slice(0, -1) : typing.text + pick([...'abcdefghijklmnopqrstuvwxyz  0123456789']);
      // rrweb emits an Input only when the value changed
      if (typing.text !== before) emit(ms, 3, { source: 5, text: typing.text, isChecked: false, id: typing.id, userTriggered: true });
    } else if (r < 0.98) {
      emit(ms, 3, { source: 3, id: pick([1, int(5, maxId - 1)]), x: 0, y: int(0, 4000) });
    } else {
      emit(ms, 3, { source: 14, ranges: [{ start: int(5, maxId - 1), startOffset: int(0, 20), end: int(5, maxId - 1), endOffset: int(0, 20) }] });
    }
  }
  return events;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;

describe('a realistic 10-minute stream', () => {
  it('segments, reassembles and compresses; prints the figures', async () => {
    const events = generateStream(42);
    const json = JSON.stringify(events);
    // As delivered: JSON text in chunks of 50 events, every other chunk resent after its successor.
    const chunks = Array.from({ length: Math.ceil(events.length / 50) }, (_, k) => events.slice(k * 50, k * 50 + 50));
    const delivered: unknown = JSON.parse(JSON.stringify(chunks.flatMap((chunk, k) => (k % 2 === 1 ? [...chunk, ...chunks[k - 1]!] : chunk))));

    let t = performance.now();
    const parsed = parseEvents(delivered);
    const ordered = orderEvents(parsed);
    const orderMs = performance.now() - t;
    expect(ordered).toEqual(events);

    const toTimeline = (agentMs: number) => agentMs - T0;
    t = performance.now();
    const { segments, report } = await buildSegments(ordered, { toTimeline });
    const buildMs = performance.now() - t;
    t = performance.now();
    const facts = computeScreenFacts(ordered, { toTimeline });
    const factsMs = performance.now() - t;

    expect(segments).toHaveLength((MINUTES * 60_000) / CHECKOUT_MS);
    expect(report).toEqual({ droppedBeforeFirstSnapshot: 0, droppedInPauses: 0, fullSnapshotsWithoutMeta: 0, pausesWithoutResumeSnapshot: 0, oversizedSegments: [] });
    expect((await Promise.all(segments.map((s) => decodeSegment(s.body)))).flat()).toEqual(events);
    const index = buildSeekIndex(segments);
    expect(findSegment(index, segments[10]!.startMs)?.index).toBe(10);
    expect(findSegment(index, segments[10]!.startMs - 1)?.index).toBe(9);

    // The same segments under other encoders, to justify the default.
    const raws = segments.map((_, i) => Buffer.from(JSON.stringify(segmentEvents(ordered, segments, i))));
    const variants: [string, (raw: Buffer) => Buffer][] = [
      ['gzip -6', (raw) => gzipSync(raw, { level: 6 })],
      ['gzip -9', (raw) => gzipSync(raw, { level: 9 })],
      ['brotli q4', (raw) => brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT } })],
      ['brotli q5', (raw) => brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT } })],
      ['brotli q7', (raw) => brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 7, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT } })],
      // q11 (~25% smaller than q5 here) takes ~100x as long (15 s for this stream): not run each time.
    ];
    const rawTotal = raws.reduce((sum, r) => sum + r.length, 0);
    expect(rawTotal).toBe(segments.reduce((sum, s) => sum + s.rawBytes, 0));
    const lines = variants.map(([name, compress]) => {
      const start = performance.now();
      const size = raws.reduce((sum, raw) => sum + compress(raw).length, 0);
      const took = performance.now() - start;
      return `  ${name.padEnd(10)} ${kb(size).padStart(8)}  ratio ${(rawTotal / size).toFixed(1).padStart(5)}x  ${ms(took).padStart(7)} (${(took / (rawTotal / 1048576)).toFixed(0)} ms/MB)`;
    });
    const stored = segments.reduce((sum, s) => sum + s.bytes, 0);
    console.log(
      [
        `[screen] synthetic ${MINUTES} min: ${events.length} events (${(events.length / MINUTES).toFixed(0)}/min), JSON ${kb(json.length)} (${kb(json.length / MINUTES)}/min), ${segments.length} segments`,
        `  parse+order+dedupe of ${parsed.length} delivered events: ${ms(orderMs)}; buildSegments (default encoding): ${ms(buildMs)}; computeScreenFacts: ${ms(factsMs)}`,
        `  stored: ${kb(stored)} of ${kb(rawTotal)} (ratio ${(rawTotal / stored).toFixed(1)}x), largest segment ${kb(Math.max(...segments.map((s) => s.rawBytes)))} raw`,
        `  per-segment encoders (sync, one thread):`,
        ...lines,
      ].join('\n'),
    );
    expect(facts.pages).toHaveLength(1);
  });
});

/** The events of segment `i`, recovered from the ordered stream by counts (the stream has no drops). */
function segmentEvents(ordered: RrwebEvent[], segments: { eventCount: number }[], i: number): RrwebEvent[] {
  const start = segments.slice(0, i).reduce((sum, s) => sum + s.eventCount, 0);
  return ordered.slice(start, start + segments[i]!.eventCount);
}
