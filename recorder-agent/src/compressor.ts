/** Screen chunks smaller than this are sent as they are: compressing them saves little. */
export const MIN_COMPRESS_BYTES = 1024;

/**
 * The worker's whole program. The browser's own gzip (CompressionStream) runs on the worker's
 * thread, so the page's main thread only hands over a string and gets the bytes back
 * (transferred, not copied).
 */
const WORKER_SOURCE = `onmessage = async (e) => {
  const { id, text } = e.data;
  try {
    const gz = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
    const buf = await new Response(gz).arrayBuffer();
    postMessage({ id, buf }, [buf]);
  } catch (err) {
    postMessage({ id, error: String(err) });
  }
};`;

type Waiter = (bytes: Uint8Array | null) => void;

/**
 * Gzip of screen chunks off the main thread, in a dedicated Worker made from a Blob URL (the
 * script-tag bundle has no file of its own to load). A busy page's rrweb JSON compresses 5–10×:
 * that much less to upload per agent, to keep in the IndexedDB outbox while offline, and to copy
 * through socket.io on the main thread. Where a worker cannot run (a host page's
 * Content-Security-Policy without `worker-src blob:`, an old browser), `gzip` answers null and
 * the chunk goes uncompressed: recording never depends on it.
 */
export class Compressor {
  /** undefined: not started yet; null: unavailable here */
  private worker: Worker | null | undefined;
  private url: string | undefined;
  private next = 0;
  private readonly waiting = new Map<number, Waiter>();

  /** The gzip of `text`, or null when it should be sent as it is. */
  gzip(text: string): Promise<Uint8Array | null> {
    if (text.length < MIN_COMPRESS_BYTES) return Promise.resolve(null);
    const worker = this.ensure();
    if (!worker) return Promise.resolve(null);
    const id = this.next++;
    return new Promise<Uint8Array | null>((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ id, text });
    });
  }

  /** Ends the worker; anything still waiting is answered null (sent uncompressed). A later gzip starts a new one. */
  close(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.settleAll();
  }

  private ensure(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    this.worker = null;
    if (typeof Worker === 'undefined' || typeof CompressionStream === 'undefined' || typeof Blob === 'undefined') return null;
    try {
      this.url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const worker = new Worker(this.url);
      worker.onmessage = (e: MessageEvent<{ id: number; buf?: ArrayBuffer; error?: string }>) => {
        const waiter = this.waiting.get(e.data.id);
        this.waiting.delete(e.data.id);
        waiter?.(e.data.buf ? new Uint8Array(e.data.buf) : null);
      };
      // Refused by the page's CSP, or failed to start: no compression from now on.
      worker.onerror = () => {
        worker.terminate();
        if (this.worker === worker) this.worker = null;
        this.settleAll();
      };
      this.worker = worker;
    } catch {
      this.worker = null;
    }
    return this.worker;
  }

  private settleAll(): void {
    for (const waiter of this.waiting.values()) waiter(null);
    this.waiting.clear();
  }
}
