import { AudioCapture } from './audio.js';
import { Badge, type BadgeState } from './badge.js';
import { Compressor } from './compressor.js';
import { Emitter } from './emitter.js';
import { resolveOptions, type RecorderOptions, type ResolvedOptions } from './options.js';
import type { ActiveInteractionNotice, CtiNotice } from '@duet/protocol/ingest-wire';
import { Outbox, type ActiveRecording, type DropReport } from './outbox.js';
import { PciGuard, type PauseReason } from './pci-guard.js';
import { ScreenCapture } from './screen.js';
import { Sender, type SendFailure } from './sender.js';
import { Transport } from './transport.js';

export interface StartOptions {
  /** The phone system's call id: joins this recording with the PBX's recording of the call. */
  callId?: string;
  direction?: 'inbound' | 'outbound';
  /** The customer's side of the call (e.g. the softphone's WebRTC remote stream): recorded on the right channel. */
  customer?: MediaStream | null;
}

export interface RecorderEvents extends Record<string, unknown> {
  /** every change of state, connection or queue: what the badge shows */
  state: BadgeState;
  /** a message the server refused for good, or a capture that failed */
  error: SendFailure | { kind: 'capture'; error: string; message: string };
  /** the outbox was over its budget and dropped these chunks (screen first) */
  'outbox-full': DropReport[];
  /** something the agent should know, e.g. audio waiting for a click */
  warning: string;
}

/** A short SHA-256 of the token: keys the outbox without keeping the token itself in IndexedDB. */
async function fingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** rrweb keeps page-wide state: only one recording per page may capture the screen at a time. */
const SCREEN_OWNER = Symbol.for('duet.recorder.screen-owner');
type ScreenOwnerHost = { [SCREEN_OWNER]?: object };
/** A recording this old (no chunk written since) is not resumed after a reload: the server has closed it. */
const RESUME_WITHIN_MS = 10 * 60_000;

/**
 * Records one agent's screen and call audio into Duet. One instance owns all its state; `stop()`
 * removes every listener, observer and element it added. See {@link RecorderOptions}.
 *
 * ```ts
 * const rec = new Recorder({ serverUrl: 'https://duet.example.com', token: 'duet_rt_…' });
 * await rec.restore(); // after a reload: carries on the recording this tab had
 * await rec.start({ callId: 'call-42', customer: softphone.remoteStream });
 * rec.on('state', (s) => console.log(s.state));
 * await rec.stop();
 * ```
 */
export class Recorder {
  private readonly opts: ResolvedOptions;
  private readonly events = new Emitter<RecorderEvents>();
  private outbox: Outbox | undefined;
  private transport: Transport | undefined;
  private sender: Sender | undefined;
  /** gzip of screen chunks in a worker (uncompressed where none can run) */
  private readonly compressor = new Compressor();
  private screen: ScreenCapture | undefined;
  private audio: AudioCapture | undefined;
  private pci: PciGuard | undefined;
  private badge: Badge | undefined;
  private active: Omit<ActiveRecording, 'tab'> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastScreenCut = 0;
  private manualPause = false;
  /** this tab's screen is paused (its own PCI reasons or manual) */
  private paused = false;
  /** the call audio is paused (this tab's reasons, or another tab's pause the server relayed) */
  private audioPaused = false;
  /** another tab of the agent is paused in this interaction */
  private remotePaused = false;
  private online = false;
  private warning: string | undefined;
  private notice: string | undefined;
  /** why the server refused this recorder's token; set, nothing is captured any more */
  private refusal: string | undefined;
  private state: BadgeState['state'] = 'idle';
  /** restore() or listen() was called: stay connected for CTI and other tabs' interactions */
  private listening = false;
  /** start or join in progress: a second one waits its turn */
  private starting: Promise<unknown> = Promise.resolve();
  /** chunk writes are serialised: seqs are consecutive and written in order */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(options: RecorderOptions) {
    this.opts = resolveOptions(options);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RecorderEvents>(event: K, fn: (payload: RecorderEvents[K]) => void): () => void {
    return this.events.on(event, fn);
  }

  /** The current interaction's id, or null when not recording. */
  get interactionId(): string | null {
    return this.active?.interactionId ?? null;
  }

  /** Bytes waiting to be acked by the server. */
  get queuedBytes(): number {
    return this.outbox?.queuedBytes ?? 0;
  }

  /**
   * After a page reload: sends what the outbox still holds and, if this tab was recording a call
   * less than 10 minutes ago, carries on the same interaction (new audio and screen capture,
   * seqs continuing). Resolves with the interaction id it resumed, or null.
   */
  async restore(customer: MediaStream | null = null): Promise<string | null> {
    // The server's agent:active notice may arrive meanwhile: it waits for this to finish, so a
    // reloaded tab resumes its own call instead of joining it as a follower.
    return this.serialized(() => this.resumeRecording(customer));
  }

  private async resumeRecording(customer: MediaStream | null): Promise<string | null> {
    this.listening = true;
    await this.connect();
    const kept = await this.outbox!.getActive();
    if (!kept || Date.now() - kept.updatedAt > RESUME_WITHIN_MS) {
      if (kept) await this.outbox!.deleteActive();
      return null;
    }
    // A follower rejoins when the server confirms the interaction is still being recorded.
    if (kept.following) return null;
    await this.begin(kept, customer);
    return kept.interactionId;
  }

  /**
   * Connects and waits: the phone system (CTI) may start a call in this tab, and with `follow`
   * this tab joins whatever interaction another tab of the agent records. `restore()` does this too.
   */
  async listen(): Promise<void> {
    this.listening = true;
    await this.connect();
  }

  /** Runs start-like work one at a time (start, restore, joining another tab's call, CTI). */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.starting.then(work);
    this.starting = run.catch(() => {});
    return run;
  }

