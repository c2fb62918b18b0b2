import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants as zlib, gunzip, gzip } from 'node:zlib';
import { assertOrdered, EventType, parseEvents, type RrwebEvent } from './events.js';
import { isPaused, normalizePauses, type TimelineInterval } from './pauses.js';

/**
 * Cuts one screen stream (one tab) into independently replayable, compressed segments.
 *
 * A segment starts at an rrweb FullSnapshot (with the Meta event just before it, which the
 * replayer needs for the viewport size) and runs until the next one, so the player can start
 * replaying at any segment without fetching earlier ones. Where the cuts fall is decided in the
 * browser: rrweb's `checkoutEveryNms` takes a full snapshot every N ms. We cannot cut anywhere
 * else, because making a full snapshot server-side would mean replaying the DOM here. So a
 * recorder without checkouts yields one segment per page load, however large; segments over
 * {@link SEGMENT_SOFT_LIMITS} are listed in the report for the finalize job to log, not split.
 */

/** How a segment body is compressed; stored with the segment so the format can change later. */
export type SegmentEncoding = 'br' | 'gzip';

/**
 * gzip -9, because the player must be able to decode a segment wherever Duet is deployed.
 * Brotli is smaller (measured per segment on realistic.test.ts's 3.5 MB: brotli q5 9.8x, gzip -9
 * 9.0x; on the recorded Chromium fixture 12.1x against 10.4x), but checked in Chromium 156 here:
 * over plain HTTP to anything but localhost the browser does not ask for `br` and fails a fetch
 * whose response says `Content-Encoding: br`, and `DecompressionStream` has no brotli. gzip is
 * decoded by `DecompressionStream('gzip')` in every current browser, from a presigned S3 URL as
 * from Duet's own, with no Content-Encoding header at all, so the player can also check the
 * segment's SHA-256 on the bytes it fetched. The cost is about 16 % more screen bytes (0.1 MB
 * per recorded hour). Brotli stays selectable for a future player that brings its own decoder.
 */
export const DEFAULT_SEGMENT_ENCODING: SegmentEncoding = 'gzip';

/** Brotli quality used for segments: the knee of the size/time curve for rrweb JSON. */
export const BROTLI_QUALITY = 5;

/**
 * Beyond these a segment is slow to fetch before the first frame and slow to seek inside (the
 * replayer applies every event from the snapshot to the target time). The recorder should set
 * `checkoutEveryNms` well under the duration limit (e.g. 30 s) to stay within both.
 */
export const SEGMENT_SOFT_LIMITS = { rawBytes: 2 * 1024 * 1024, durationMs: 60_000 } as const;

/** One replayable piece of a screen stream. All times are on the interaction timeline (ms). */
export interface ScreenSegment {
  /** 0-based position in the stream */
  index: number;
  /** time of the segment's first event (its Meta, or the full snapshot when there is no Meta) */
  startMs: number;
  /** time of its last event; the screen it shows stays valid until the next segment's start */
  endMs: number;
  /** time of the full snapshot the segment replays from */
  fullSnapshotMs: number;
  eventCount: number;
  /** size of `body` */
  bytes: number;
  /** size of the JSON before compression */
  rawBytes: number;
  /** hex SHA-256 of `body`, for integrity checks and idempotent uploads */
  sha256: string;
  encoding: SegmentEncoding;
  /** the compressed JSON array of the segment's rrweb events */
  body: Buffer;
}

/** What {@link buildSegments} could not put into a segment, or would rather someone looked at. */
export interface SegmentsReport {
  /** events before the first full snapshot: nothing to replay them onto, so no segment has them */
  droppedBeforeFirstSnapshot: number;
  /** events inside a pause: kept out of the media, as the pause promises */
  droppedInPauses: number;
  /** full snapshots with no Meta right before them: they replay with the replayer's default size */
  fullSnapshotsWithoutMeta: number;
  /**
   * pauses after which DOM changes resume before a fresh full snapshot: the DOM changed unseen
   * during the pause, so replay may be wrong until the next snapshot (the recorder should take
   * one on resume)
   */
  pausesWithoutResumeSnapshot: number;
  /** indexes of segments over {@link SEGMENT_SOFT_LIMITS} */
  oversizedSegments: number[];
}

export interface BuildSegmentsOptions {
  /** agent epoch ms to interaction timeline ms (clock offset applied); must never decrease */
  toTimeline: (agentEpochMs: number) => number;
  /** pause intervals on the timeline; events inside them are dropped */
  pauses?: readonly TimelineInterval[];
  encoding?: SegmentEncoding;
}

