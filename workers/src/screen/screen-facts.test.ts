import { describe, expect, it } from 'vitest';
import type { RrwebEvent } from './events.js';
import { computeScreenFacts, pageOf, type InteractionCounts } from './screen-facts.js';

// Timestamps are written relative to T0 (agent clock); the timeline is the same ms.
const T0 = 1_700_000_000_000;
const toTimeline = (agentMs: number) => agentMs - T0;
const ev = (ms: number, type: number, data: unknown): RrwebEvent => ({ type, timestamp: T0 + ms, data });

const meta = (ms: number, href: string) => ev(ms, 4, { href, width: 1280, height: 800 });
const full = (ms: number) => ev(ms, 2, { node: { type: 0, id: 1, childNodes: [] }, initialOffset: { left: 0, top: 0 } });
const navigate = (ms: number, href: string) => ev(ms, 5, { tag: 'navigation', payload: { href } });
const mouse = (ms: number) => ev(ms, 3, { source: 1, positions: [{ x: 1, y: 1, id: 2, timeOffset: 0 }] });
const click = (ms: number) => ev(ms, 3, { source: 2, type: 2, id: 2, x: 1, y: 1 });
const input = (ms: number, text: string, userTriggered?: boolean) => ev(ms, 3, { source: 5, id: 9, text, isChecked: false, userTriggered });
const scroll = (ms: number) => ev(ms, 3, { source: 3, id: 1, x: 0, y: 100 });
const mutation = (ms: number) => ev(ms, 3, { source: 0, texts: [], attributes: [], removes: [], adds: [] });

const zero: InteractionCounts = { mouseMoves: 0, clicks: 0, mouseInteractions: 0, scrolls: 0, inputs: 0, touchMoves: 0, selections: 0, drags: 0 };

/**
 * One tab, 280 s: a CRM case list, an SPA route change to a case (Custom event), 61 s without
 * interaction, a full page load into the billing app, a PCI pause (with a payment page and card
 * input the recorder should not have sent), a checkout Meta repeating the page on resume, and an
 * SPA route back to the case.
 */
const session: RrwebEvent[] = [
  meta(0, 'https://crm.test/cases?q=smith#top'),
  full(0),
  mouse(2_000),
  click(5_000),
  input(8_000, 'S'),
  navigate(10_000, 'https://crm.test/cases/42?tab=notes'),
  input(12_000, 'n'),
  input(13_000, 'no'),
  meta(30_000, 'https://crm.test/cases/42?tab=notes'), // checkout: same page
  full(30_000),
  scroll(40_000),
  mutation(70_000), // the page changing by itself is not the agent interacting
  meta(100_000, 'https://billing.test/invoices?account=123'),
  full(100_000),
  click(101_000),
  mouse(120_000),
  input(145_000, '12.50'),
  click(170_000),
  navigate(205_000, 'https://pay.test/card'), // inside the pause: ignored
  input(210_000, '4111111111111111'), // inside the pause: ignored
  meta(230_000, 'https://billing.test/invoices'), // resume snapshot: same page
  full(230_000),
  mouse(235_000),
  navigate(250_000, 'https://crm.test/cases/42'),
  click(255_000),
];