  /** Starts recording a new interaction; resolves with its id once capture runs. */
  async start(opts: StartOptions = {}): Promise<string> {
    return this.serialized(() => this.startNow(opts));
  }

  private async startNow(opts: StartOptions): Promise<string> {
    if (this.active) throw new Error('Duet recorder: already recording; stop() first');
    if (this.refusal) throw new Error(`Duet recorder: the server refused this recorder (${this.refusal}); use a valid recorder token`);
    await this.connect();
    const kept = await this.outbox!.getActive();
    if (kept) {
      // A recording this tab never stopped (a crash, a closed laptop): end it where it stopped.
      await this.outbox!.add({ interactionId: kept.interactionId, kind: 'end', body: { interactionId: kept.interactionId, at: kept.updatedAt }, bytes: 0 });
      await this.outbox!.deleteActive();
    }
    const recording = { interactionId: crypto.randomUUID(), startedAt: Date.now(), nextSeq: {}, updatedAt: Date.now(), ...(opts.callId ? { callId: opts.callId } : {}), ...(opts.direction ? { direction: opts.direction } : {}) };
    await this.begin(recording, opts.customer ?? null);
    return recording.interactionId;
  }

  /** Pauses audio and screen (the timeline records the pause) until resume(). */
  pause(): void {
    this.manualPause = true;
    this.apply();
  }

  resume(): void {
    this.manualPause = false;
    this.apply();
  }

