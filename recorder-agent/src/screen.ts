import { INGEST_LIMITS } from '@duet/protocol/ingest-wire';
import { addCustomEvent, freezePage, record } from 'rrweb';
import { encodeEvent, packBatches, type EncodedEvent, type EventWithTime, type ScreenBatch } from './screen-encoding.js';

export type { EventWithTime, ScreenBatch } from './screen-encoding.js';

export interface ScreenCaptureOptions {
  sensitiveSelector: string;
  /** Sensitive areas (the PCI guard pauses while one is visible): never captured either. */
  sensitiveAreaSelector?: string;
  unmaskSelector: string;
  checkoutEveryMs: number;
  /** Serialize DOM mutations in a task of their own instead of inside the page's (default true). */
  deferMutations?: boolean;
}

/** rrweb's Custom event type, and the tag of the event that only triggers a flush (never recorded). */
const CUSTOM = 5;
const FLUSH = 'duet:flush';
/** rrweb's IncrementalSnapshot event type and its Mutation source */
const INCREMENTAL = 3;
const MUTATION = 0;
/**
 * One slice of mutation serialization (ms of main thread). Well under the 50 ms that makes a task
 * long, with room for the page's own work in the same task when rrweb flushes before an input
 * event; a 300-row re-render becomes ~20–40 short tasks instead of one of 150–300 ms.
 */
const SLICE_MS = 8;

/**
 * The settings of the recorder bundle's rrweb for serializing mutations in slices
 * (`vite/rrweb-sliced-mutations.ts` adds them at build time). Absent from a plain rrweb (unit tests
 * against the sources, an app bundling the sources itself): then a flush serializes everything at
 * once, as before.
 */
export interface MutationSlicing {
  /** serialize nodes for at most this long per emit once one is serialized (ms) */
  budgetMs: number;
  /** when true, emit everything pending (a pause, a stop, a checkout) */
  drain: boolean;
  /**
   * true while the recorder runs a slice: only then (or when draining) does rrweb serialize, not in
   * the emit it runs before each user event inside the page's own task
   */
  inFlush: boolean;
  /** called when rrweb's observer queued mutation records (the DOM changed) */
  onQueue: (() => void) | null;
  /**
   * when true, a full snapshot leaves the body's children out and queues them as added nodes,
   * serialized in slices right after it (carrying its time)
   */
  deferBody: boolean;
  /** rrweb mutation buffers that still have nodes to serialize */
  backlog: Set<unknown>;
}
/** At the latest this long after a checkout is due, it is taken even if the page is never idle. */
const CHECKOUT_IDLE_TIMEOUT_MS = 5_000;
/**
 * Checkouts may block the page at most this share of the time: the next one is due no sooner than
 * the last full snapshot's blocking duration divided by it (a 300 ms snapshot: 60 s later), and no
 * later than `CHECKOUT_MAX_FACTOR` × `checkoutEveryMs`. With the sliced rrweb a snapshot blocks for
 * its shell only (a few ms), so checkouts come every `checkoutEveryMs`.
 */
const CHECKOUT_BUDGET = 0.005;
const CHECKOUT_MAX_FACTOR = 10;

/** Encoding in idle time stops this long before the browser's idle deadline. */
const ENCODE_MARGIN_MS = 2;

type IdleDeadline = { timeRemaining(): number };
type IdleHost = { requestIdleCallback?: (cb: (d: IdleDeadline) => void, o?: { timeout: number }) => number; cancelIdleCallback?: (h: number) => void };

/**
 * A screen chunk's payload at most (decompressed, as the server counts it): three quarters of the
 * ingest limit, the rest left for what a future recorder version adds around the events.
 */
const CHUNK_BYTES = Math.floor(INGEST_LIMITS.maxChunkBytes * 0.75);
/** A mutation event larger than this is encoded as several consecutive ones (see screen-encoding.ts). */
const EVENT_BYTES = 512 * 1024;

