import { assertOrdered, EventType, IncrementalSource, MouseInteraction, type RrwebEvent } from './events.js';
import { isPaused, normalizePauses, pausedWithin, unpausedParts, type TimelineInterval } from './pauses.js';

/**
 * Per-stream screen facts: which applications and pages an agent used in one tab, for how long,
 * how often they switched, how long they were idle, and how much they clicked and typed. The
 * quality practice asks for them ("how many applications and steps a simple request took").
 *
 * Navigation contract with the recorder. rrweb emits a Meta event (with `href`) at every page
 * load and every checkout, but nothing on a single-page app's `history.pushState` or
 * `replaceState`. So the recorder must emit, on each such route change, a Custom event:
 * `record.addCustomEvent('navigation', { href: location.href })`, which arrives as
 * `{ type: 5, data: { tag: 'navigation', payload: { href } } }`. Without it a route change is
 * only seen at the next checkout's Meta, late by up to `checkoutEveryNms`.
 *
 * Privacy: a page is identified by origin + pathname. Query and fragment are dropped because
 * they often carry customer data (`?phone=…`, `#/customer/…`, search terms). The pathname can
 * still hold ids (`/customers/123`); such pages are reported as they are.
 *
 * Pauses (PCI) are unobserved time: events inside them are ignored, and their time counts as
 * neither page time nor idle time.
 */

/** The Custom event tag the recorder uses for SPA route changes. */
export const NAVIGATION_TAG = 'navigation';

/** A stretch without user interaction longer than this is idle. */
export const DEFAULT_IDLE_THRESHOLD_MS = 30_000;

/** A page (origin + pathname) and the time spent on it, timeline ms. */
export interface PageFact {
  url: string;
  /** the origin (scheme + host + port) */
  app: string;
  /** when it was first entered */
  firstMs: number;
  /** total observed time on it (pauses excluded) */
  timeMs: number;
  /** how many times it was entered from another page (or first) */
  visits: number;
}

export interface AppFact {
  app: string;
  timeMs: number;
}

/** Counts of user interaction events, by rrweb source. Pause time excluded. */
export interface InteractionCounts {
  /** MouseMove events (rrweb batches positions: one event holds up to ~500 ms of movement) */
  mouseMoves: number;
  /** MouseInteraction events of type Click (also counted in `mouseInteractions`) */
  clicks: number;
  /** all MouseInteraction events: down, up, click, focus, blur, touch start/end… */
  mouseInteractions: number;
  scrolls: number;
  /** Input events the user made (rrweb emits one per value change, ~one per keystroke) */
  inputs: number;
  touchMoves: number;
  selections: number;
  drags: number;
}

export interface ScreenFacts {
  /** in order of first visit */
  pages: PageFact[];
  /** in order of first visit */
  apps: AppFact[];
  /** moves from one page to a different page (the first page is not a switch) */
  switches: number;
  /** of those, moves to a different application */
  appSwitches: number;
  /** sum of idle stretches (see {@link computeScreenFacts}) */
  idleMs: number;
  idleStretches: TimelineInterval[];
  /** stream time minus pauses: the denominator for idle and page time */
  observedMs: number;
  interactionCounts: InteractionCounts;
  /** navigation events (Meta or Custom) whose href could not be read; they change nothing */
  unreadableNavigations: number;
}

export interface ScreenFactsOptions {
  /** agent epoch ms to interaction timeline ms (clock offset applied); must never decrease */
  toTimeline: (agentEpochMs: number) => number;
  pauses?: readonly TimelineInterval[];
  /**
   * end of the stream on the timeline: the capture end of its last chunk. Default: its last
   * event. Not the interaction's end unless this tab was recorded until then, or a tab closed
   * early would show its last page (and idleness) until the call ended. Later events are ignored.
   */
  endMs?: number;
  idleThresholdMs?: number;
}

/**
 * The page and application of an href: `https://crm.example.com/cases/7?q=x#y` gives url
 * `https://crm.example.com/cases/7`, app `https://crm.example.com`. Schemes without an origin
 * (`about:`, `data:`, `file:`, `blob:`…) are reduced to the scheme alone, for url and app both,
 * because their path can be the content itself. `undefined` for an unparseable href.
 */
export function pageOf(href: string): { url: string; app: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(href);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { url: parsed.protocol, app: parsed.protocol };
  return { url: parsed.origin + parsed.pathname, app: parsed.origin };
}

/** The href a navigation event carries, `null` for other events, `undefined` when unreadable. */
function navigationHref(event: RrwebEvent): string | null | undefined {
  const data = event.data as Record<string, unknown> | null;
  if (event.type === EventType.Meta) {
    return typeof data?.href === 'string' ? data.href : undefined;
  }
  if (event.type === EventType.Custom && data?.tag === NAVIGATION_TAG) {
    const payload = data.payload as Record<string, unknown> | null | undefined;
    return typeof payload?.href === 'string' ? payload.href : undefined;
  }
  return null;
}

