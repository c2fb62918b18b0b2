import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { ChunkMeta } from '@duet/protocol';
import type { DB } from '../db/schema.js';
import { IngestError, type IngestSource } from './ingest.js';
import { chunkSha256, precheckChunk, storeChunkBatch, type ChunkOutcome, type ChunkWrite } from './ingest-batch.js';

export interface ChunkBatcherOptions {
  /** a batch is stored once it holds this many chunks… */
  maxBatch?: number;
  /** …or once its oldest chunk has waited this long (ms) */
  maxWaitMs?: number;
  /**
   * Batches being stored at once. While all are busy, new chunks wait and the next batch grows:
   * under load the cost per chunk falls instead of the queue for connections growing.
   */
  maxConcurrent?: number;
  /** chunks taken but not yet answered; beyond this `store` refuses at once with `overloaded` */
  maxInFlight?: number;
  /**
   * Time bound of admission: while a full batch (`maxBatch` chunks) is waiting for a slot and the
   * oldest waiting chunk has waited this long (ms), `store` refuses at once with `overloaded`.
   * A commit that stalls (the database is starved of CPU or I/O) then sheds new chunks after this
   * long instead of queueing them behind the stall, so accepted chunks keep a bounded latency,
   * whatever the chunk rate. A short queue is never refused however long it waits. Default 500 ms:
   * at 150 ms the bench's 800-agent step shed 958 chunks on sub-second CPU hiccups while its p99
   * was 61 ms, which turns a passing moment into a resend storm; 500 ms sheds only real overload.
   */
  maxQueueWaitMs?: number;
  /** `last_data_at` is written at most this often per interaction by this process (ms) */
  touchEveryMs?: number;
  /** the clock of that throttle (tests); batching itself runs on the real clock */
  now?: () => number;
}

interface Pending {
  write: ChunkWrite;
  sha: string;
  at: number;
  resolve: (r: { duplicate: boolean }) => void;
  reject: (err: unknown) => void;
}

/** PostgreSQL's deadlock_detected: two batches touched the same interactions in another order. */
const DEADLOCK = '40P01';

/**
 * Group commit for ingest: chunks from every connection of the process are collected for at most
 * `maxWaitMs` (or `maxBatch` chunks) and stored by one statement with one commit
 * (`storeChunkBatch`); each chunk's promise settles only after that commit, so an ack still means
 * durable. One statement per batch instead of five per chunk is what lets one process hold
 * thousands of recorders (BENCHMARKS.md, "ingest").
 *
 * `last_data_at` (what idle close reads) is written with the batch, at most every `touchEveryMs`
 * per interaction, and only when the batch stored a new row for it: it lags the newest chunk by
 * at most that long (15 s by default), well inside the idle timeout of minutes, and a recording
 * no longer rewrites its interaction row every second.
 */
export class ChunkBatcher {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrent: number;
  private readonly maxInFlight: number;
  private readonly maxQueueWaitMs: number;
  private readonly touchEveryMs: number;
  private readonly now: () => number;
  private pending: Pending[] = [];
  private running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private closing = false;
  /** interaction id → when this process last wrote its `last_data_at` */
  private touched = new Map<string, number>();
  private lastSweep = 0;
  /** chunks answered per second, measured over the last second or so (for `retryAfterMs`) */
  private drained = { since: 0, count: 0, perSecond: 0 };

  constructor(
    private readonly db: Kysely<DB>,
    opts: ChunkBatcherOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 100;
    this.maxWaitMs = opts.maxWaitMs ?? 5;
    this.maxConcurrent = opts.maxConcurrent ?? 4;
    this.maxInFlight = opts.maxInFlight ?? 1000;
    this.maxQueueWaitMs = opts.maxQueueWaitMs ?? 500;
    this.touchEveryMs = opts.touchEveryMs ?? 15_000;
    this.now = opts.now ?? Date.now;
    this.drained.since = performance.now();
  }

  /** Chunks taken and not yet answered. */
  get load(): number {
    return this.inFlight;
  }

