/**
 * The player's clock. With audio, the audio element is the clock: it plays at the speed the
 * listener chose, stalls when the network does, and everything else (screen, playhead) follows
 * it. An interaction without audio gets a wall clock with the same interface.
 */
export interface PlaybackClock {
  /** timeline ms */
  now(): number;
  readonly durationMs: number;
  isPlaying(): boolean;
  /** true while playing but waiting for data (the screen should hold still) */
  isStalled(): boolean;
  play(): Promise<void>;
  pause(): void;
  seek(ms: number): void;
  rate(): number;
  setRate(rate: number): void;
  /** play, pause, seek, rate change, stall, end */
  subscribe(fn: () => void): () => void;
  dispose(): void;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The audio element as the clock (its timeline equals the interaction's). */
export class MediaClock implements PlaybackClock {
  private stalled = false;
  private readonly listeners = new Set<() => void>();
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly media: HTMLMediaElement,
    readonly durationMs: number,
  ) {
    const emit = () => {
      for (const fn of this.listeners) fn();
    };
    const on = (type: string, fn: () => void) => {
      media.addEventListener(type, fn);
      this.off.push(() => media.removeEventListener(type, fn));
    };
    for (const type of ['play', 'pause', 'seeked', 'seeking', 'ratechange', 'ended']) on(type, emit);
    on('waiting', () => {
      this.stalled = true;
      emit();
    });
    for (const type of ['playing', 'canplay']) {
      on(type, () => {
        if (!this.stalled) return;
        this.stalled = false;
        emit();
      });
    }
  }

  now(): number {
    return this.media.currentTime * 1000;
  }
  isPlaying(): boolean {
    return !this.media.paused && !this.media.ended;
  }
  isStalled(): boolean {
    return this.stalled || this.media.seeking;
  }
  async play(): Promise<void> {
    if (this.media.ended || this.now() >= this.durationMs - 20) this.media.currentTime = 0;
    await this.media.play();
  }
  pause(): void {
    this.media.pause();
  }
  seek(ms: number): void {
    this.media.currentTime = clamp(ms, 0, this.durationMs) / 1000;
  }
  rate(): number {
    return this.media.playbackRate;
  }
  setRate(rate: number): void {
    this.media.playbackRate = rate;
  }
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  dispose(): void {
    for (const off of this.off) off();
    this.listeners.clear();
  }
}

/** For screen-only interactions: performance.now() scaled by the rate. */
export class WallClock implements PlaybackClock {
  private anchorMs = 0;
  private anchorAt = 0;
  private playing = false;
  private speed = 1;
  private timer = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly durationMs: number) {}

  private emit() {
    for (const fn of this.listeners) fn();
  }
  now(): number {
    if (!this.playing) return this.anchorMs;
    return Math.min(this.durationMs, this.anchorMs + (performance.now() - this.anchorAt) * this.speed);
  }
  isPlaying(): boolean {
    return this.playing;
  }
  isStalled(): boolean {
    return false;
  }
  async play(): Promise<void> {
    if (this.playing) return;
    if (this.anchorMs >= this.durationMs - 20) this.anchorMs = 0;
    this.anchorAt = performance.now();
    this.playing = true;
    this.schedule();
    this.emit();
  }
  pause(): void {
    if (!this.playing) return;
    this.anchorMs = this.now();
    this.playing = false;
    window.clearTimeout(this.timer);
    this.emit();
  }
  seek(ms: number): void {
    this.anchorMs = clamp(ms, 0, this.durationMs);
    this.anchorAt = performance.now();
    this.schedule();
    this.emit();
  }
  rate(): number {
    return this.speed;
  }
  setRate(rate: number): void {
    this.anchorMs = this.now();
    this.anchorAt = performance.now();
    this.speed = rate;
    this.schedule();
    this.emit();
  }
  /** Ends like a media element does: paused at the end. */
  private schedule() {
    window.clearTimeout(this.timer);
    if (!this.playing) return;
    this.timer = window.setTimeout(() => {
      this.pause();
      this.anchorMs = this.durationMs;
      this.emit();
    }, Math.max(0, (this.durationMs - this.now()) / this.speed));
  }
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  dispose(): void {
    window.clearTimeout(this.timer);
    this.listeners.clear();
  }
}
