import { describe, expect, it } from 'vitest';
import { checkOggComplete, checkWavComplete } from './container-checks.js';

function wav(dataBytes: number, extraChunk = 0): Buffer {
  const extra = extraChunk ? Buffer.concat([Buffer.from('LIST'), u32(extraChunk), Buffer.alloc(extraChunk + (extraChunk % 2))]) : Buffer.alloc(0);
  const fmt = Buffer.concat([Buffer.from('fmt '), u32(16), Buffer.alloc(16)]);
  const header = Buffer.concat([Buffer.from('RIFF'), u32(4 + fmt.length + extra.length + 8 + dataBytes), Buffer.from('WAVE'), fmt, extra, Buffer.from('data'), u32(dataBytes)]);
  return Buffer.concat([header, Buffer.alloc(dataBytes)]);
}
function u32(n: number) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function oggPage(body: number, eos: boolean): Buffer {
  const segments = Math.ceil(body / 255) || 1;
  const table = Array.from({ length: segments }, (_, i) => Math.min(255, body - i * 255));
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = eos ? 0x04 : 0;
  header[26] = segments;
  return Buffer.concat([header, Buffer.from(table), Buffer.alloc(body, 0x4f)]);
}

describe('checkWavComplete', () => {
  it('accepts a whole file, also with a chunk before the data and an odd-sized one', () => {
    expect(checkWavComplete(wav(8000), wav(8000).length)).toEqual({ ok: true });
    const odd = wav(8000, 33);
    expect(checkWavComplete(odd, odd.length)).toEqual({ ok: true });
  });
  it('refuses a file shorter than its data chunk says, even cut on a sample boundary', () => {
    const full = wav(8000);
    expect(checkWavComplete(full, full.length - 4000)).toEqual({ ok: false, reason: expect.stringMatching(/announces 8000 bytes of audio but only 4000/) });
  });
  it('leaves streaming WAVs (unknown size) to the decoder', () => {
    const streaming = wav(0);
    expect(checkWavComplete(streaming, streaming.length + 5000)).toEqual({ ok: true });
  });
  it('refuses a file that ends before its data chunk', () => {
    const full = wav(100);
    expect(checkWavComplete(full.subarray(0, 30), 30).ok).toBe(false);
  });
});

describe('checkOggComplete', () => {
  it('accepts a stream whose last page ends it', () => {
    expect(checkOggComplete(Buffer.concat([oggPage(300, false), oggPage(1000, true)]))).toEqual({ ok: true });
  });
  it('refuses a stream cut on a page boundary (no end-of-stream page) or inside a page', () => {
    const pages = Buffer.concat([oggPage(300, false), oggPage(1000, false)]);
    expect(checkOggComplete(pages)).toEqual({ ok: false, reason: expect.stringMatching(/does not end the stream/) });
    const cut = Buffer.concat([oggPage(300, false), oggPage(1000, true)]).subarray(0, 900);
    expect(checkOggComplete(cut)).toEqual({ ok: false, reason: expect.stringMatching(/ends inside a page/) });
  });
});
