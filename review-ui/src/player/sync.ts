import { Replayer } from 'rrweb';
import type { ScreenSegmentEntry } from '@duet/protocol';
import { findSegmentIndex, SegmentError, type ReplayEvent, type SegmentCache } from './segments';

/** Past this much disagreement between the clock and the replayer, the replayer is repositioned. */
export const DRIFT_TOLERANCE_MS = 40;
/**
 * While playing, the replayer's own timer is set from the clock every frame (see `lockTo`); only
 * a disagreement larger than this (a jump) makes it reposition with play(), which going back means
 * rebuilding the page from the segment's snapshot and replaying every event since.
 */
const RELOCK_MS = 1000;
/**
 * rrweb applies events on animation frames, so a change shows on the first frame at or after its
 * moment: up to a whole frame late, and a frame is 16.7 ms of wall time, 50 ms of recording at 3×.
 * Aiming ahead by the frame (times the speed) less this much keeps every change within this
 * much after its moment, and otherwise a little before it: the screen may show a change before
 * the voice says it (audio late) by less than after (targets: audio at most 20 ms early, 40 ms late).
 */
export const LATE_BUDGET_MS = 15;

/**
 * Stopping (pause, a stall), a replayer ahead of the clock by up to this (its lookahead) is left
 * where it is: sending it back the few ms would make rrweb rebuild the page from the snapshot.
 */
const KEEP_AHEAD_MS = 100;

/** Where the replayer should be while playing: the clock's target plus the frame lookahead, within the events it holds. */
export function lockedTarget(target: number, frameMs: number, rate: number, endMs: number): number {
  return Math.min(target + Math.max(0, frameMs * rate - LATE_BUDGET_MS), endMs);
}

/** rrweb's Timer (a public getter on the Replayer); `lastTimestamp` is where it measures elapsed wall time from. */
type ReplayTimer = { timeOffset: number; lastTimestamp: number };
/** Before the first snapshot, show it anyway if it comes this soon (rather than a blank stage). */
const SHOW_FIRST_EARLY_MS = 2000;
/**
 * Append the next segment this long before playback reaches it, or reaches the end of the events
 * the replayer holds (before a PCI pause the held events end up to 30 s before the next segment).
 */
const PREFETCH_AHEAD_MS = 20_000;


/** Where a replayer whose first event is at `firstMs` (timeline) should be at timeline `t`, within the events it holds. */
export function replayerTarget(t: number, firstMs: number, lastMs: number): number {
  // rrweb applies events strictly before the time it pauses at: 1 ms past the last event keeps it.
  return Math.min(Math.max(t, firstMs), lastMs + 1) - firstMs;
}

export function drifted(actualMs: number, targetMs: number, tolerance = DRIFT_TOLERANCE_MS): boolean {
  return Math.abs(actualMs - targetMs) > tolerance;
}

export type FollowerState =
  | { kind: 'loading' }
  | { kind: 'ready'; width: number; height: number }
  | { kind: 'before-start'; startsAtMs: number }
  | { kind: 'error'; error: SegmentError };

/**
 * Keeps one rrweb Replayer in step with the clock for one screen stream.
 *
 * The replayer holds a contiguous run of segments [first..last]: it is built from the segment a
 * seek lands in, and the next segment is appended (`addEvent`) as playback approaches it, so
 * playing straight through never rebuilds. A seek outside the run rebuilds from that segment's
 * full snapshot. `sync(t, playing, rate)` runs every animation frame: on play, pause and seek it
 * repositions with `play(ms)`/`pause(ms)`; while playing it sets the replayer's timer from the
 * clock every frame (a frame ahead, less {@link LATE_BUDGET_MS}), so the screen neither drifts
 * from the voice nor shows each change a whole frame late.
 */
export class ScreenFollower {
  private replayer: Replayer | null = null;
  private run: { first: number; last: number; firstMs: number; lastMs: number } | null = null;
  private wanted = -1;
  private building: Promise<void> | null = null;
  private appending = new Set<number>();
  private lastPlaying = false;
  private lastRate = 1;
  /** the replayer was just built and has not been positioned yet */
  private fresh = false;
  /**
   * rrweb played the last event it holds and stopped itself ('finish'): it forgot which events it
   * has applied, so play() would rebuild the page from the snapshot (and run out again 50 ms
   * later). It is left alone until more events are appended.
   */
  private ranOut = false;
  /** the wall time of the last sync() and the frame interval seen (smoothed) */
  private lastFrameAt = 0;
  private frameMs = 1000 / 60;
  private disposed = false;
  private readonly epochBase: number;

