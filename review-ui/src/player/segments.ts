import type { ScreenSegmentEntry } from '@duet/protocol';

/**
 * Screen segments: the seek index lookup, fetching, integrity check, decoding and a small cache.
 *
 * Each segment is a gzip JSON array of rrweb events that starts with Meta + FullSnapshot, so it
 * replays on its own. Event timestamps are the agent's epoch ms; the manifest gives a segment's
 * times on the interaction timeline (ms since its start). The segment's first event is its Meta,
 * stamped at the segment's `startMs`, so `offset = events[0].timestamp − startMs` maps the agent's
 * clock to the timeline for that segment. We rebase every event to `timelineMs + epochBase`
 * (`epochBase` = the manifest's `startedAt`), so segments decoded separately share one time base
 * even if the server measured a different clock offset for each (a recorder that reconnected):
 * a replayer time is then simply `timelineMs − (its first event's timelineMs)`.
 */

export type ReplayEvent = { type: number; timestamp: number; data: unknown };

/** Index of the segment to show at timeline time `t`: the last one starting at or before it; -1 before the first. */
export function findSegmentIndex(segments: readonly Pick<ScreenSegmentEntry, 'startMs'>[], t: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.startMs <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export class SegmentError extends Error {
  constructor(
    message: string,
    readonly kind: 'integrity' | 'network' | 'format' | 'expired',
  ) {
    super(message);
    this.name = 'SegmentError';
  }
}

const RRWEB_META = 4;

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks the SHA-256 of the fetched bytes against the manifest, gunzips and rebases the events. */
export async function decodeSegment(bytes: ArrayBuffer, entry: Pick<ScreenSegmentEntry, 'sha256' | 'startMs'>, epochBase: number): Promise<ReplayEvent[]> {
  const digest = hex(await crypto.subtle.digest('SHA-256', bytes));
  if (digest !== entry.sha256) throw new SegmentError('This part of the screen recording does not match its checksum.', 'integrity');
  let text: string;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    text = await new Response(stream).text();
  } catch {
    throw new SegmentError('This part of the screen recording could not be unpacked.', 'format');
  }
  let events: unknown;
  try {
    events = JSON.parse(text);
  } catch {
    throw new SegmentError('This part of the screen recording is not valid JSON.', 'format');
  }
  if (!Array.isArray(events) || events.length === 0) throw new SegmentError('This part of the screen recording is empty.', 'format');
  const first = events[0] as Partial<ReplayEvent>;
  if (first.type !== RRWEB_META || typeof first.timestamp !== 'number') throw new SegmentError('This part of the screen recording does not start with a page snapshot.', 'format');
  const shift = epochBase + entry.startMs - first.timestamp;
  return (events as ReplayEvent[]).map((e) => ({ ...e, timestamp: e.timestamp + shift }));
}

type Fetcher = (url: string) => Promise<Response>;

/**
 * Loads segments by object key through the signed URLs of the media answer, keeping the last few
 * decoded ones (a seek back and forth within a minute fetches nothing) and sharing requests in flight.
 */
export class SegmentCache {
  private readonly decoded = new Map<string, Promise<ReplayEvent[]>>();

  private refreshing: Promise<void> | null = null;
  /** Asks the server for fresh signed URLs when they have expired (a long review); set by the player. */
  refresh: (() => Promise<Record<string, string>>) | null = null;

  constructor(
    private urls: Record<string, string>,
    private readonly epochBase: number,
    private readonly capacity = 8,
    private readonly fetcher: Fetcher = (url) => fetch(url, { credentials: 'same-origin' }),
  ) {}

  /** New signed URLs (after they expired); decoded segments stay valid: their checksums did not change. */
  updateUrls(urls: Record<string, string>): void {
    this.urls = urls;
  }

  has(key: string): boolean {
    return this.decoded.has(key);
  }

  get(entry: ScreenSegmentEntry): Promise<ReplayEvent[]> {
    const hit = this.decoded.get(entry.key);
    if (hit) {
      this.decoded.delete(entry.key);
      this.decoded.set(entry.key, hit);
      return hit;
    }
    const loading = this.load(entry);
    this.decoded.set(entry.key, loading);
    // A failed load must not stay cached: the next attempt fetches again.
    loading.catch(() => {
      if (this.decoded.get(entry.key) === loading) this.decoded.delete(entry.key);
    });
    while (this.decoded.size > this.capacity) {
      const oldest = this.decoded.keys().next().value;
      if (oldest === undefined) break;
      this.decoded.delete(oldest);
    }
    return loading;
  }

  /** A segment already being loaded elsewhere (the app's boot, player-prefetch.ts): kept as if this cache had asked. */
  seed(key: string, loading: Promise<ReplayEvent[]>): void {
    if (this.decoded.has(key)) return;
    this.decoded.set(key, loading);
    loading.catch(() => {
      if (this.decoded.get(key) === loading) this.decoded.delete(key);
    });
  }

  /** Starts loading without waiting; errors surface when the segment is really needed. */
  prefetch(entry: ScreenSegmentEntry | undefined): void {
    if (entry && !this.decoded.has(entry.key)) this.get(entry).catch(() => {});
  }

  private async load(entry: ScreenSegmentEntry): Promise<ReplayEvent[]> {
    try {
      return await this.loadOnce(entry);
    } catch (error) {
      // Signed URLs live minutes, reviews of long calls longer: renew them once and try again.
      if (!(error instanceof SegmentError && error.kind === 'expired') || !this.refresh) throw error;
      const refresh = this.refresh;
      this.refreshing ??= refresh()
        .then((urls) => this.updateUrls(urls))
        .finally(() => {
          this.refreshing = null;
        });
      await this.refreshing;
      return this.loadOnce(entry);
    }
  }

  private async loadOnce(entry: ScreenSegmentEntry): Promise<ReplayEvent[]> {
    const url = this.urls[entry.key];
    if (!url) throw new SegmentError('The server gave no link for this part of the screen recording.', 'network');
    let response: Response;
    try {
      response = await this.fetcher(url);
    } catch {
      throw new SegmentError('The screen recording could not be downloaded. Check your connection.', 'network');
    }
    if (response.status === 401 || response.status === 403) throw new SegmentError('The link to the screen recording has expired.', 'expired');
    if (!response.ok) throw new SegmentError(`The screen recording could not be downloaded (HTTP ${response.status}).`, 'network');
    return decodeSegment(await response.arrayBuffer(), entry, this.epochBase);
  }
}
