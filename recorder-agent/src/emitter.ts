/** A minimal typed event emitter: the recorder's events, without a dependency. */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof Events>(event: K, fn: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (payload: never) => void);
    return () => set.delete(fn as (payload: never) => void);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        (fn as (p: Events[K]) => void)(payload);
      } catch (err) {
        // A host's listener that throws must not break recording.
        console.error('[duet] listener failed', err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
