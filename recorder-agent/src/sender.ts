import { IngestEvent, type IngestAck } from '@duet/protocol/ingest-wire';
import type { Outbox, OutboxEntry, OutboxKind } from './outbox.js';
import { NoAnswer, type Transport } from './transport.js';

const EVENT: Record<OutboxKind, string> = { open: IngestEvent.open, chunk: IngestEvent.chunk, marker: IngestEvent.marker, end: IngestEvent.end };
/** Chunks in flight at once: enough to drain a backlog quickly, few enough to stay under the server's rate limit. */
const WINDOW = 4;

export interface SendFailure {
  kind: OutboxKind;
  error: string;
  message: string;
}

const inRanges = (seq: number, ranges: [number, number][]) => ranges.some(([a, b]) => seq >= a && seq <= b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drains the outbox in order. Chunks go out a few at a time; an `open`, a marker or an `end`
 * waits until everything written before it is acked, so the server never sees an `end` before
 * the chunks it closes. After each (re)connect it first asks which seqs the server already holds
 * and drops those entries, so a reload or a lost ack costs no resend.
 */
export class Sender {
  private running = false;
  private again = false;
  private synced = false;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly outbox: Outbox,
    private readonly onFailure: (f: SendFailure) => void,
    private readonly onProgress: () => void,
  ) {}

  /** The connection is new: held ranges must be asked again. */
  reconnected(): void {
    this.synced = false;
    this.kick();
  }

  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.again && !this.closed) {
        this.again = false;
        this.kick();
      }
    });
  }

  close(): void {
    this.closed = true;
  }

  private async drain(): Promise<void> {
    try {
      if (!this.synced) await this.dropHeld();
      this.synced = true;
      for (;;) {
        const entries = this.outbox.entries();
        if (entries.length === 0 || !this.transport.connected || this.closed) return;
        const batch: OutboxEntry[] = [];
        for (const e of entries) {
          if (e.kind !== 'chunk') {
            if (batch.length === 0) batch.push(e); // a control message goes alone, after everything before it
            break;
          }
          batch.push(e);
          if (batch.length >= WINDOW) break;
        }
        await Promise.all(batch.map((e) => this.sendOne(e)));
        this.onProgress();
      }
    } catch (err) {
      if (!(err instanceof NoAnswer)) throw err;
      // Offline or no ack: everything stays in the outbox; the next connect drains it.
    }
  }

  private async dropHeld(): Promise<void> {
    const streams = new Map<string, { interactionId: string; stream: string }>();
    for (const e of this.outbox.entries()) if (e.kind === 'chunk') streams.set(`${e.interactionId}|${e.stream}`, { interactionId: e.interactionId, stream: e.stream! });
    for (const s of streams.values()) {
      const ack = await this.transport.request(IngestEvent.held, s);
      if (!ack.ok || !ack.held) continue;
      for (const e of this.outbox.entries()) {
        if (e.kind === 'chunk' && e.interactionId === s.interactionId && e.stream === s.stream && inRanges(e.seq!, ack.held)) await this.outbox.remove(e.n!);
      }
    }
  }

  private async sendOne(e: OutboxEntry): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const ack: IngestAck = await this.transport.request(EVENT[e.kind], e.body, e.payload);
      if (ack.ok) return this.outbox.remove(e.n!);
      if (ack.retryAfterMs !== undefined || ack.error === 'internal') {
        // Timing only (rate limit, overload, a passing server error): the same message later.
        await sleep(Math.min(30_000, ack.retryAfterMs ?? 500 * 2 ** Math.min(attempt, 6)));
        continue;
      }
      // Refused for good (invalid, unknown or closed interaction): resending cannot help.
      await this.outbox.remove(e.n!);
      this.onFailure({ kind: e.kind, error: ack.error, message: ack.message });
      return;
    }
  }
}
