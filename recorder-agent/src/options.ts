/**
 * Everything a host page can configure. Only `serverUrl` and `token` are required; the defaults
 * are private (every input masked, card fields never captured) and fit the pipeline's storage
 * target (24 kbit/s Opus: about 11 MB per hour of stereo call audio).
 */
export interface RecorderOptions {
  /** Duet's base URL, e.g. `https://duet.example.com` (the recorder connects to `<serverUrl>/ingest`). */
  serverUrl: string;
  /** The agent's recorder token (`duet_rt_…`), issued by a Duet admin. */
  token: string;
  /**
   * Names this tab or application's screen stream (`screen:<tabId>`): lower-case letters, digits
   * and dashes, up to 40. Default: a random id kept in sessionStorage, so a reload keeps it.
   */
  tabId?: string;
  /**
   * Elements never captured: rrweb replaces them with an empty box of the same size and records
   * no input in them. Always includes password and payment-card fields
   * (`autocomplete` cc-number, cc-csc, cc-exp…) and `[data-duet-sensitive]`; this adds to them.
   */
  sensitiveSelector?: string;
  /**
   * While an element matching this is visible, audio and screen pause (PCI). Default
   * `[data-duet-sensitive-area]`.
   */
  sensitiveAreaSelector?: string;
  /**
   * Inputs whose typed values may be recorded as typed. Every other input is masked (`*`).
   * Default `[data-duet-unmask]`. A sensitive element is never unmasked.
   */
  unmaskSelector?: string;
  /** Opus bitrate of the call audio (default 24,000 bit/s). */
  audioBitsPerSecond?: number;
  /** How often a chunk of audio and screen is cut and sent (default 1,000 ms; 1–2 s suits the pipeline). */
  chunkMs?: number;
  /**
   * A full DOM snapshot every this many ms, so the player can seek without replaying from the
   * start (default 30,000). Where one snapshot takes long (a big page on a slow computer), the
   * interval stretches so that snapshots use at most 0.5 % of the main thread, up to 10 times this.
   */
  checkoutEveryMs?: number;
  /**
   * Bytes kept in the outbox (IndexedDB) while the server is unreachable (default 64 MB, about an
   * hour of audio and screen). When full, the oldest screen chunks go first; audio is dropped
   * (oldest first) only when audio alone fills it. Either way the recorder emits `outbox-full`.
   */
  outboxMaxBytes?: number;
  /** Show the built-in status badge (default true). Pass an element to put it inside that element. */
  badge?: boolean | HTMLElement;
  /** Microphone constraints (default: echo cancellation and noise suppression on). */
  microphone?: MediaTrackConstraints;
  /**
   * Join the agent's interaction when another tab or application starts one (default true): this
   * tab then records its own screen stream into it (no audio), and stops when it ends. The timeline
   * knows which tab had focus when.
   */
  follow?: boolean;
  /** Start and stop when the phone system says so through Duet's CTI endpoint (default true). */
  cti?: boolean;
  /** The customer's audio for calls started by CTI (e.g. the softphone's remote stream), if this tab has it. */
  customer?: () => MediaStream | null | Promise<MediaStream | null>;
}

export const ALWAYS_SENSITIVE = [
  '[data-duet-sensitive]',
  'input[type="password"]',
  '[autocomplete~="cc-number"]',
  '[autocomplete~="cc-csc"]',
  '[autocomplete~="cc-exp"]',
  '[autocomplete~="cc-exp-month"]',
  '[autocomplete~="cc-exp-year"]',
  '[autocomplete~="cc-name"]',
].join(', ');

export interface ResolvedOptions {
  serverUrl: string;
  token: string;
  tabId: string;
  sensitiveSelector: string;
  sensitiveAreaSelector: string;
  unmaskSelector: string;
  audioBitsPerSecond: number;
  chunkMs: number;
  checkoutEveryMs: number;
  outboxMaxBytes: number;
  badge: boolean | HTMLElement;
  microphone: MediaTrackConstraints;
  follow: boolean;
  cti: boolean;
  customer: () => MediaStream | null | Promise<MediaStream | null>;
}

const TAB_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

function defaultTabId(): string {
  const key = 'duet-recorder-tab-id';
  try {
    const kept = sessionStorage.getItem(key);
    if (kept && TAB_ID.test(kept)) return kept;
    const made = `tab-${crypto.randomUUID().slice(0, 8)}`;
    sessionStorage.setItem(key, made);
    return made;
  } catch {
    return `tab-${crypto.randomUUID().slice(0, 8)}`;
  }
}

/** Fills defaults and checks what can be checked before anything starts; throws a clear error otherwise. */
export function resolveOptions(o: RecorderOptions): ResolvedOptions {
  if (!o || typeof o.serverUrl !== 'string' || !/^https?:\/\//.test(o.serverUrl)) throw new TypeError('Duet recorder: `serverUrl` must be the http(s) URL of the Duet server');
  if (typeof o.token !== 'string' || o.token.length === 0) throw new TypeError('Duet recorder: `token` (a recorder token from a Duet admin) is required');
  const tabId = o.tabId ?? defaultTabId();
  if (!TAB_ID.test(tabId)) throw new TypeError('Duet recorder: `tabId` must be lower-case letters, digits and dashes (up to 40)');
  const chunkMs = o.chunkMs ?? 1000;
  if (chunkMs < 250 || chunkMs > 5000) throw new RangeError('Duet recorder: `chunkMs` must be between 250 and 5,000');
  return {
    serverUrl: o.serverUrl.replace(/\/+$/, ''),
    token: o.token,
    tabId,
    sensitiveSelector: o.sensitiveSelector ? `${ALWAYS_SENSITIVE}, ${o.sensitiveSelector}` : ALWAYS_SENSITIVE,
    sensitiveAreaSelector: o.sensitiveAreaSelector ?? '[data-duet-sensitive-area]',
    unmaskSelector: o.unmaskSelector ?? '[data-duet-unmask]',
    audioBitsPerSecond: o.audioBitsPerSecond ?? 24_000,
    chunkMs,
    checkoutEveryMs: o.checkoutEveryMs ?? 30_000,
    outboxMaxBytes: o.outboxMaxBytes ?? 64 * 1024 * 1024,
    badge: o.badge ?? true,
    microphone: o.microphone ?? { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    follow: o.follow ?? true,
    cti: o.cti ?? true,
    customer: o.customer ?? (() => null),
  };
}