/** Which count a user interaction event adds to, or `null` when it is not one. */
function interactionKind(event: RrwebEvent): keyof InteractionCounts | null {
  if (event.type !== EventType.IncrementalSnapshot) return null;
  const data = event.data as Record<string, unknown> | null;
  switch (data?.source) {
    case IncrementalSource.MouseMove:
      return 'mouseMoves';
    case IncrementalSource.MouseInteraction:
      return data.type === MouseInteraction.Click ? 'clicks' : 'mouseInteractions';
    case IncrementalSource.Scroll:
      return 'scrolls';
    case IncrementalSource.Input:
      // With rrweb's `userTriggeredOnInput`, a value set by page script says so; it is not the agent.
      return data.userTriggered === false ? null : 'inputs';
    case IncrementalSource.TouchMove:
      return 'touchMoves';
    case IncrementalSource.Selection:
      return 'selections';
    case IncrementalSource.Drag:
      return 'drags';
    default:
      return null;
  }
}

/**
 * Computes {@link ScreenFacts} for one ordered, deduplicated stream (the output of `orderEvents`).
 *
 * Page time: a page is entered at a navigation event (Meta or Custom `navigation`) whose page
 * differs from the current one (a checkout's Meta repeats the current page and changes nothing;
 * a reload of the same page is not a new visit) and lasts until the next such event or `endMs`.
 * Time before the first navigation belongs to no page.
 *
 * Idle, precisely: take the observed time, i.e. `[first event, endMs]` with pauses cut out. Within
 * each observed part, the user interaction events (MouseMove, MouseInteraction, Scroll, Input made
 * by the user, TouchMove, Selection, Drag) and the part's own ends cut it into gaps. A gap longer
 * than `idleThresholdMs` is an idle stretch, and all of it counts (not only the excess over the
 * threshold): the threshold filters out reading and listening, but once passed, the whole stretch
 * had no interaction, and the player can show it as one block. A pause ends a gap: what happened
 * during it is unknown (the agent is usually typing card details), so two quiet stretches on
 * either side of a pause are not joined into one idle stretch.
 */
export function computeScreenFacts(events: readonly RrwebEvent[], options: ScreenFactsOptions): ScreenFacts {
  assertOrdered(events, 'computeScreenFacts');
  const { toTimeline, idleThresholdMs = DEFAULT_IDLE_THRESHOLD_MS } = options;
  const pauses = normalizePauses(options.pauses);
  const counts: InteractionCounts = { mouseMoves: 0, clicks: 0, mouseInteractions: 0, scrolls: 0, inputs: 0, touchMoves: 0, selections: 0, drags: 0 };
  const facts: ScreenFacts = {
    pages: [],
    apps: [],
    switches: 0,
    appSwitches: 0,
    idleMs: 0,
    idleStretches: [],
    observedMs: 0,
    interactionCounts: counts,
    unreadableNavigations: 0,
  };
  if (events.length === 0) return facts;

  const startMs = toTimeline(events[0]!.timestamp);
  const endMs = options.endMs ?? toTimeline(events.at(-1)!.timestamp);
  if (endMs <= startMs) return facts;

  const pages = new Map<string, PageFact>();
  const apps = new Map<string, AppFact>();
  let current: { page: PageFact; since: number } | undefined;
  const leave = (at: number): void => {
    if (!current) return;
    const observed = at - current.since - pausedWithin(pauses, current.since, at);
    current.page.timeMs += observed;
    apps.get(current.page.app)!.timeMs += observed;
  };
  const interactionTimes: number[] = [];

  for (const event of events) {
    const t = toTimeline(event.timestamp);
    if (t > endMs) break;
    if (isPaused(pauses, t)) continue;

    const kind = interactionKind(event);
    if (kind) {
      counts[kind]++;
      if (kind === 'clicks') counts.mouseInteractions++;
      interactionTimes.push(t);
      continue;
    }

    const href = navigationHref(event);
    if (href === null) continue;
    const where = href === undefined ? undefined : pageOf(href);
    if (!where) {
      facts.unreadableNavigations++;
      continue;
    }
    if (current?.page.url === where.url) continue;
    leave(t);
    if (current) {
      facts.switches++;
      if (current.page.app !== where.app) facts.appSwitches++;
    }
    let page = pages.get(where.url);
    if (!page) {
      page = { url: where.url, app: where.app, firstMs: t, timeMs: 0, visits: 0 };
      pages.set(where.url, page);
    }
    if (!apps.has(where.app)) apps.set(where.app, { app: where.app, timeMs: 0 });
    page.visits++;
    current = { page, since: t };
  }
  leave(endMs);

  // Idle stretches, part by observed part; interaction times are ascending and outside pauses.
  let next = 0;
  for (const part of unpausedParts(pauses, startMs, endMs)) {
    facts.observedMs += part.endMs - part.startMs;
    let last = part.startMs;
    const gap = (to: number): void => {
      if (to - last > idleThresholdMs) {
        facts.idleStretches.push({ startMs: last, endMs: to });
        facts.idleMs += to - last;
      }
      last = to;
    };
    while (next < interactionTimes.length && interactionTimes[next]! < part.endMs) gap(interactionTimes[next++]!);
    gap(part.endMs);
  }

  facts.pages = [...pages.values()];
  facts.apps = [...apps.values()];
  return facts;
}