/**
 * rrweb recording with privacy by default: every input masked unless it matches the unmask
 * selector (and is not sensitive), sensitive elements blocked (an empty box, no input events),
 * no canvas, no fonts fetched. Events collect in a buffer the recorder cuts into chunks.
 *
 * DOM mutations are serialized in a task of their own, not in the page's. rrweb's mutation
 * observer callback runs as a microtask at the end of the task that changed the DOM, so its
 * serialization lengthens the page's own (often already long) task: in bench/recorder that was
 * most of the recorder's added blocking time. rrweb's buffers are kept frozen (its `freezePage`:
 * mutations are collected, not serialized); when rrweb's observer queues records, a flush task is
 * scheduled, and a flush (an internal custom event, which unfreezes rrweb's buffers before it is
 * emitted, then dropped) serializes what is pending. rrweb also unfreezes before every interaction
 * event (input, click, scroll) to keep the mutations before it in order; with the sliced rrweb that
 * emit, which runs inside the page's own task (a keystroke re-rendering a list), serializes
 * nothing and leaves the pending changes to the next slice: they follow the interaction in the
 * stream, stamped no earlier than it (a re-render shows with the keystroke after it if the page
 * is busy until then). Every emitted event freezes the buffers again. take() and stop() drain
 * first, so nothing is lost at a chunk cut or a pause.
 *
 * A big change is serialized in slices (`SLICE_MS` each, in tasks of their own), not in one task:
 * the recorder bundle's rrweb is built with `vite/rrweb-sliced-mutations.ts`, which lets a flush
 * stop after a slice's time and keep the rest for the next. Mutation events carry the time of the
 * latest DOM change seen before them, not that of their slice (see `stampMutation`).
 *
 * Checkouts (a full snapshot every `checkoutEveryMs`, the player's seek points) are taken here,
 * not by rrweb's `checkoutEveryNms`: rrweb takes one synchronously inside whatever emits the first
 * event after the interval, usually the flush of a big re-render, so the two longest things the
 * recorder does ran as one task. Here a due checkout waits for the page to be idle (at most
 * `CHECKOUT_IDLE_TIMEOUT_MS`) and runs in an idle callback of its own. Every full snapshot (the
 * first, a checkout, the one after a PCI pause) serializes the document with an empty body and
 * leaves the body's content to mutation slices carrying the snapshot's time, so even a big page
 * is never serialized in one task. The interval stretches with what a snapshot holds the main
 * thread at once (`CHECKOUT_BUDGET`; without the sliced rrweb, the whole snapshot): every
 * `checkoutEveryMs` unless a snapshot blocks the page; then less often (the player replays a
 * little more from the previous one). The slices of a checkout are not counted: on a big page on a
 * slow computer they are a few hundred ms of main thread every 30 s, in tasks that block nothing.
 *
 * Events are encoded to JSON one by one in the page's idle time, so the chunk cut only joins
 * strings: encoding a second of a busy page's events at once (up to a megabyte of JSON) was a task
 * of its own that, on a loaded machine, became a long one.
 */
export class ScreenCapture {
  private stopRecord: (() => void) | undefined;
  /** emitted, not yet encoded (from `encodedUpTo` on) */
  private pending: EventWithTime[] = [];
  private encodedUpTo = 0;
  /** JSON of the events encoded since the last take */
  private parts: EncodedEvent[] = [];
  private encoder: number | ReturnType<typeof setTimeout> | undefined;
  /** mutations are serialized in the recorder's own tasks (see deferMutations) */
  private deferred = false;
  /** tells when the DOM changed, with an rrweb built without the slicing change */
  private watcher: MutationObserver | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private starting: ReturnType<typeof setTimeout> | undefined;
  private checkoutTimer: ReturnType<typeof setTimeout> | undefined;
  private checkoutIdle: number | undefined;
  /** how long the last full snapshot held the main thread at once (ms; its slices not counted) */
  private snapshotMs = 0;
  private readonly slicing = (record as unknown as { duetMutationSlicing?: MutationSlicing }).duetMutationSlicing;
  /** when our observer last saw the DOM change (the time mutation events carry, see stampMutation) */
  private changedAt: number | undefined;
  /** the last kept event's timestamp, so re-stamped mutations never go back in time */
  private lastStamp = 0;

  constructor(private readonly opts: ScreenCaptureOptions) {}

  /**
   * Starts capturing in a task of its own: rrweb begins with a full snapshot of the page, a long
   * task on a big page, which should not lengthen the event handler (a click, a focus change
   * leaving a card field) that started or resumed the recording.
   */
  start(): void {
    if (this.stopRecord || this.starting) return;
    this.starting = setTimeout(() => {
      this.starting = undefined;
      this.begin();
    }, 0);
  }

