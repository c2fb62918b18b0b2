import type { SeqRanges } from '@duet/protocol';

/** Adds `seq` to sorted, disjoint, non-adjacent inclusive ranges, in place. */
export function addSeq(ranges: [number, number][], seq: number): void {
  // Recorders send in order: the common case extends (or follows) the last range.
  const last = ranges.at(-1);
  if (!last || seq > last[1] + 1) {
    ranges.push([seq, seq]);
    return;
  }
  if (seq === last[1] + 1) {
    last[1] = seq;
    return;
  }
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (seq < r[0]) hi = mid - 1;
    else if (seq > r[1]) lo = mid + 1;
    else return; // already held
  }
  // ranges[lo - 1] ends before seq, ranges[lo] starts after it
  const before = ranges[lo - 1];
  const after = ranges[lo];
  const joinsBefore = before !== undefined && before[1] + 1 === seq;
  const joinsAfter = after !== undefined && after[0] - 1 === seq;
  if (joinsBefore && joinsAfter) {
    before[1] = after[1];
    ranges.splice(lo, 1);
  } else if (joinsBefore) before[1] = seq;
  else if (joinsAfter) after[0] = seq;
  else ranges.splice(lo, 0, [seq, seq]);
}

/** Adds every seq of `more` (ranges from the database) to `ranges`, in place. */
export function mergeRanges(ranges: [number, number][], more: SeqRanges): void {
  const all = [...ranges, ...more.map(([a, b]) => [a, b] as [number, number])].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of all) {
    const last = out.at(-1);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  ranges.splice(0, ranges.length, ...out);
}

interface Entry {
  ranges: [number, number][];
  /** connections that loaded this stream from the database and keep it alive */
  refs: number;
}

/**
 * What this process knows is held, per (interaction, stream), so a chunk ack can say which seqs
 * the server holds without reading every seq of the stream from the database per chunk (a cost
 * that grew with the call's length).
 *
 * A connection reads the database once per stream it writes (on its first chunk of it after a
 * connect, and for an explicit `held` request) and from then on adds what it stores. Entries are
 * shared by the connections of the process, so two connections of one agent writing the same
 * stream see each other's chunks; an entry lives while a connection that loaded it is open.
 * Everything recorded here was durable when added, so the answer never claims a seq that is not
 * stored. With several server processes, chunks another process stored after this connection's
 * read are missing from its acks until the next read: a recorder then resends them and gets
 * duplicates (safe); the `held` request always reads the database.
 */
export class HeldRegistry {
  private entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Connection-side view: which streams this connection has loaded. */
  connection(): HeldView {
    return new HeldView(this.entries);
  }
}

const keyOf = (interactionId: string, stream: string) => `${interactionId}\u0000${stream}`;

export class HeldView {
  /** streams this connection has loaded (or is loading) from the database */
  private loaded = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly entries: Map<string, Entry>) {}

  /**
   * The held ranges after `seq` was stored or found stored. `read` loads the stream from the
   * database the first time this connection sees it (after the chunk committed, so it is included).
   */
  async afterStore(interactionId: string, stream: string, seq: number, read: () => Promise<SeqRanges>): Promise<SeqRanges> {
    // A chunk answered after its connection closed: nobody keeps the entry alive, just read.
    if (this.closed) return read();
    const key = keyOf(interactionId, stream);
    let loading = this.loaded.get(key);
    if (!loading) {
      loading = this.load(key, read);
      this.loaded.set(key, loading);
    }
    await loading;
    const entry = this.entries.get(key);
    if (!entry) return read(); // closed while loading
    addSeq(entry.ranges, seq);
    return copy(entry.ranges);
  }

  /** The answer to a `held` request: what the database holds, also remembered for later acks. */
  async refresh(interactionId: string, stream: string, read: () => Promise<SeqRanges>): Promise<SeqRanges> {
    const key = keyOf(interactionId, stream);
    const fresh = await read();
    if (this.closed) return fresh;
    if (!this.loaded.has(key)) {
      const loading = this.load(key, async () => fresh);
      this.loaded.set(key, loading);
      await loading;
    }
    const entry = this.entries.get(key);
    if (!entry) return fresh;
    mergeRanges(entry.ranges, fresh);
    return copy(entry.ranges);
  }

  /** The connection closed: drop what no other connection of the process still uses. */
  release(): void {
    this.closed = true;
    for (const key of this.loaded.keys()) {
      const entry = this.entries.get(key);
      if (entry && --entry.refs <= 0) this.entries.delete(key);
    }
    this.loaded.clear();
  }

  private async load(key: string, read: () => Promise<SeqRanges>): Promise<void> {
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { ranges: [], refs: 0 }));
    entry.refs++;
    try {
      mergeRanges(entry.ranges, await read());
    } catch (err) {
      // Not loaded after all: the next chunk tries again (release() already let go if closed).
      if (!this.closed) {
        this.loaded.delete(key);
        if (--entry.refs <= 0 && this.entries.get(key) === entry) this.entries.delete(key);
      }
      throw err;
    }
  }
}

const copy = (ranges: [number, number][]): SeqRanges => ranges.map(([a, b]) => [a, b]);
