/**
 * Hand-made rrweb 2 events for pages a test needs and a real recording cannot safely produce
 * (a hostile page) or does not have (a second tab). The shapes are rrweb's serialized DOM:
 * node types Document 0, DocumentType 1, Element 2, Text 3; event types FullSnapshot 2,
 * IncrementalSnapshot 3 (source 0: mutation), Meta 4.
 */

export type SNode =
  | { type: 0; childNodes: SNode[]; id: number }
  | { type: 1; name: string; publicId: string; systemId: string; id: number }
  | { type: 2; tagName: string; attributes: Record<string, string>; childNodes: SNode[]; id: number; isSVG?: true }
  | { type: 3; textContent: string; id: number };

export type CraftedEvent = { type: number; timestamp: number; data: unknown };

/** Builds serialized nodes with increasing ids. */
export class Page {
  private next = 1;
  readonly ids = new Map<string, number>();

  el(tagName: string, attributes: Record<string, string> = {}, children: (SNode | string)[] = [], name?: string): SNode {
    const id = this.next++;
    if (name) this.ids.set(name, id);
    return {
      type: 2,
      tagName,
      attributes,
      childNodes: children.map((c) => (typeof c === 'string' ? this.text(c) : c)),
      id,
      ...(tagName === 'svg' ? { isSVG: true as const } : {}),
    };
  }

  text(textContent: string, name?: string): SNode {
    const id = this.next++;
    if (name) this.ids.set(name, id);
    return { type: 3, textContent, id };
  }

  /** Meta + FullSnapshot of `<html><head>head</head><body>body</body></html>` at `at`. */
  snapshot(at: number, href: string, head: SNode[], body: SNode[], size = { width: 1000, height: 640 }): CraftedEvent[] {
    const docId = this.next++;
    const doctype: SNode = { type: 1, name: 'html', publicId: '', systemId: '', id: this.next++ };
    const html = this.el('html', { lang: 'en' }, [this.el('head', {}, head), this.el('body', {}, body)]);
    return [
      { type: 4, timestamp: at, data: { href, ...size } },
      { type: 2, timestamp: at + 5, data: { node: { type: 0, childNodes: [doctype, html], id: docId }, initialOffset: { left: 0, top: 0 } } },
    ];
  }

  /** A text node's new value at `at`. */
  setText(at: number, name: string, value: string): CraftedEvent {
    return { type: 3, timestamp: at, data: { source: 0, texts: [{ id: this.ids.get(name)!, value }], attributes: [], removes: [], adds: [] } };
  }

  /** Attribute changes of a named element at `at`. */
  setAttributes(at: number, name: string, attributes: Record<string, string>): CraftedEvent {
    return { type: 3, timestamp: at, data: { source: 0, texts: [], attributes: [{ id: this.ids.get(name)!, attributes }], removes: [], adds: [] } };
  }

  /** Appends a node under a named parent at `at`. */
  add(at: number, parent: string, node: SNode): CraftedEvent {
    return { type: 3, timestamp: at, data: { source: 0, texts: [], attributes: [], removes: [], adds: [{ parentId: this.ids.get(parent)!, nextId: null, node }] } };
  }
}