  private begin(): void {
    if (this.stopRecord) return;
    const { sensitiveSelector, unmaskSelector, sensitiveAreaSelector } = this.opts;
    const deferred = this.opts.deferMutations !== false && typeof MutationObserver !== 'undefined';
    if (this.slicing) {
      this.slicing.budgetMs = deferred ? SLICE_MS : Infinity;
      this.slicing.deferBody = deferred;
    }
    if (deferred) this.changedAt = Date.now();
    const t0 = performance.now();
    this.stopRecord =
      record({
        emit: (event) => {
          const e = event as EventWithTime;
          if (e.type === INCREMENTAL && (e.data as { source?: unknown }).source === MUTATION) this.stampMutation(e);
          if (!(e.type === CUSTOM && (e.data as { tag?: unknown } | null)?.tag === FLUSH)) this.keep(e);
          if (this.deferred) {
            // rrweb unfroze its mutation buffers to emit this; keep them collecting only, and let
            // a slice of ours take what an interaction's emit left pending.
            freezePage();
            if (this.slicing?.backlog.size) this.scheduleFlush();
          }
        },
        blockSelector: sensitiveAreaSelector ? `${sensitiveSelector}, ${sensitiveAreaSelector}` : sensitiveSelector,
        maskAllInputs: true,
        maskInputFn: (text, element) => {
          const el = element as Element | null;
          const allowed = el?.matches?.(unmaskSelector) && !el.matches(sensitiveSelector) && !el.closest(sensitiveSelector);
          return allowed ? text : '*'.repeat(text.length);
        },
        // Scripts (never run in replay; rrweb keeps a placeholder for their text), comments and
        // head metadata are left out: fewer nodes to serialize, nothing a reviewer sees. Title
        // changes are kept (the player shows page switches).
        slimDOMOptions: { script: true, comment: true, headFavicon: true, headWhitespace: true, headMetaSocial: true, headMetaRobots: true, headMetaHttpEquiv: true, headMetaAuthorship: true, headMetaVerification: true, headMetaDescKeywords: true },
        recordCanvas: false,
        collectFonts: false,
        inlineImages: false,
        sampling: { mousemove: 50, scroll: 150, input: 'last' },
      }) ?? undefined;
    if (this.stopRecord && deferred) {
      this.deferred = true;
      const changed = () => {
        this.changedAt = Date.now();
        this.scheduleFlush();
      };
      // rrweb's own observer tells when the DOM changed (a second observer of ours doubled the
      // records the browser delivers at the end of every page task that changes the DOM)
      if (this.slicing) this.slicing.onQueue = changed;
      else {
        this.watcher = new MutationObserver(changed);
        this.watcher.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
      }
      freezePage();
    }
    // record() takes the first full snapshot synchronously when the document has loaded. With the
    // sliced rrweb that snapshot is a shell (its body follows in slices) and record()'s own time is
    // mostly one-time set-up (observers, prototype checks), not a snapshot's.
    if (this.stopRecord) this.snapshotTaken(this.slicing ? 0 : performance.now() - t0);
  }

  /** After a full snapshot: its body's slices (deferBody) start, and the next checkout is due. */
  private snapshotTaken(ms: number): void {
    this.snapshotMs = ms;
    if (this.deferred) this.scheduleFlush();
    this.scheduleCheckout();
  }

  /** when the next checkout is due, from the cost of the last snapshot (see CHECKOUT_BUDGET) */
  get checkoutIntervalMs(): number {
    const every = this.opts.checkoutEveryMs;
    return Math.min(every * CHECKOUT_MAX_FACTOR, Math.max(every, this.snapshotMs / CHECKOUT_BUDGET));
  }

  private scheduleCheckout(): void {
    this.checkoutTimer = setTimeout(() => {
      this.checkoutTimer = undefined;
      const host = globalThis as IdleHost;
      const take = () => {
        this.checkoutIdle = undefined;
        if (!this.stopRecord) return;
        this.flush(true); // pending mutations first, so the time below is the snapshot's own
        const t0 = performance.now();
        try {
          record.takeFullSnapshot(true);
        } catch {
          /* stopped meanwhile */
        }
        this.snapshotTaken(performance.now() - t0);
      };
      if (host.requestIdleCallback) this.checkoutIdle = host.requestIdleCallback(take, { timeout: CHECKOUT_IDLE_TIMEOUT_MS });
      else this.checkoutTimer = setTimeout(take, 0);
    }, this.checkoutIntervalMs);
  }