  /**
   * Stops capture, queues the last chunks and the `end`, and removes everything this instance
   * added to the page. Resolves when the outbox is empty or after `waitMs` (default 5 s); what is
   * left is sent later (by this page, or by the next page of this tab, from IndexedDB).
   */
  async stop(waitMs = 5000): Promise<void> {
    const active = this.active;
    if (!active) return;
    await this.stopCapture(true);
    await this.writes;
    this.compressor.close();
    // A tab that joined another tab's interaction leaves it; the tab that started it ends it.
    if (!active.following) await this.outbox!.add({ interactionId: active.interactionId, kind: 'end', body: { interactionId: active.interactionId, at: Date.now() }, bytes: 0 });
    await this.outbox!.deleteActive();
    this.active = undefined;
    this.sender!.kick();
    this.setState('stopped');
    const deadline = Date.now() + waitMs;
    while (this.outbox!.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.badge?.remove();
    this.badge = undefined;
    if (this.outbox!.size === 0 && !this.listening) this.disconnect();
  }

  /** Stops capture without ending the interaction (the server refused us): nothing more is queued. */
  private async halt(): Promise<void> {
    await this.stopCapture(false);
    this.compressor.close();
    this.active = undefined;
  }

  /**
   * Stops every capture and listener of the current recording; the outbox and the connection
   * stay. `keepLast` queues what the screen captured since the last cut (not while paused).
   * The audio capture is dropped too, so a later join as a follower (screen only) never sends
   * audio markers from a stopped recorder.
   */
  private async stopCapture(keepLast: boolean): Promise<void> {
    clearInterval(this.timer);
    this.pci?.stop();
    window.removeEventListener('focus', this.onFocus);
    document.removeEventListener('visibilitychange', this.onFocus);
    if (keepLast && !this.paused) this.cutScreen();
    this.releaseScreen();
    await this.audio?.stop();
    this.audio = undefined;
    this.paused = this.audioPaused = this.remotePaused = false;
  }

  /** Stops without waiting and closes the connection: for tests and pages being torn down. */
  async destroy(): Promise<void> {
    await this.stop(0);
    this.disconnect();
    this.events.clear();
  }

  // ---------------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    if (this.transport) return;
    this.outbox = await Outbox.open(`${this.opts.tabId}|${await fingerprint(this.opts.token)}`, this.opts.outboxMaxBytes);
    if (!this.outbox.persistent) this.warn('IndexedDB is not available: queued recording survives network drops but not a reload.');
    this.transport = new Transport(this.opts.serverUrl, this.opts.token, this.opts.tabId, {
      online: () => {
        this.online = true;
        this.sender?.reconnected();
        this.publish();
      },
      offline: () => {
        this.online = false;
        this.publish();
      },
      active: (notice) => this.onActive(notice),
      cti: (notice) => this.onCti(notice),
      pause: (notice) => {
        if (notice.interactionId !== this.active?.interactionId) return;
        this.remotePaused = notice.streams.some((stream) => stream !== this.stream);
        this.apply();
      },
      refused: (reason) => {
        this.online = false;
        this.warning = reason;
        this.refusal = reason;
        // Nothing captured under a refused token can ever be sent: stop capturing and forget it.
        void this.halt().then(() => this.outbox?.clear());
        this.events.emit('error', { kind: 'capture', error: 'refused', message: reason });
        this.setState('error');
      },
    });
    this.sender = new Sender(
      this.transport,
      this.outbox,
      (f) => {
        // The interaction this tab joined was closed elsewhere (idle timeout, finalized): leave it.
        if (f.error === 'interaction_closed' && this.active?.following) void this.stop(0);
        this.events.emit('error', f);
      },
      () => this.publish(),
    );
    this.transport.connect();
  }

  private disconnect() {
    this.sender?.close();
    this.transport?.close();
    this.outbox?.close();
    this.sender = undefined;
    this.transport = undefined;
    this.outbox = undefined;
  }

  /** Another tab of the agent started (or ended) an interaction: join it with this tab's screen, or leave. */
  private onActive(notice: ActiveInteractionNotice) {
    if (!this.opts.follow || this.refusal) return;
    void this.serialized(async () => {
      if (this.active?.following && this.active.interactionId !== notice?.interactionId) await this.stop(0);
      if (!notice || this.active) return;
      const kept = await this.outbox!.getActive();
      const nextSeq = kept && kept.interactionId === notice.interactionId ? kept.nextSeq : {};
      await this.begin({ interactionId: notice.interactionId, startedAt: Date.now(), nextSeq, updatedAt: Date.now(), following: true, ...(notice.callId ? { callId: notice.callId } : {}) }, null, false);
    }).catch((err: Error) => this.events.emit('error', { kind: 'capture', error: 'join', message: err.message }));
  }

  /** The phone system says a call started or ended for this agent. */
  private onCti(notice: CtiNotice) {
    if (!this.opts.cti || this.refusal) return;
    void this.serialized(async () => {
      if (notice.event === 'call-started' && (!this.active || this.active.following)) {
        if (this.active) await this.stop(0);
        await this.startNow({ callId: notice.callId, ...(notice.direction ? { direction: notice.direction } : {}), customer: await this.opts.customer() });
      } else if (notice.event === 'call-ended' && this.active && !this.active.following && this.active.callId === notice.callId) await this.stop();
    }).catch((err: Error) => this.events.emit('error', { kind: 'capture', error: 'cti', message: err.message }));
  }

