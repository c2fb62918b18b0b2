export interface BadgeState {
  state: 'idle' | 'starting' | 'recording' | 'paused' | 'stopped' | 'error';
  online: boolean;
  queuedBytes: number;
  pauseReasons: string[];
  warning?: string;
  /** something the agent should see next to the state, e.g. that the offline queue is full */
  notice?: string;
}

const LABELS: Record<string, string> = {
  'sensitive-field': 'sensitive field',
  'sensitive-area': 'sensitive area',
  manual: 'paused by you',
  'another-tab': 'sensitive step in another tab',
};

const mb = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(b / 1024)} KB`);

/** The text the badge shows; exported so a host drawing its own badge can say the same. */
export function badgeText(s: BadgeState): string {
  if (s.state === 'error') return `Recording stopped: ${s.warning ?? 'error'}`;
  if (s.state === 'idle' || s.state === 'stopped') return 'Not recording';
  if (s.state === 'starting') return 'Starting recording…';
  const base = s.state === 'paused' ? `Recording paused (${s.pauseReasons.map((r) => LABELS[r] ?? r).join(', ')})` : 'Recording';
  const net = s.online ? '' : ` · offline, ${mb(s.queuedBytes)} queued`;
  return base + net + (s.notice ? ` · ${s.notice}` : '');
}

/**
 * Agents should always know when they are recorded: a small fixed badge in a shadow root (the
 * host's CSS cannot break it by accident, but can restyle it on purpose through `::part(badge)`,
 * `::part(dot)` and `::part(text)`), with the state in `data-state` for hosts' selectors.
 */
export class Badge {
  private readonly host: HTMLElement;
  private readonly dot: HTMLElement;
  private readonly text: HTMLElement;

  constructor(container: HTMLElement | null) {
    this.host = document.createElement('div');
    this.host.setAttribute('data-duet-badge', '');
    // The badge itself is never part of the recording: rrweb's block class keeps only an empty box
    // of its size, and ignores the badge's own changes (it would otherwise serialize its shadow DOM
    // and every text change, once a second).
    this.host.setAttribute('class', 'rr-block rr-ignore');
    const root = this.host.attachShadow({ mode: 'open' });
    const css = `
      .badge { ${container ? '' : 'position: fixed; right: 12px; bottom: 12px; z-index: 2147483647;'}
        display: inline-flex; align-items: center; gap: 6px; padding: 4px 10px; border-radius: 999px;
        font: 500 12px/1.4 system-ui, sans-serif; color: #fff; background: rgba(20, 24, 31, 0.88); }
      .dot { width: 8px; height: 8px; border-radius: 50%; background: #9aa4b2; }
      .badge[data-state="recording"] .dot { background: #e5484d; }
      .badge[data-state="paused"] .dot { background: #f5a524; }
      .badge[data-online="false"] .dot { outline: 2px dashed #9aa4b2; outline-offset: 1px; }`;
    // A constructed stylesheet: host pages with a strict Content-Security-Policy (no inline
    // styles) still get a readable badge. A <style> element only where that is unsupported.
    let styled = false;
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
      styled = true;
    } catch {
      /* older browser */
    }
    const badge = document.createElement('div');
    badge.className = 'badge';
    badge.setAttribute('part', 'badge');
    badge.setAttribute('role', 'status');
    badge.setAttribute('aria-live', 'polite');
    this.dot = document.createElement('span');
    this.dot.className = 'dot';
    this.dot.setAttribute('part', 'dot');
    this.text = document.createElement('span');
    this.text.setAttribute('part', 'text');
    badge.append(this.dot, this.text);
    if (!styled) {
      const style = document.createElement('style');
      style.textContent = css;
      root.append(style);
    }
    root.append(badge);
    (container ?? document.body).append(this.host);
  }

  private shown = '';

  /** Shows the state; touches the DOM only when what is shown changes (it is called on every chunk). */
  update(s: BadgeState): void {
    const text = badgeText(s);
    const key = `${s.state}|${s.online}|${text}`;
    if (key === this.shown) return;
    this.shown = key;
    const badge = this.dot.parentElement!;
    badge.dataset.state = s.state;
    badge.dataset.online = String(s.online);
    this.host.dataset.state = s.state;
    this.text.textContent = text;
  }

  remove(): void {
    this.host.remove();
  }
}
