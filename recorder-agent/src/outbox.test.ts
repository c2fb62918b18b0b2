import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

// Node has no IndexedDB: the outbox falls back to its memory store, the same policy code.
const chunk = (stream: string, seq: number, bytes: number) => ({ interactionId: 'i', kind: 'chunk' as const, stream, seq, body: { seq }, payload: new ArrayBuffer(bytes), bytes });
const kept = (box: Outbox) => box.entries().map((e) => (e.kind === 'chunk' ? `${e.stream}#${e.seq}` : e.kind));

describe('Outbox byte budget', () => {
  it('drops the oldest screen chunks first and never a control message', async () => {
    const box = await Outbox.open('tab|fp', 1000);
    expect(box.persistent).toBe(false);
    await box.add({ interactionId: 'i', kind: 'open', body: {}, bytes: 0 });
    await box.add(chunk('screen:a', 0, 300));
    await box.add(chunk('audio', 0, 300));
    await box.add(chunk('screen:a', 1, 300));
    expect(await box.add(chunk('audio', 1, 300))).toEqual([{ stream: 'screen:a', seq: 0, bytes: 300 }]);
    expect(kept(box)).toEqual(['open', 'audio#0', 'screen:a#1', 'audio#1']);
    expect(box.queuedBytes).toBe(900);
  });

  it('drops a new screen chunk rather than push audio out', async () => {
    const box = await Outbox.open('tab2|fp', 1000);
    await box.add(chunk('audio', 0, 400));
    await box.add(chunk('audio', 1, 400));
    expect(await box.add(chunk('screen:a', 0, 400))).toEqual([{ stream: 'screen:a', seq: 0, bytes: 400 }]);
    expect(kept(box)).toEqual(['audio#0', 'audio#1']);
  });

  it('drops the oldest audio only when nothing but audio is left', async () => {
    const box = await Outbox.open('tab3|fp', 1000);
    for (let seq = 0; seq < 3; seq++) await box.add(chunk('audio', seq, 400));
    expect(kept(box)).toEqual(['audio#1', 'audio#2']);
    await box.add({ interactionId: 'i', kind: 'end', body: {}, bytes: 0 });
    await box.remove(box.entries()[0]!.n!);
    expect(kept(box)).toEqual(['audio#2', 'end']);
    expect(box.queuedBytes).toBe(400);
  });
});