  private cancelCheckout(): void {
    clearTimeout(this.checkoutTimer);
    this.checkoutTimer = undefined;
    if (this.checkoutIdle !== undefined) (globalThis as IdleHost).cancelIdleCallback?.(this.checkoutIdle);
    this.checkoutIdle = undefined;
  }

  /**
   * Serializes the mutations rrweb collected while frozen (then freezes again, in emit): one slice
   * of at most `SLICE_MS`, the rest in further tasks, or all of it when `drain`.
   */
  private flush(drain = false): void {
    if (!this.stopRecord || !this.deferred) return;
    const slicing = this.slicing;
    if (slicing) {
      slicing.drain = drain;
      slicing.inFlush = true;
    }
    try {
      addCustomEvent(FLUSH, null);
    } catch {
      /* not recording (stopped meanwhile) */
    } finally {
      if (slicing) slicing.drain = slicing.inFlush = false;
    }
    if (slicing?.backlog.size) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, 0);
  }

  /**
   * A mutation event carries the time of the latest DOM change seen before it was serialized, not
   * the time of its slice: a big re-render's last slice can come a few hundred ms after the change
   * on a slow computer, and the replay should show the change where it happened next to the audio.
   * Everything in the event was on the page by then, so the replay never shows a change before it
   * happened (when the page keeps changing while a backlog is serialized, older nodes show a little
   * late). Never earlier than an event already kept, so the stream stays in order.
   */
  private stampMutation(e: EventWithTime): void {
    if (this.changedAt !== undefined) e.timestamp = Math.min(e.timestamp, Math.max(this.changedAt, this.lastStamp));
  }

  /** Stops capturing; a later start() begins with a new full snapshot. */
  stop(): void {
    clearTimeout(this.starting);
    this.starting = undefined;
    this.cancelCheckout();
    this.flush(true);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.watcher?.disconnect();
    this.watcher = undefined;
    if (this.slicing) this.slicing.onQueue = null;
    this.deferred = false;
    this.stopRecord?.();
    this.stopRecord = undefined;
  }

  /** capturing, or about to (start() was called) */
  get recording(): boolean {
    return this.stopRecord !== undefined || this.starting !== undefined;
  }

  private keep(e: EventWithTime): void {
    this.lastStamp = Math.max(this.lastStamp, e.timestamp);
    this.pending.push(e);
    this.scheduleEncoder();
  }

  private scheduleEncoder(): void {
    if (this.encoder !== undefined) return;
    const host = globalThis as IdleHost;
    if (host.requestIdleCallback) this.encoder = host.requestIdleCallback((d) => this.encodeIdle(() => d.timeRemaining() > ENCODE_MARGIN_MS));
    else {
      this.encoder = setTimeout(() => {
        const until = performance.now() + 8;
        this.encodeIdle(() => performance.now() < until);
      }, 0);
    }
  }

  private encodeIdle(more: () => boolean): void {
    this.encoder = undefined;
    while (this.encodedUpTo < this.pending.length && more()) this.parts.push(...encodeEvent(this.pending[this.encodedUpTo++]!, EVENT_BYTES));
    if (this.encodedUpTo < this.pending.length) return this.scheduleEncoder(); // the rest in the next idle period
    this.pending = [];
    this.encodedUpTo = 0;
  }

  private cancelEncoder(): void {
    if (this.encoder === undefined) return;
    const host = globalThis as IdleHost;
    if (host.requestIdleCallback) host.cancelIdleCallback?.(this.encoder as number);
    else clearTimeout(this.encoder);
    this.encoder = undefined;
  }

  /**
   * The events captured since the last take, as chunk payloads under the ingest limit (none when
   * nothing was captured; several after a big drain). `flush` (default) serializes pending mutations first,
   * as a pause or stop needs; the periodic chunk cut passes false and leaves them to their own
   * flush task (stamped with its time, so they belong to the next chunk), which keeps mutation
   * serialization and chunk encoding out of one task.
   */
  take(flush = true): ScreenBatch[] {
    if (flush) this.flush(true);
    this.cancelEncoder();
    for (let i = this.encodedUpTo; i < this.pending.length; i++) this.parts.push(...encodeEvent(this.pending[i]!, EVENT_BYTES));
    const batches = packBatches(this.parts, CHUNK_BYTES);
    this.discard();
    return batches;
  }

  /** Forgets what was captured but not taken. */
  discard(): void {
    this.cancelEncoder();
    this.pending = [];
    this.encodedUpTo = 0;
    this.parts = [];
  }
}
