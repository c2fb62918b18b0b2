import { describe, expect, it } from 'vitest';
import type { EnqueueOptions, JobQueue } from './queue.js';
import { startSchedule } from './schedule.js';

type M = { tidy: { n: number } };

/** A recording stand-in for the queue: this unit test checks only which ids the schedule asks for. */
function recordingQueue() {
  const calls: { type: string; opts: EnqueueOptions }[] = [];
  const queue = {
    enqueue: async (type: string, _payload: unknown, opts: EnqueueOptions) => {
      calls.push({ type, opts });
      return { enqueued: true };
    },
  } as unknown as JobQueue<M>;
  return { queue, calls };
}

describe('startSchedule', () => {
  it('asks for one deterministic job id per period, the same in every process', () => {
    let t = 10 * 3_600_000 + 5;
    const a = recordingQueue();
    const b = recordingQueue();
    const stopA = startSchedule(a.queue, [{ type: 'tidy', payload: { n: 1 }, everyMs: 3_600_000 }], () => {}, () => t);
    const stopB = startSchedule(b.queue, [{ type: 'tidy', payload: { n: 1 }, everyMs: 3_600_000 }], () => {}, () => t);
    stopA();
    stopB();
    expect(a.calls).toEqual([{ type: 'tidy', opts: { jobId: 'tidy:every-3600000:10' } }]);
    expect(b.calls).toEqual(a.calls);
    t += 3_600_000;
    const c = recordingQueue();
    startSchedule(c.queue, [{ type: 'tidy', payload: { n: 1 }, everyMs: 3_600_000 }], () => {}, () => t)();
    expect(c.calls[0]!.opts.jobId).toBe('tidy:every-3600000:11');
  });
});
