/**
 * The smallest shape of an rrweb event the screen pipeline relies on, a validator for it, and the
 * ordering/dedupe step every later stage assumes has run.
 *
 * We do not import rrweb's own types: the worker needs three fields, rrweb adds event types and
 * sources between releases (2.2 has `Asset` = 7, `Annotation` = 8, `CustomElement` = 16 beyond the
 * classic list), and an unknown type must pass through to the replayer untouched rather than fail
 * finalization. So every number is accepted; the named ones below are those we act on.
 */

/** One rrweb event as recorded: `timestamp` is epoch ms on the agent's clock. */
export interface RrwebEvent {
  type: number;
  timestamp: number;
  data: unknown;
}

/** rrweb `EventType` values this package acts on. */
export const EventType = {
  DomContentLoaded: 0,
  Load: 1,
  FullSnapshot: 2,
  IncrementalSnapshot: 3,
  Meta: 4,
  Custom: 5,
  Plugin: 6,
} as const;

/** rrweb `IncrementalSource` values (the `data.source` of an IncrementalSnapshot). */
export const IncrementalSource = {
  Mutation: 0,
  MouseMove: 1,
  MouseInteraction: 2,
  Scroll: 3,
  ViewportResize: 4,
  Input: 5,
  TouchMove: 6,
  MediaInteraction: 7,
  StyleSheetRule: 8,
  CanvasMutation: 9,
  Font: 10,
  Log: 11,
  Drag: 12,
  StyleDeclaration: 13,
  Selection: 14,
  AdoptedStyleSheet: 15,
} as const;

/** rrweb `MouseInteractions` values (the `data.type` of a MouseInteraction). */
export const MouseInteraction = { Click: 2, DblClick: 4 } as const;

/** Thrown by {@link parseEvents}; the message names the first offending event's index. */
export class InvalidScreenEventsError extends Error {
  override readonly name = 'InvalidScreenEventsError';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Checks that `input` is an array of rrweb-shaped events and returns it typed. The events are the
 * same objects, not copies: a stream holds tens of thousands of them and a full snapshot can be
 * megabytes, and any extra field rrweb sets (e.g. `delay`) must reach the replayer unchanged.
 *
 * Rejects (with the index of the first bad event): non-objects, a `type` that is not a
 * non-negative integer, a `timestamp` that is not a finite number, and a missing `data` (rrweb sets
 * `data` on every event type; without it the replayer throws on a full snapshot).
 *
 * @throws {InvalidScreenEventsError}
 */
export function parseEvents(input: unknown): RrwebEvent[] {
  if (!Array.isArray(input)) throw new InvalidScreenEventsError(`screen events must be an array, got ${describeValue(input)}`);
  for (let i = 0; i < input.length; i++) {
    const event: unknown = input[i];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new InvalidScreenEventsError(`screen event #${i} must be an object, got ${describeValue(event)}`);
    }
    const { type, timestamp } = event as Record<string, unknown>;
    if (typeof type !== 'number' || !Number.isInteger(type) || type < 0) {
      throw new InvalidScreenEventsError(`screen event #${i}: type must be a non-negative integer, got ${describeValue(type)}`);
    }
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw new InvalidScreenEventsError(`screen event #${i}: timestamp must be a finite number (epoch ms), got ${describeValue(timestamp)}`);
    }
    if (!('data' in event) || (event as Record<string, unknown>).data === undefined) {
      throw new InvalidScreenEventsError(`screen event #${i} (type ${type}) has no data`);
    }
  }
  return input as RrwebEvent[];
}

/**
 * Sorts events by timestamp (stable: events of the same millisecond keep their input order, which
 * is rrweb's emission order, e.g. Meta before its FullSnapshot) and drops exact duplicates.
 *
 * Contract for the caller: pass the stream's chunks concatenated in `seq` order. Sorting repairs
 * order across milliseconds only; it cannot know the order of two events of the same millisecond
 * that arrived in the wrong order, so it keeps the order it was given.
 *
 * Dedupe key: `type`, `timestamp` and `JSON.stringify(data)`. Why this key: ingest already stores
 * each `(stream, seq)` once, so duplicates here come from a recorder that re-chunked and resent
 * events (e.g. after a reload restored its outbox) — the same event in two chunks, equal in every
 * field. An rrweb event has no id, so its content is its identity; `type` and `timestamp` alone
 * would merge distinct events (rrweb emits many per millisecond), and `data` alone would merge
 * repeated identical actions at different times. Two genuinely different events equal in all three
 * cannot be told apart by the replayer either, so keeping one loses nothing visible.
 *
 * Cost: duplicates share a timestamp, so only events in the same millisecond are compared, and
 * only when that millisecond holds more than one event; keys live for one millisecond's run, so
 * memory is bounded by the largest run, not the stream. The worst case is stringifying every event
 * once (a fully duplicated delivery): linear in the stream's JSON size, e.g. a few ms per MB.
 * The key is sensitive to property order; a resent copy is the same serialized bytes, so it is equal.
 */
export function orderEvents(events: readonly RrwebEvent[]): RrwebEvent[] {
  // Array.prototype.sort is stable (ES2019), which is the tie rule above.
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const out: RrwebEvent[] = [];
  let runStart = 0;
  while (runStart < sorted.length) {
    const timestamp = sorted[runStart]!.timestamp;
    let runEnd = runStart + 1;
    while (runEnd < sorted.length && sorted[runEnd]!.timestamp === timestamp) runEnd++;
    if (runEnd - runStart === 1) {
      out.push(sorted[runStart]!);
    } else {
      const seen = new Set<string>();
      for (let i = runStart; i < runEnd; i++) {
        const event = sorted[i]!;
        const key = `${event.type}|${JSON.stringify(event.data)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(event);
      }
    }
    runStart = runEnd;
  }
  return out;
}

/**
 * Throws unless timestamps never decrease: the later stages walk events once, in order, and a
 * caller that skipped {@link orderEvents} would otherwise get silently wrong segments and facts.
 */
export function assertOrdered(events: readonly RrwebEvent[], who: string): void {
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) {
      throw new Error(`${who}: events must be ordered by timestamp (run orderEvents first); event #${i} goes back in time`);
    }
  }
}