  private lastState = '';
  private dims = { width: 1024, height: 768 };
  private readonly onState: (state: FollowerState) => void;

  constructor(
    private readonly root: HTMLElement,
    private readonly segments: readonly ScreenSegmentEntry[],
    private readonly cache: SegmentCache,
    epochBase: number,
    onState: (state: FollowerState) => void,
  ) {
    this.epochBase = epochBase;
    // sync() runs every frame: tell the UI only about real changes.
    this.onState = (state) => {
      const key = JSON.stringify(state.kind === 'error' ? { kind: 'error', message: state.error.message } : state);
      if (key === this.lastState) return;
      this.lastState = key;
      onState(state);
    };
  }

  /** Called every frame and on every clock event. */
  sync(t: number, playing: boolean, rate: number): void {
    if (this.disposed) return;
    let index = findSegmentIndex(this.segments, t);
    // The recorder's first snapshot lands a few ms after the call starts: show it from 0.
    if (index < 0 && this.segments[0] && this.segments[0].startMs - t <= SHOW_FIRST_EARLY_MS) index = 0;
    if (index < 0) {
      this.onState({ kind: 'before-start', startsAtMs: this.segments[0]?.startMs ?? 0 });
      this.wanted = -1;
      // Before the first snapshot there is nothing to show; keep the replayer (if any) still.
      if (this.replayer && this.lastPlaying) this.replayer.pause(0);
      this.lastPlaying = false;
      if (this.segments[0]) this.cache.prefetch(this.segments[0]);
      return;
    }
    const inRun = this.run && index >= this.run.first && index <= this.run.last;
    if (!inRun) {
      if (this.wanted !== index || !this.building) this.build(index, t);
      return;
    }
    if (this.building) return;
    this.wanted = index;
    this.onState({ kind: 'ready', ...this.dims });
    this.prefetchAndAppend(t);
    this.position(t, playing, rate);
  }

  private position(t: number, playing: boolean, rate: number): void {
    const r = this.replayer;
    const run = this.run;
    if (!r || !run) return;
    if (rate !== this.lastRate) {
      r.setConfig({ speed: rate });
      this.lastRate = rate;
    }
    const target = replayerTarget(t, run.firstMs, run.lastMs);
    const changed = playing !== this.lastPlaying || this.fresh;
    this.lastPlaying = playing;
    this.fresh = false;
    const now = performance.now();
    const dt = now - this.lastFrameAt;
    this.lastFrameAt = now;
    if (dt > 4 && dt < 100) this.frameMs += (dt - this.frameMs) * 0.1;
    const current = r.getCurrentTime();
    if (!playing) {
      // Going back in rrweb means rebuilding the page: a replayer just ahead of the clock (the
      // lookahead it played with) stays put; anything else (a seek) is redrawn exactly.
      const ahead = current - target;
      if (ahead >= 0 && ahead <= KEEP_AHEAD_MS) {
        if (changed) r.pause();
      } else if (changed || drifted(current, target, 1)) r.pause(target);
      return;
    }
    const wanted = lockedTarget(target, this.frameMs, rate, run.lastMs + 1 - run.firstMs);
    const stopped = !r.service.state.matches('playing');
    // Out of events (the screen recording ends before the audio, or the next segment is late):
    // the page already shows the last state; there is nothing to play until more arrive.
    if (stopped && this.ranOut && !changed) return;
    // rrweb stops by itself at the last event it holds (the next segment appended after that).
    if (changed || drifted(current, wanted, RELOCK_MS) || stopped) {
      // Never start behind where it already is (that too would rebuild); the lock catches up.
      r.play(current > wanted && current - wanted < RELOCK_MS ? current : wanted);
      return;
    }
    this.lockTo(r, wanted, now);
  }

  /**
   * Sets the replayer's timer to `wanted` now. Ahead of it, nothing is undone (rrweb cannot); the
   * next changes just wait for their moment. Behind it, the events now due are applied at rrweb's
   * next timer check, this frame or the next.
   */
  private lockTo(r: Replayer, wanted: number, now: number): void {
    const timer = r.timer as unknown as ReplayTimer;
    timer.timeOffset = wanted - r.getTimeOffset();
    timer.lastTimestamp = now;
  }