  private async begin(recording: Omit<ActiveRecording, 'tab'>, customer: MediaStream | null, withAudio = true): Promise<void> {
    // The badge first, so it says "Starting recording…" while the microphone opens.
    if (this.opts.badge !== false && !this.badge) this.badge = new Badge(this.opts.badge === true ? null : this.opts.badge);
    this.setState('starting');
    this.active = recording;
    let audioInfo: { channels: 1 | 2; mimeType: string } | undefined;
    if (!withAudio) {
      // A joining tab records its screen only: the call's audio comes from the tab that started it.
    } else if (AudioCapture.supported()) {
      const audio = new AudioCapture({
        bitsPerSecond: this.opts.audioBitsPerSecond,
        timesliceMs: this.opts.chunkMs,
        microphone: this.opts.microphone,
        onData: (blob, startMs, endMs) => this.write(async () => this.addChunk('audio', new Uint8Array(await blob.arrayBuffer()), startMs, endMs)),
        onWarning: (m) => this.warn(m),
      });
      try {
        await audio.start(customer);
        this.audio = audio;
        audioInfo = { channels: audio.channels, mimeType: audio.mimeType };
      } catch (err) {
        // No microphone permission: the screen is still worth recording; the agent is told.
        this.warn(`Audio is not recorded: ${(err as Error).message}`);
      }
    } else this.warn('Audio is not recorded: this browser has no MediaRecorder for Opus.');
    const { interactionId, startedAt, callId, direction } = recording;
    await this.outbox!.add({ interactionId, kind: 'open', body: { interactionId, startedAt, ...(callId ? { callId } : {}), ...(direction ? { direction } : {}), ...(audioInfo ? { audio: audioInfo } : {}) }, bytes: 0 });
    await this.outbox!.putActive(recording);
    // The token may have been refused while the microphone was opening: then nothing starts.
    if (this.refusal) return this.halt();
    this.claimScreen();
    this.lastScreenCut = Date.now();
    this.pci = new PciGuard(this.opts.sensitiveSelector, this.opts.sensitiveAreaSelector, () => this.apply());
    this.pci.start();
    window.addEventListener('focus', this.onFocus);
    document.addEventListener('visibilitychange', this.onFocus);
    this.onFocus();
    this.timer = setInterval(() => this.cutScreen(false), this.opts.chunkMs);
    this.sender!.kick();
    this.setState('recording');
    this.apply();
  }

  private claimScreen() {
    const host = globalThis as ScreenOwnerHost;
    if (host[SCREEN_OWNER] && host[SCREEN_OWNER] !== this) {
      this.warn('Another Duet recorder on this page already records the screen; this one records audio only.');
      return;
    }
    host[SCREEN_OWNER] = this;
    this.screen = new ScreenCapture({ sensitiveSelector: this.opts.sensitiveSelector, sensitiveAreaSelector: this.opts.sensitiveAreaSelector, unmaskSelector: this.opts.unmaskSelector, checkoutEveryMs: this.opts.checkoutEveryMs });
  }

  private releaseScreen() {
    this.screen?.stop();
    this.screen = undefined;
    const host = globalThis as ScreenOwnerHost;
    if (host[SCREEN_OWNER] === this) delete host[SCREEN_OWNER];
  }

  private get stream() {
    return `screen:${this.opts.tabId}`;
  }

  /** Pauses or resumes audio and screen to match the manual flag and the PCI guard. */
  private apply() {
    if (!this.active) return;
    const own: PauseReason[] = [...(this.pci?.reasons ?? []), ...(this.manualPause ? (['manual'] as const) : [])];
    const screenPause = own.length > 0;
    // The call audio also pauses while another tab of the agent is paused (a card form there).
    const audioPause = screenPause || this.remotePaused;
    const reason = own[0] ?? 'sensitive-field';
    if (screenPause && !this.paused) {
      this.paused = true;
      // What was captured before the pause is kept; from here nothing is captured at all.
      this.cutScreen();
      this.screen?.stop();
      this.marker('pause', this.stream, reason);
    } else if (!screenPause && this.paused) {
      this.paused = false;
      this.marker('resume', this.stream);
      this.lastScreenCut = Date.now();
      this.screen?.start(); // starts with a full snapshot
    } else if (!this.paused && this.screen && !this.screen.recording) this.screen.start();
    if (this.audio && audioPause !== this.audioPaused) {
      this.audioPaused = audioPause;
      if (audioPause) {
        this.audio.pause();
        this.marker('pause', 'audio', reason);
      } else {
        this.marker('resume', 'audio');
        this.audio.resume();
      }
    }
    this.setState(this.paused || this.audioPaused ? 'paused' : 'recording');
  }

