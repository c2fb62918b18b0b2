import { createHash } from 'node:crypto';
import type { ObjectStore } from '@duet/core';
import { objectKey } from '@duet/core';
import type { ScreenStream } from '@duet/protocol';
import { buildSegments, computeScreenFacts, DEFAULT_SEGMENT_ENCODING, orderEvents, parseEvents, type RrwebEvent } from '../screen/index.js';
import type { FinalizeInput, LoadedChunk } from './load.js';

/** A screen stream's chunks (UTF-8 JSON arrays of rrweb events) joined in seq order. */
export function eventsOf(stream: string, chunks: readonly LoadedChunk[]): RrwebEvent[] {
  const all: unknown[] = [];
  for (const c of chunks) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(c.payload.toString('utf8'));
    } catch {
      throw new Error(`${stream}#${c.seq}: payload is not JSON`);
    }
    if (!Array.isArray(parsed)) throw new Error(`${stream}#${c.seq}: payload is not a JSON array of rrweb events`);
    all.push(...parsed);
  }
  return orderEvents(parseEvents(all));
}

const UPLOADS_IN_FLIGHT = 6;

/** Runs `fn` over `items` with at most `limit` promises pending; rejects on the first failure. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Segments, seek index and facts of one screen stream, uploaded to deterministic keys (a re-run
 * overwrites the same objects with the same bytes).
 */
export async function finalizeScreenStream(store: ObjectStore, input: FinalizeInput, stream: string, chunks: readonly LoadedChunk[]): Promise<ScreenStream> {
  const events = eventsOf(stream, chunks);
  const toTimeline = (agentMs: number) => Math.round(agentMs - input.clockOffsetMs - input.startedAt.getTime());
  const { segments } = await buildSegments(events, { toTimeline, pauses: input.pauses });
  const tab = stream.slice('screen:'.length);
  const entries = segments.map((s) => ({
    key: objectKey('interactions', input.interactionId, 'screen', tab, `${String(s.index).padStart(5, '0')}.json.${s.encoding}`),
    bytes: s.bytes,
    sha256: s.sha256,
    index: s.index,
    startMs: s.startMs,
    endMs: s.endMs,
    fullSnapshotMs: s.fullSnapshotMs,
    eventCount: s.eventCount,
  }));
  // A few uploads in flight: an S3 round trip per segment, one after another, adds up over an hour's 120.
  await mapLimit(segments, UPLOADS_IN_FLIGHT, (s, i) => store.put(entries[i]!.key, s.body, { contentType: s.encoding === 'gzip' ? 'application/gzip' : 'application/octet-stream', contentLength: s.body.byteLength }));
  const facts = computeScreenFacts(events, { toTimeline, pauses: input.pauses, endMs: chunks.at(-1)?.endMs ?? 0 });
  return {
    stream,
    encoding: segments[0]?.encoding ?? DEFAULT_SEGMENT_ENCODING,
    segments: entries,
    facts: { pages: facts.pages, apps: facts.apps, switches: facts.switches, appSwitches: facts.appSwitches, idleMs: facts.idleMs, observedMs: facts.observedMs },
  };
}

export const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