  /**
   * Stores one chunk with the next batch; resolves once it is committed (`duplicate` when the
   * same bytes were already held) and rejects with an IngestError when refused.
   */
  store(src: IngestSource, meta: ChunkMeta, payload: Uint8Array): Promise<{ duplicate: boolean }> {
    const pre = precheckChunk(payload);
    if (pre) return Promise.reject(pre);
    if (this.closing) return Promise.reject(this.overloaded('The server is shutting down'));
    if (this.inFlight >= this.maxInFlight) return Promise.reject(this.overloaded(`The server has ${this.inFlight} chunks waiting to be stored`));
    if (this.pending.length >= this.maxBatch) {
      const waited = performance.now() - this.pending[0]!.at;
      if (waited >= this.maxQueueWaitMs) return Promise.reject(this.overloaded(`The server's oldest waiting chunk has waited ${Math.round(waited)} ms to be stored`));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ write: { src, meta, payload }, sha: chunkSha256(payload), at: performance.now(), resolve, reject });
      this.inFlight++;
      this.kick();
    });
  }

  /** Stores what is pending and waits for every batch; later `store` calls are refused. */
  async close(): Promise<void> {
    this.closing = true;
    this.kick();
    while (this.running.size || this.pending.length) {
      await Promise.all(this.running);
      this.kick();
    }
  }

  private overloaded(why: string): IngestError {
    // Retry once the backlog has drained at the rate measured recently, spread by jitter so
    // refused recorders do not come back in step.
    const rate = Math.max(this.drained.perSecond, 100);
    const base = Math.min(5000, Math.max(100, Math.ceil((this.inFlight / rate) * 1000)));
    const retryAfterMs = Math.round(base * (1 + Math.random() * 0.5));
    return new IngestError('overloaded', `${why}; retry this chunk in ${retryAfterMs} ms.`, undefined, retryAfterMs);
  }

  /** Starts the batches that are due; `timerFired`: the oldest chunk's wait is over. */
  private kick(timerFired = false): void {
    while (this.pending.length && this.running.size < this.maxConcurrent) {
      // (libuv timers can fire a fraction of a ms early by performance.now: trust the timer)
      const due = timerFired || this.closing || this.pending.length >= this.maxBatch || performance.now() - this.pending[0]!.at >= this.maxWaitMs;
      if (!due) break;
      timerFired = false;
      this.start(this.pending.splice(0, this.maxBatch));
    }
    // While every batch slot is busy, the end of a batch calls kick again: no timer needed.
    if (this.pending.length && this.running.size < this.maxConcurrent && !this.timer) {
      const wait = Math.max(0, this.pending[0]!.at + this.maxWaitMs - performance.now());
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick(true);
      }, wait);
    }
  }

  private start(batch: Pending[]): void {
    const p = this.flush(batch).finally(() => {
      this.running.delete(p);
      this.kick();
    });
    this.running.add(p);
  }

  private async flush(batch: Pending[]): Promise<void> {
    // The same chunk twice in one batch (a resend racing its original): store it once, answer
    // the others from that one's outcome.
    const leaders: Pending[] = [];
    const followers = new Map<number, Pending[]>();
    const byKey = new Map<string, number>();
    for (const p of batch) {
      const m = p.write.meta;
      const key = `${p.write.src.agentId}|${m.interactionId}|${m.stream}|${m.seq}`;
      const at = byKey.get(key);
      if (at === undefined) {
        byKey.set(key, leaders.length);
        leaders.push(p);
      } else {
        const list = followers.get(at);
        if (list) list.push(p);
        else followers.set(at, [p]);
      }
    }
    const now = this.now();
    this.sweepTouched(now);
    const touch = new Map<string, number | undefined>();
    for (const p of leaders) {
      const id = p.write.meta.interactionId;
      if (touch.has(id)) continue;
      const last = this.touched.get(id);
      if (last !== undefined && now - last < this.touchEveryMs) continue;
      touch.set(id, last);
      this.touched.set(id, now); // claimed now, so a concurrent batch does not write it too
    }
    let outcomes: ChunkOutcome[];
    try {
      outcomes = await this.storeWithRetry(leaders, [...touch.keys()]);
    } catch (err) {
      for (const [id, last] of touch) this.restoreTouch(id, last);
      this.settled(batch.length);
      for (const p of batch) p.reject(err);
      return;
    }
    const stored = new Set<string>();
    outcomes.forEach((o, i) => {
      if (o.ok && !o.duplicate) stored.add(leaders[i]!.write.meta.interactionId);
    });
    for (const [id, last] of touch) if (!stored.has(id)) this.restoreTouch(id, last);
    this.settled(batch.length);
    outcomes.forEach((o, i) => {
      const leader = leaders[i]!;
      settle(leader, o);
      for (const f of followers.get(i) ?? []) {
        if (!o.ok) settle(f, o);
        else if (f.sha === leader.sha) settle(f, { ok: true, duplicate: true });
        else {
          const m = f.write.meta;
          settle(f, { ok: false, error: new IngestError('chunk_conflict', `Chunk ${m.stream}#${m.seq} was already stored with different content; a seq must never be reused.`) });
        }
      }
    });
  }

  private async storeWithRetry(leaders: Pending[], touch: string[]): Promise<ChunkOutcome[]> {
    const writes = leaders.map((p) => p.write);
    const shas = leaders.map((p) => p.sha);
    try {
      return await storeChunkBatch(this.db, writes, touch, shas);
    } catch (err) {
      if ((err as { code?: string }).code !== DEADLOCK) throw err;
      return storeChunkBatch(this.db, writes, touch, shas);
    }
  }

  private restoreTouch(id: string, last: number | undefined): void {
    if (last === undefined) this.touched.delete(id);
    else this.touched.set(id, last);
  }

  /** Entries older than `touchEveryMs` change nothing (the next chunk writes anyway): drop them. */
  private sweepTouched(now: number): void {
    if (now - this.lastSweep < this.touchEveryMs) return;
    this.lastSweep = now;
    for (const [id, at] of this.touched) if (now - at >= this.touchEveryMs) this.touched.delete(id);
  }

  private settled(n: number): void {
    this.inFlight -= n;
    const now = performance.now();
    this.drained.count += n;
    if (now - this.drained.since >= 1000) {
      this.drained.perSecond = (this.drained.count * 1000) / (now - this.drained.since);
      this.drained.since = now;
      this.drained.count = 0;
    }
  }
}

function settle(p: Pending, o: ChunkOutcome): void {
  if (o.ok) p.resolve({ duplicate: o.duplicate });
  else p.reject(o.error);
}
