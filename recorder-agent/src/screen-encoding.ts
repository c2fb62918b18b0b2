/**
 * Screen events to chunk payloads that the server accepts: every chunk stays under the ingest
 * limit (`INGEST_LIMITS.maxChunkBytes`, counted decompressed), whatever the page does. A big
 * page's mutations drained at once (a pause, a stop, a checkout on a 15,000-node CRM) are one
 * rrweb event of 1.5 MB and more; cut into one chunk with the events around it, that chunk was
 * refused for good and its screen lost.
 */

/** What rrweb emits, as far as the recorder looks into it. */
export interface EventWithTime {
  type: number;
  timestamp: number;
  data: unknown;
}

/** One event's JSON, its size in UTF-8 bytes and its time. */
export interface EncodedEvent {
  json: string;
  bytes: number;
  ms: number;
}

/** Events cut for one chunk: their JSON array, how many, and the first and last timestamps. */
export interface ScreenBatch {
  json: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

/** rrweb's IncrementalSnapshot event type and its Mutation source */
const INCREMENTAL = 3;
const MUTATION = 0;

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x7f) continue;
    // two bytes up to U+07FF; a surrogate half is two of a pair's four; else three
    n += c <= 0x7ff || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

type MutationData = { source: number; removes: unknown[]; adds: unknown[]; texts: unknown[]; attributes: unknown[]; isAttachIframe?: true };
type Op = ['removes' | 'adds' | 'texts' | 'attributes', unknown];

function isSplittableMutation(e: EventWithTime): e is EventWithTime & { data: MutationData } {
  const d = e.data as Partial<MutationData> | null;
  return e.type === INCREMENTAL && d?.source === MUTATION && !d.isAttachIframe && Array.isArray(d.adds) && Array.isArray(d.removes) && Array.isArray(d.texts) && Array.isArray(d.attributes);
}

/**
 * A mutation event as two consecutive ones with the same time. The replayer applies an event's
 * removes, then its adds (each add refers to a parent and next sibling added before it or already
 * there), then texts and attributes: cutting that sequence anywhere keeps every reference pointing
 * backwards, so the two events rebuild exactly what the one did.
 */
export function splitMutation(e: EventWithTime & { data: MutationData }): [EventWithTime, EventWithTime] | null {
  const d = e.data;
  const ops: Op[] = [];
  for (const key of ['removes', 'adds', 'texts', 'attributes'] as const) for (const x of d[key]) ops.push([key, x]);
  if (ops.length < 2) return null;
  const half = (part: Op[]): EventWithTime => {
    const data: MutationData = { source: d.source, texts: [], attributes: [], removes: [], adds: [] };
    for (const [key, x] of part) data[key].push(x);
    return { type: e.type, timestamp: e.timestamp, data };
  };
  const mid = ops.length >> 1;
  return [half(ops.slice(0, mid)), half(ops.slice(mid))];
}

/**
 * The event's JSON, as several consecutive mutation events when it is a mutation event larger
 * than `maxEventBytes`. Any other event is kept whole (a full snapshot cannot be cut; with the
 * sliced rrweb it is the page's shell only).
 */
export function encodeEvent(e: EventWithTime, maxEventBytes: number): EncodedEvent[] {
  const json = JSON.stringify(e);
  const bytes = utf8Length(json);
  if (bytes > maxEventBytes && isSplittableMutation(e)) {
    const halves = splitMutation(e);
    if (halves) return [...encodeEvent(halves[0], maxEventBytes), ...encodeEvent(halves[1], maxEventBytes)];
  }
  return [{ json, bytes, ms: e.timestamp }];
}

/**
 * Encoded events in order, as chunk payloads of at most `maxChunkBytes` each (the JSON array's
 * brackets and commas counted). An event larger than that on its own goes alone (the server will
 * refuse it; only an unsplittable event can be that big).
 */
export function packBatches(events: readonly EncodedEvent[], maxChunkBytes: number): ScreenBatch[] {
  const batches: ScreenBatch[] = [];
  let from = 0;
  let bytes = 2;
  const cut = (to: number) => {
    if (to <= from) return;
    const part = events.slice(from, to);
    let firstMs = Infinity;
    let lastMs = -Infinity;
    for (const p of part) {
      firstMs = Math.min(firstMs, p.ms);
      lastMs = Math.max(lastMs, p.ms);
    }
    batches.push({ json: `[${part.map((p) => p.json).join(',')}]`, count: part.length, firstMs, lastMs });
    from = to;
  };
  for (let i = 0; i < events.length; i++) {
    if (i > from && bytes + 1 + events[i]!.bytes > maxChunkBytes) {
      cut(i);
      bytes = 2;
    }
    bytes += events[i]!.bytes + (i > from ? 1 : 0);
  }
  cut(events.length);
  return batches;
}