const brotliCompressAsync = promisify(brotliCompress);
const brotliDecompressAsync = promisify(brotliDecompress);
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Serializes and compresses events as one segment body. Deterministic: the same events give the
 * same bytes (on the same zlib/brotli build), which is what makes re-running finalize idempotent.
 * Asynchronous because compression then runs on libuv's thread pool: in the embedded mode the
 * worker shares its process with the ingest server, whose acks must not wait on brotli.
 */
export async function encodeSegment(
  events: readonly RrwebEvent[],
  encoding: SegmentEncoding = DEFAULT_SEGMENT_ENCODING,
): Promise<{ body: Buffer; rawBytes: number }> {
  const raw = Buffer.from(JSON.stringify(events), 'utf8');
  const body =
    encoding === 'br'
      ? await brotliCompressAsync(raw, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
            [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : await gzipAsync(raw, { level: 9 });
  return { body, rawBytes: raw.length };
}

/** Decompresses and parses a segment body back into its events (validated with `parseEvents`). */
export async function decodeSegment(body: Uint8Array, encoding: SegmentEncoding = DEFAULT_SEGMENT_ENCODING): Promise<RrwebEvent[]> {
  const raw = encoding === 'br' ? await brotliDecompressAsync(body) : await gunzipAsync(body);
  return parseEvents(JSON.parse(raw.toString('utf8')));
}

/**
 * Splits an ordered, deduplicated stream (the output of `orderEvents`) into segments.
 *
 * Rules: events inside a pause are dropped first (a full snapshot inside a pause too: it may show
 * the card number the pause hides). Each remaining FullSnapshot starts a segment, together with
 * the event before it when that is a Meta (rrweb emits Meta then FullSnapshot synchronously, so
 * they are adjacent). Every later event belongs to the segment it follows. Events before the first
 * segment are counted, not replayed. Concatenating the segments' events gives back exactly the
 * input minus the counted drops.
 */
export async function buildSegments(
  events: readonly RrwebEvent[],
  options: BuildSegmentsOptions,
): Promise<{ segments: ScreenSegment[]; report: SegmentsReport }> {
  assertOrdered(events, 'buildSegments');
  const { toTimeline, encoding = DEFAULT_SEGMENT_ENCODING } = options;
  const pauses = normalizePauses(options.pauses);
  const report: SegmentsReport = {
    droppedBeforeFirstSnapshot: 0,
    droppedInPauses: 0,
    fullSnapshotsWithoutMeta: 0,
    pausesWithoutResumeSnapshot: 0,
    oversizedSegments: [],
  };

  const kept: RrwebEvent[] = [];
  const times: number[] = [];
  for (const event of events) {
    const t = toTimeline(event.timestamp);
    if (isPaused(pauses, t)) {
      report.droppedInPauses++;
      continue;
    }
    kept.push(event);
    times.push(t);
  }

  // A resume is fine when a full snapshot comes before any incremental event: every incremental
  // event (a mutation, but also an input or scroll naming a node id) assumes the DOM it follows.
  let cursor = 0;
  for (const pause of pauses) {
    while (cursor < kept.length && times[cursor]! < pause.endMs) cursor++;
    for (let i = cursor; i < kept.length; i++) {
      const { type } = kept[i]!;
      if (type === EventType.FullSnapshot) break;
      if (type === EventType.IncrementalSnapshot) {
        report.pausesWithoutResumeSnapshot++;
        break;
      }
    }
  }

  const starts: { start: number; snapshot: number }[] = [];
  for (let i = 0; i < kept.length; i++) {
    if (kept[i]!.type !== EventType.FullSnapshot) continue;
    const hasMeta = i > 0 && kept[i - 1]!.type === EventType.Meta;
    if (!hasMeta) report.fullSnapshotsWithoutMeta++;
    starts.push({ start: hasMeta ? i - 1 : i, snapshot: i });
  }
  report.droppedBeforeFirstSnapshot = starts[0]?.start ?? kept.length;

  const segments: ScreenSegment[] = [];
  // One segment at a time: memory holds one segment's JSON, not the whole stream's twice over.
  for (const [index, { start, snapshot }] of starts.entries()) {
    const end = starts[index + 1]?.start ?? kept.length;
    const { body, rawBytes } = await encodeSegment(kept.slice(start, end), encoding);
    const segment: ScreenSegment = {
      index,
      startMs: times[start]!,
      endMs: times[end - 1]!,
      fullSnapshotMs: times[snapshot]!,
      eventCount: end - start,
      bytes: body.length,
      rawBytes,
      sha256: createHash('sha256').update(body).digest('hex'),
      encoding,
      body,
    };
    if (rawBytes > SEGMENT_SOFT_LIMITS.rawBytes || segment.endMs - segment.startMs > SEGMENT_SOFT_LIMITS.durationMs) {
      report.oversizedSegments.push(index);
    }
    segments.push(segment);
  }
  return { segments, report };
}
