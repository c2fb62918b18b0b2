import type { JobQueue } from './queue.js';
import type { JobPayloads } from './types.js';

export interface ScheduledJob<M, K extends keyof M & string = keyof M & string> {
  type: K;
  payload: M[K];
  everyMs: number;
}

/** Recurring maintenance of the application: what runs on its own, and how often. */
export function appSchedule(config: { INGEST_IDLE_MINUTES: number }): ScheduledJob<JobPayloads>[] {
  return [
    { type: 'purge-expired-sessions', payload: {}, everyMs: 3_600_000 },
    { type: 'close-idle-interactions', payload: { idleMinutes: config.INGEST_IDLE_MINUTES }, everyMs: 60_000 },
    // Hourly, so a new week or month is sampled within the hour it starts; each plan and period
    // runs once whatever the number of processes (deterministic ids in the fan-out).
    { type: 'run-sampling-plans', payload: {}, everyMs: 3_600_000 },
  ];
}

/**
 * Enqueues each scheduled job once per period. The job id is the period's number, so every
 * process that runs a schedule (N workers, or the all-in-one server) produces the same id and the
 * job runs once per period however many processes there are. Returns a stop function.
 */
export function startSchedule<M>(queue: JobQueue<M>, entries: ScheduledJob<M>[], log: (msg: string) => void, now = () => Date.now()): () => void {
  const tick = () => {
    for (const e of entries) {
      const slot = Math.floor(now() / e.everyMs);
      queue.enqueue(e.type, e.payload, { jobId: `${e.type}:every-${e.everyMs}:${slot}` }).catch((err: Error) => {
        log(`schedule: could not enqueue ${e.type}: ${err.message}`);
      });
    }
  };
  tick();
  const shortest = Math.min(...entries.map((e) => e.everyMs));
  // Check four times per shortest period so a slot is never missed by much after a restart.
  const timer = setInterval(tick, Math.max(1000, shortest / 4));
  timer.unref();
  return () => clearInterval(timer);
}
