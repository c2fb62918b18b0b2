export type PauseReason = 'sensitive-field' | 'sensitive-area' | 'manual';

/**
 * Watches for PCI moments: focus inside a sensitive field, or a sensitive area on screen. Calls
 * `onChange` with the set of active reasons whenever it changes; the recorder pauses while any
 * reason is active. Focus is checked on `focusin` in the capture phase, before the first key.
 */
export class PciGuard {
  private field = false;
  private readonly visibleAreas = new Set<Element>();
  private observer: IntersectionObserver | undefined;
  private mutations: MutationObserver | undefined;
  private rescan: ReturnType<typeof setTimeout> | undefined;
  private readonly watched = new WeakSet<Element>();

  constructor(
    private readonly sensitiveSelector: string,
    private readonly areaSelector: string,
    private readonly onChange: () => void,
  ) {}

  get reasons(): PauseReason[] {
    const r: PauseReason[] = [];
    if (this.field) r.push('sensitive-field');
    if (this.visibleAreas.size > 0) r.push('sensitive-area');
    return r;
  }

  start(): void {
    document.addEventListener('focusin', this.onFocusIn, true);
    document.addEventListener('focusout', this.onFocusOut, true);
    this.onFocusIn();
    this.observer = new IntersectionObserver((entries) => {
      const before = this.visibleAreas.size;
      for (const e of entries) {
        if (e.isIntersecting) this.visibleAreas.add(e.target);
        else this.visibleAreas.delete(e.target);
      }
      if ((before > 0) !== (this.visibleAreas.size > 0)) this.onChange();
    });
    this.watchAreas();
    // Looking for new areas is a query over the whole document: done in a task of its own after a
    // batch of changes, not in the page's (often long) render task. Nothing leaks meanwhile: the
    // screen capture never records a sensitive area's content (it is blocked), and visibility only
    // counts once the IntersectionObserver reports it, after rendering, anyway.
    this.mutations = new MutationObserver(() => {
      this.rescan ??= setTimeout(() => {
        this.rescan = undefined;
        this.watchAreas();
      }, 0);
    });
    this.mutations.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'data-duet-sensitive-area', 'hidden', 'style'] });
  }

  stop(): void {
    document.removeEventListener('focusin', this.onFocusIn, true);
    document.removeEventListener('focusout', this.onFocusOut, true);
    this.observer?.disconnect();
    this.mutations?.disconnect();
    clearTimeout(this.rescan);
    this.rescan = undefined;
    this.visibleAreas.clear();
    this.field = false;
  }

  private isSensitive(el: Element | null): boolean {
    return !!el && (el.matches(this.sensitiveSelector) || !!el.closest(this.sensitiveSelector));
  }

  private readonly onFocusIn = () => {
    const now = this.isSensitive(document.activeElement);
    if (now !== this.field) {
      this.field = now;
      this.onChange();
    }
  };

  private readonly onFocusOut = (e: FocusEvent) => {
    const next = e.relatedTarget instanceof Element ? e.relatedTarget : null;
    const now = this.isSensitive(next);
    if (now !== this.field) {
      this.field = now;
      this.onChange();
    }
  };

  private watchAreas() {
    for (const el of document.querySelectorAll(this.areaSelector)) {
      if (this.watched.has(el)) continue;
      this.watched.add(el);
      this.observer?.observe(el);
    }
    // Areas removed from the page no longer count as visible.
    for (const el of [...this.visibleAreas]) {
      if (!el.isConnected) {
        this.visibleAreas.delete(el);
        if (this.visibleAreas.size === 0) this.onChange();
      }
    }
  }
}