  private build(index: number, t: number): void {
    this.wanted = index;
    this.onState({ kind: 'loading' });
    const entry = this.segments[index]!;
    const building = this.cache.get(entry).then(
      (events) => {
        if (this.disposed || this.wanted !== index) return;
        this.replace(events, index);
        this.sync(t, this.lastPlaying, this.lastRate);
      },
      (error: unknown) => {
        if (this.disposed || this.wanted !== index) return;
        this.onState({ kind: 'error', error: error instanceof SegmentError ? error : new SegmentError(String(error), 'format') });
      },
    );
    this.building = building;
    void building.finally(() => {
      if (this.building === building) this.building = null;
    });
  }

  private replace(events: ReplayEvent[], index: number): void {
    this.replayer?.destroy();
    this.root.replaceChildren();
    this.appending.clear();
    const replayer = new Replayer(events as never, {
      root: this.root,
      // Recorded pages are untrusted: the iframe keeps rrweb's sandbox="allow-same-origin" and
      // never gets allow-scripts (which UNSAFE_replayCanvas would add).
      UNSAFE_replayCanvas: false,
      mouseTail: false,
      skipInactive: false,
      triggerFocus: false,
      showWarning: false,
      speed: this.lastRate,
      // A recorded page's own animations run on the replay's clock, not the page's.
      pauseAnimation: true,
      // Repositioning applies up to a segment's events at once. rrweb's default mirrors the whole
      // page into a virtual DOM first and diffs it back (bench/player: ~40 ms a seek on a 150-row
      // page, most of the seek's script time); a segment's few hundred changes cost less applied
      // to the page directly.
      useVirtualDom: false,
    });
    // How often the page was built from a snapshot, went back, or ran out of events: each is
    // visible (a redraw), and while playing straight through only segment boundaries should
    // build. Kept on the root for the browser tests and bench/player.
    const count = (name: 'rebuilds' | 'playbacks' | 'finishes') => () => {
      this.root.dataset[name] = String(Number(this.root.dataset[name] ?? 0) + 1);
    };
    replayer.on('fullsnapshot-rebuilded', count('rebuilds'));
    replayer.on('play-back', count('playbacks'));
    replayer.on('finish', count('finishes'));
    replayer.on('finish', () => {
      if (this.replayer === replayer) this.ranOut = true;
    });
    replayer.on('resize', (d) => {
      const { width, height } = d as { width: number; height: number };
      this.dims = { width, height };
      this.onState({ kind: 'ready', width, height });
    });
    this.replayer = replayer;
    const entry = this.segments[index]!;
    this.run = { first: index, last: index, firstMs: entry.startMs, lastMs: Math.max(entry.endMs, this.eventsEnd(events)) };
    this.lastPlaying = false;
    this.ranOut = false;
    // The sync() that follows draws it, at the clock's time: drawing the snapshot first (pause(0))
    // would build the page twice.
    this.fresh = true;
    const meta = events[0]?.data as { width?: number; height?: number } | undefined;
    this.dims = { width: meta?.width || 1024, height: meta?.height || 768 };
    this.onState({ kind: 'ready', ...this.dims });
  }

  private eventsEnd(events: ReplayEvent[]): number {
    return (events.at(-1)?.timestamp ?? this.epochBase) - this.epochBase;
  }

  /** Prefetch the segment after the run as playback nears it; append it once it is close and loaded. */
  private prefetchAndAppend(t: number): void {
    const run = this.run;
    const replayer = this.replayer;
    if (!run || !replayer) return;
    const next = run.last + 1;
    const entry = this.segments[next];
    if (!entry) return;
    // "prefetches the next": start as soon as we are in the run's last segment.
    this.cache.prefetch(entry);
    // Appended before the replayer runs out of events: once it has, rrweb's only way on is a rebuild.
    if (Math.min(entry.startMs, run.lastMs) - t > PREFETCH_AHEAD_MS || this.appending.has(next)) return;
    this.appending.add(next);
    this.cache.get(entry).then(
      (events) => {
        if (this.disposed || this.replayer !== replayer || !this.run || this.run.last !== next - 1) return;
        for (const e of events) replayer.addEvent(e as never);
        this.run = { ...this.run, last: next, lastMs: Math.max(entry.endMs, this.eventsEnd(events)) };
        this.ranOut = false;
      },
      () => {
        // Not fatal now: when playback reaches it, build() reports the error.
        this.appending.delete(next);
      },
    );
  }

  /** The replay iframe, for tests and for scaling. */
  get iframe(): HTMLIFrameElement | null {
    return this.replayer?.iframe ?? null;
  }

  dispose(): void {
    this.disposed = true;
    this.replayer?.destroy();
    this.replayer = null;
    this.root.replaceChildren();
  }
}
