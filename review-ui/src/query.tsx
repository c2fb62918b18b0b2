import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api';

/**
 * A small stale-while-revalidate cache for GETs (the part of TanStack Query this app needs):
 * answers are kept per key, shown at once when revisited (back from the player to the library)
 * and refreshed in the background; identical requests in flight are shared. One cache per
 * signed-in session (the shell mounts it keyed by user), so nothing leaks across sign-outs.
 */
type Entry = { data?: unknown; error?: ApiError; at: number; inflight?: Promise<unknown> };

export class QueryCache {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Map<string, Set<() => void>>();
  constructor(private readonly maxEntries = 200) {}

  peek(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  subscribe(key: string, fn: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit(key: string) {
    for (const fn of this.listeners.get(key) ?? []) fn();
  }

  fetch<T>(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key) ?? { at: 0 };
    if (entry.inflight) return entry.inflight as Promise<T>;
    const inflight = load().then(
      (data) => {
        this.set(key, { data, at: Date.now() });
        return data;
      },
      (error: unknown) => {
        const e = error instanceof ApiError ? error : new ApiError(0, { error: 'unexpected', message: error instanceof Error ? error.message : String(error) });
        this.set(key, { data: entry.data, error: e, at: Date.now() });
        throw e;
      },
    );
    this.entries.set(key, { ...entry, inflight });
    this.emit(key);
    return inflight;
  }

  private set(key: string, entry: Entry) {
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Oldest first in a Map: drop from the front.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.emit(key);
  }
}

const QueryContext = createContext<QueryCache | null>(null);

export function QueryProvider({ children }: { children: ReactNode }) {
  const [cache] = useState(() => new QueryCache());
  return <QueryContext.Provider value={cache}>{children}</QueryContext.Provider>;
}

export type Query<T> = { data: T | undefined; error: ApiError | null; loading: boolean; refetch: () => void };

/** Cached data for `key` at once (if any), refreshed when older than `staleMs`. */
export function useQuery<T>(key: string, load: () => Promise<T>, { staleMs = 15_000 }: { staleMs?: number } = {}): Query<T> {
  const cache = useContext(QueryContext);
  if (!cache) throw new Error('useQuery needs a <QueryProvider> above it');
  const [, force] = useState(0);
  const loadRef = useLatest(load);

  useEffect(() => cache.subscribe(key, () => force((n) => n + 1)), [cache, key]);
  useEffect(() => {
    const entry = cache.peek(key);
    if (entry?.inflight) return;
    if (entry && !entry.error && Date.now() - entry.at < staleMs) return;
    cache.fetch(key, () => loadRef.current()).catch(() => {});
  }, [cache, key, staleMs, loadRef]);

  const refetch = useCallback(() => {
    cache.fetch(key, () => loadRef.current()).catch(() => {});
  }, [cache, key, loadRef]);

  const entry = cache.peek(key);
  return { data: entry?.data as T | undefined, error: entry?.error ?? null, loading: Boolean(entry?.inflight) || !entry, refetch };
}

function useLatest<T>(value: T) {
  const [ref] = useState(() => ({ current: value }));
  ref.current = value;
  return ref;
}