describe('computeScreenFacts', () => {
  it('reports pages, apps, switches, idle time and input counts for a session with a pause', () => {
    const facts = computeScreenFacts(session, { toTimeline, pauses: [{ startMs: 200_000, endMs: 230_000 }], endMs: 280_000 });
    expect(facts).toEqual({
      pages: [
        { url: 'https://crm.test/cases', app: 'https://crm.test', firstMs: 0, timeMs: 10_000, visits: 1 },
        // 10 s → 100 s, then 250 s → 280 s
        { url: 'https://crm.test/cases/42', app: 'https://crm.test', firstMs: 10_000, timeMs: 120_000, visits: 2 },
        // 100 s → 250 s minus the 30 s pause
        { url: 'https://billing.test/invoices', app: 'https://billing.test', firstMs: 100_000, timeMs: 120_000, visits: 1 },
      ],
      apps: [
        { app: 'https://crm.test', timeMs: 130_000 },
        { app: 'https://billing.test', timeMs: 120_000 },
      ],
      switches: 3,
      appSwitches: 2,
      // 40 s → 101 s. Not 170 s → 235 s: the pause splits it into 30 s (not longer than the threshold) and 5 s.
      idleMs: 61_000,
      idleStretches: [{ startMs: 40_000, endMs: 101_000 }],
      observedMs: 250_000,
      interactionCounts: { ...zero, mouseMoves: 3, clicks: 4, mouseInteractions: 4, scrolls: 1, inputs: 4 },
      unreadableNavigations: 0,
    });
    expect(facts.pages.reduce((sum, p) => sum + p.timeMs, 0)).toBe(facts.observedMs);
  });

  it('applies toTimeline to every time it outputs', () => {
    const facts = computeScreenFacts(session.slice(0, 6), { toTimeline: (agentMs) => agentMs - T0 + 500 });
    expect(facts.pages.map((p) => [p.url, p.firstMs, p.timeMs])).toEqual([
      ['https://crm.test/cases', 500, 10_000],
      ['https://crm.test/cases/42', 10_500, 0],
    ]);
  });

  it.each<[string, RrwebEvent[], { endMs?: number; idleThresholdMs?: number }, Record<string, unknown>]>([
    ['an empty stream', [], {}, { pages: [], observedMs: 0, idleMs: 0 }],
    [
      'ends at the last event by default; idle counts from the stream start',
      [meta(0, 'https://a.test/'), click(35_000), click(36_000)],
      {},
      { observedMs: 36_000, idleMs: 35_000, idleStretches: [{ startMs: 0, endMs: 35_000 }] },
    ],
    [
      'ignores events after endMs and counts a quiet end as idle',
      [meta(0, 'https://a.test/'), click(1_000), click(90_000)],
      { endMs: 60_000 },
      { observedMs: 60_000, idleMs: 59_000, interactionCounts: { ...zero, clicks: 1, mouseInteractions: 1 } },
    ],
    [
      'uses the threshold it is given, strictly',
      [meta(0, 'https://a.test/'), click(10_000), click(20_000), click(30_001)],
      { idleThresholdMs: 10_000 },
      { idleMs: 10_001, idleStretches: [{ startMs: 20_000, endMs: 30_001 }] },
    ],
    [
      'does not count programmatic input (userTriggered: false) as the agent',
      [meta(0, 'https://a.test/'), click(1_000), input(20_000, 'auto', false), input(25_000, 'x', true), click(60_000)],
      {},
      { idleMs: 35_000, interactionCounts: { ...zero, clicks: 2, mouseInteractions: 2, inputs: 1 } },
    ],
    [
      'gives time before the first navigation to no page',
      [click(0), meta(5_000, 'https://a.test/x'), click(9_000)],
      {},
      { pages: [{ url: 'https://a.test/x', app: 'https://a.test', firstMs: 5_000, timeMs: 4_000, visits: 1 }], observedMs: 9_000 },
    ],
    [
      'counts unreadable navigations and ignores other custom events',
      [
        meta(0, 'https://a.test/'),
        ev(1_000, 5, { tag: 'navigation', payload: {} }),
        meta(2_000, 'not a url'),
        ev(3_000, 5, { tag: 'note', payload: { href: 'https://b.test/' } }),
        click(4_000),
      ],
      {},
      { unreadableNavigations: 2, switches: 0, apps: [{ app: 'https://a.test', timeMs: 4_000 }] },
    ],
    [
      'counts a return to a page as a visit and a switch, a reload of it as neither',
      [meta(0, 'https://a.test/'), navigate(1_000, 'https://a.test/b'), meta(2_000, 'https://a.test/b#reloaded'), navigate(3_000, 'https://a.test/'), click(4_000)],
      {},
      { switches: 2, appSwitches: 0, pages: [expect.objectContaining({ visits: 2, timeMs: 2_000 }), expect.objectContaining({ visits: 1, timeMs: 2_000 })] },
    ],
  ])('%s', (_name, events, options, expected) => {
    expect(computeScreenFacts(events, { toTimeline, ...options })).toMatchObject(expected);
  });

  it('refuses events that are not ordered', () => {
    expect(() => computeScreenFacts([click(10), click(5)], { toTimeline })).toThrow(/goes back in time/);
  });
});

describe('pageOf', () => {
  it.each([
    ['https://crm.test/cases/42?phone=555#notes', { url: 'https://crm.test/cases/42', app: 'https://crm.test' }],
    ['https://user:secret@crm.test:8443/a/', { url: 'https://crm.test:8443/a/', app: 'https://crm.test:8443' }],
    ['http://CRM.test', { url: 'http://crm.test/', app: 'http://crm.test' }],
    ['about:blank', { url: 'about:', app: 'about:' }],
    ['data:text/html,<b>card 4111</b>', { url: 'data:', app: 'data:' }],
    ['/relative/path', undefined],
  ])('%s', (href, expected) => {
    expect(pageOf(href)).toEqual(expected);
  });
});