  /** The agent moved to this tab: the timeline notes which tab had focus from now on. */
  private readonly onFocus = () => {
    if (this.active && document.visibilityState === 'visible' && document.hasFocus()) this.marker('focus', this.stream);
  };

  private marker(kind: 'pause' | 'resume' | 'focus', stream: string, reason?: PauseReason) {
    const { interactionId } = this.active!;
    const body = { interactionId, kind, at: Date.now(), stream, ...(reason ? { reason } : {}) };
    this.write(() => this.outbox!.add({ interactionId, kind: 'marker', body, bytes: 0 }));
  }

  /** Cuts the captured events into chunks; `flush` false leaves pending mutations to the next cut. */
  private cutScreen(flush = true) {
    if (!this.screen || !this.active) return;
    const batches = this.screen.take(flush);
    const startMs = this.lastScreenCut;
    const endMs = Date.now();
    this.lastScreenCut = endMs;
    const stream = this.stream;
    // Several chunks when a big drain made the events too large for one: the first starts at the
    // cut before, the last ends at this one.
    for (const [i, batch] of batches.entries()) {
      const from = i === 0 ? Math.min(startMs, batch.firstMs) : batch.firstMs;
      const to = i === batches.length - 1 ? Math.max(endMs, batch.lastMs) : batch.lastMs;
      // Compressed in order: the next write (a chunk, a pause marker) waits for this one.
      this.write(async () => {
        const gz = await this.compressor.gzip(batch.json);
        const payload = gz ?? new TextEncoder().encode(batch.json);
        await this.addChunk(stream, payload, from, to, batch.count, gz ? 'gzip' : undefined);
      });
    }
  }

  private write(fn: () => Promise<unknown>) {
    this.writes = this.writes.then(fn).catch((err: Error) => this.events.emit('error', { kind: 'capture', error: 'outbox', message: err.message }));
  }

  private async addChunk(stream: string, payload: Uint8Array, startMs: number, endMs: number, eventCount?: number, contentEncoding?: 'gzip') {
    const active = this.active;
    if (!active) return;
    const seq = active.nextSeq[stream] ?? 0;
    active.nextSeq[stream] = seq + 1;
    active.updatedAt = Date.now();
    const { interactionId } = active;
    const body = { interactionId, stream, seq, startMs, endMs, ...(eventCount !== undefined ? { eventCount } : {}), ...(contentEncoding ? { contentEncoding } : {}) };
    const buffer = payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength) as ArrayBuffer;
    const dropped = await this.outbox!.add({ interactionId, kind: 'chunk', stream, seq, body, payload: buffer, bytes: payload.byteLength });
    await this.outbox!.putActive(active);
    if (dropped.length) {
      // The agent is told on the badge; the manifest will show the gap.
      this.notice = dropped.some((d) => d.stream === 'audio') ? 'queue full: oldest audio dropped' : 'queue full: oldest screen dropped';
      this.events.emit('outbox-full', dropped);
    }
    this.sender!.kick();
    this.publish();
  }

  private warn(message: string) {
    this.warning = message;
    this.events.emit('warning', message);
  }

  private setState(state: BadgeState['state']) {
    // A refusal stays on the badge: nothing else is true any more.
    if (this.refusal && state !== 'error') return;
    this.state = state;
    this.publish();
  }

  private publish() {
    // Back online with an empty queue: the full-queue notice has served its purpose.
    if (this.online && this.queuedBytes === 0) this.notice = undefined;
    const s: BadgeState = {
      state: this.state,
      online: this.online,
      queuedBytes: this.queuedBytes,
      pauseReasons: [...(this.pci?.reasons ?? []), ...(this.manualPause ? ['manual'] : []), ...(this.remotePaused ? ['another-tab'] : [])],
      ...(this.warning ? { warning: this.warning } : {}),
      ...(this.notice ? { notice: this.notice } : {}),
    };
    this.badge?.update(s);
    this.events.emit('state', s);
  }
}
