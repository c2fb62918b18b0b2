/**
 * The outbox: every message goes here before it is sent and leaves only when the server acked
 * it, so a network drop, a server restart or a page reload loses nothing. IndexedDB when the
 * browser has it (survives reloads), memory otherwise (survives drops and restarts only).
 */

export type OutboxKind = 'open' | 'chunk' | 'marker' | 'end';

export interface OutboxEntry {
  /** insertion order, assigned by the store */
  n?: number;
  /** the tab that wrote it: each tab sends its own entries */
  tab: string;
  interactionId: string;
  kind: OutboxKind;
  /** the message's JSON body as the protocol defines it */
  body: Record<string, unknown>;
  /** chunk bytes */
  payload?: ArrayBuffer;
  /** `audio` or `screen:<tab>`, for chunks */
  stream?: string;
  seq?: number;
  bytes: number;
}

/** What a recording needs to carry on after a reload. */
export interface ActiveRecording {
  tab: string;
  interactionId: string;
  startedAt: number;
  callId?: string;
  direction?: 'inbound' | 'outbound';
  nextSeq: Record<string, number>;
  updatedAt: number;
  /** joined another tab's interaction (screen only): after a reload it is rejoined, never ended, from here */
  following?: boolean;
}

interface Store {
  add(entry: OutboxEntry): Promise<number>;
  delete(n: number): Promise<void>;
  list(tab: string): Promise<OutboxEntry[]>;
  getActive(tab: string): Promise<ActiveRecording | undefined>;
  putActive(a: ActiveRecording): Promise<void>;
  deleteActive(tab: string): Promise<void>;
  close(): void;
}

const req = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

class IdbStore implements Store {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name: string): Promise<IdbStore> {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      const outbox = db.createObjectStore('outbox', { keyPath: 'n', autoIncrement: true });
      outbox.createIndex('tab', 'tab');
      db.createObjectStore('active', { keyPath: 'tab' });
    };
    return new IdbStore(await req(open));
  }

  private tx(store: string, mode: IDBTransactionMode) {
    return this.db.transaction(store, mode).objectStore(store);
  }
  async add(entry: OutboxEntry) {
    return Number(await req(this.tx('outbox', 'readwrite').add(entry)));
  }
  async delete(n: number) {
    await req(this.tx('outbox', 'readwrite').delete(n));
  }
  async list(tab: string) {
    return (await req(this.tx('outbox', 'readonly').index('tab').getAll(tab))) as OutboxEntry[];
  }
  async getActive(tab: string) {
    return (await req(this.tx('active', 'readonly').get(tab))) as ActiveRecording | undefined;
  }
  async putActive(a: ActiveRecording) {
    await req(this.tx('active', 'readwrite').put(a));
  }
  async deleteActive(tab: string) {
    await req(this.tx('active', 'readwrite').delete(tab));
  }
  close() {
    this.db.close();
  }
}

class MemoryStore implements Store {
  private n = 0;
  private readonly entries = new Map<number, OutboxEntry>();
  private readonly active = new Map<string, ActiveRecording>();
  async add(entry: OutboxEntry) {
    const n = ++this.n;
    this.entries.set(n, { ...entry, n });
    return n;
  }
  async delete(n: number) {
    this.entries.delete(n);
  }
  async list(tab: string) {
    return [...this.entries.values()].filter((e) => e.tab === tab);
  }
  async getActive(tab: string) {
    return this.active.get(tab);
  }
  async putActive(a: ActiveRecording) {
    this.active.set(a.tab, a);
  }
  async deleteActive(tab: string) {
    this.active.delete(tab);
  }
  close() {}
}

export interface DropReport {
  stream: string;
  seq: number;
  bytes: number;
}

/**
 * The outbox of one tab: ordered entries with a byte budget. Entries are kept in memory too (the
 * sender reads from there); IndexedDB is the copy that outlives the page.
 */
export class Outbox {
  private readonly pending = new Map<number, OutboxEntry>();
  private bytes = 0;

  private constructor(
    private readonly store: Store,
    private readonly tab: string,
    private readonly maxBytes: number,
    readonly persistent: boolean,
  ) {}

  /**
   * `tab` keys everything this outbox writes: the recorder passes the tab id plus a fingerprint
   * of its token, so what was queued under one agent's token is never sent with another's.
   */
  static async open(tab: string, maxBytes: number): Promise<Outbox> {
    let store: Store;
    let persistent = true;
    try {
      store = await IdbStore.open('duet-recorder');
    } catch {
      // Private windows and locked-down browsers: still safe against drops, not against reloads.
      store = new MemoryStore();
      persistent = false;
    }
    const box = new Outbox(store, tab, maxBytes, persistent);
    for (const e of await store.list(tab)) box.keep(e);
    return box;
  }

  private keep(e: OutboxEntry) {
    this.pending.set(e.n!, e);
    this.bytes += e.bytes;
  }

  get queuedBytes(): number {
    return this.bytes;
  }
  get size(): number {
    return this.pending.size;
  }

  /** Entries in the order they were written. */
  entries(): OutboxEntry[] {
    return [...this.pending.values()].sort((a, b) => a.n! - b.n!);
  }

  /**
   * Stores an entry; when over budget, drops screen chunks (oldest first), then audio chunks
   * (oldest first), never control messages. Returns what was dropped, for the `outbox-full` event.
   */
  async add(entry: Omit<OutboxEntry, 'tab' | 'n'>): Promise<DropReport[]> {
    const full: OutboxEntry = { ...entry, tab: this.tab };
    const n = await this.store.add(full);
    this.keep({ ...full, n });
    const dropped: DropReport[] = [];
    while (this.bytes > this.maxBytes) {
      // Screen goes first, the new chunk included when it is screen: a new screen chunk never
      // pushes audio out. Audio goes (oldest first) only when nothing but audio is left.
      const chunks = this.entries().filter((e) => e.kind === 'chunk');
      const victim = chunks.find((e) => e.stream !== 'audio') ?? chunks.find((e) => e.n !== n);
      if (!victim) break;
      await this.remove(victim.n!);
      dropped.push({ stream: victim.stream!, seq: victim.seq!, bytes: victim.bytes });
    }
    return dropped;
  }

  async remove(n: number): Promise<void> {
    const e = this.pending.get(n);
    if (!e) return;
    this.pending.delete(n);
    this.bytes -= e.bytes;
    await this.store.delete(n);
  }

  getActive(): Promise<ActiveRecording | undefined> {
    return this.store.getActive(this.tab);
  }
  putActive(a: Omit<ActiveRecording, 'tab'>): Promise<void> {
    return this.store.putActive({ ...a, tab: this.tab });
  }
  deleteActive(): Promise<void> {
    return this.store.deleteActive(this.tab);
  }
  /** Forgets everything queued (used when the server refused the token: it can never be sent). */
  async clear(): Promise<void> {
    for (const n of [...this.pending.keys()]) await this.remove(n);
    await this.deleteActive();
  }

  close(): void {
    this.store.close();
  }
}
