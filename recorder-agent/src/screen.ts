import { record } from 'rrweb';

/** What rrweb emits, as far as the recorder looks into it. */
export interface EventWithTime {
  type: number;
  timestamp: number;
  data: unknown;
}

export interface ScreenCaptureOptions {
  sensitiveSelector: string;
  unmaskSelector: string;
  checkoutEveryMs: number;
}

/**
 * rrweb recording with privacy by default: every input masked unless it matches the unmask
 * selector (and is not sensitive), sensitive elements blocked (an empty box, no input events),
 * no canvas, no fonts fetched. Events collect in a buffer the recorder cuts into chunks.
 */
export class ScreenCapture {
  private stopRecord: (() => void) | undefined;
  private buffer: EventWithTime[] = [];

  constructor(private readonly opts: ScreenCaptureOptions) {}

  start(): void {
    if (this.stopRecord) return;
    const { sensitiveSelector, unmaskSelector } = this.opts;
    this.stopRecord =
      record({
        emit: (event) => void this.buffer.push(event as EventWithTime),
        checkoutEveryNms: this.opts.checkoutEveryMs,
        blockSelector: sensitiveSelector,
        maskAllInputs: true,
        maskInputFn: (text, element) => {
          const el = element as Element | null;
          const allowed = el?.matches?.(unmaskSelector) && !el.matches(sensitiveSelector) && !el.closest(sensitiveSelector);
          return allowed ? text : '*'.repeat(text.length);
        },
        recordCanvas: false,
        collectFonts: false,
        inlineImages: false,
        sampling: { mousemove: 50, scroll: 150, input: 'last' },
      }) ?? undefined;
  }

  /** Stops capturing; a later start() begins with a new full snapshot. */
  stop(): void {
    this.stopRecord?.();
    this.stopRecord = undefined;
  }

  get recording(): boolean {
    return this.stopRecord !== undefined;
  }

  /** The events captured since the last take. */
  take(): EventWithTime[] {
    const out = this.buffer;
    this.buffer = [];
    return out;
  }

  /** Forgets what was captured but not taken (used when a pause starts: nothing of it is kept). */
  discard(): void {
    this.buffer = [];
  }
}
