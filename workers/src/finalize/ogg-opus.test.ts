import { describe, expect, it } from 'vitest';
import { opusPacketSamples, readOggOpus, writeOggOpus } from './ogg-opus.js';

describe('Ogg/Opus packets', () => {
  it('reads a packet’s length from its TOC byte', () => {
    expect(opusPacketSamples(Uint8Array.from([(3 << 3) | 0]))).toBe(2880); // SILK 60 ms
    expect(opusPacketSamples(Uint8Array.from([(13 << 3) | 1]))).toBe(1920); // hybrid 20 ms, two frames
    expect(opusPacketSamples(Uint8Array.from([(16 << 3) | 0]))).toBe(120); // CELT 2.5 ms
    expect(opusPacketSamples(Uint8Array.from([(31 << 3) | 3, 3]))).toBe(2880); // CELT 20 ms, three frames
  });

  it('writes what it reads back, over many pages, with packets longer than one lacing segment', () => {
    const packets = Array.from({ length: 500 }, (_, i) => Buffer.concat([Buffer.from([(31 << 3) | 4]), Buffer.alloc(i % 2 ? 3 : 255 + (i % 300), i & 0xff)]));
    const file = writeOggOpus({ channels: 2, preSkip: 312, packets, endGranule: 312 + 500 * 960 - 100 });
    const back = readOggOpus(file);
    expect(back.channels).toBe(2);
    expect(back.preSkip).toBe(312);
    expect(back.packets).toEqual(packets);
    // ~1 s pages: 500 × 20 ms is 10 s.
    expect(file.toString('latin1').split('OggS').length - 1).toBeGreaterThanOrEqual(12);
  });
});
