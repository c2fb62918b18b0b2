import { describe, expect, it } from 'vitest';
import { containerOfContentType, containerOfFilename, sniffAudio } from './sniff.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffAudio: the container from the first bytes', () => {
  it.each([
    ['RIFF/WAVE', bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '), 'wav'],
    ['ID3-tagged MP3', bytes('ID3', [4, 0, 0]), 'mp3'],
    ['a bare MPEG-1 layer III frame', bytes([0xff, 0xfb, 0x90, 0x64]), 'mp3'],
    ['an MPEG-2 layer III frame (8 kHz telephony)', bytes([0xff, 0xf3, 0x48, 0xc4]), 'mp3'],
    ['Ogg', bytes('OggS', [0, 2]), 'ogg'],
    ['EBML (WebM/Matroska)', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'webm'],
  ])('recognises %s', (_name, head, container) => {
    expect(sniffAudio(head)).toEqual({ ok: true, container });
  });

  it.each([
    ['empty', bytes(), /empty/],
    ['a PNG', bytes([0x89], 'PNG\r\n\x1a\n'), /PNG image/],
    ['an HLS playlist', bytes('#EXTM3U\n#EXT-X-VERSION:3\n'), /M3U\/HLS playlist/],
    ['an HLS playlist with a BOM', bytes([0xef, 0xbb, 0xbf], '#EXTM3U\n'), /M3U\/HLS playlist/],
    ['an ffconcat script', bytes('ffconcat version 1.0\nfile a.wav\n'), /concat script/],
    ['a bare concat script', bytes("file '/etc/passwd'\n"), /concat script/],
    ['a RIFF AVI', bytes('RIFF', [0, 0, 0, 0], 'AVI LIST'), /RIFF file of type "AVI "/],
    ['an MP4', bytes([0, 0, 0, 0x18], 'ftypmp42'), /MP4/],
    ['ADTS AAC (sync word, layer 00)', bytes([0xff, 0xf1, 0x50, 0x80]), /AAC/],
    ['FLAC', bytes('fLaC'), /FLAC/],
    ['random bytes', bytes([1, 2, 3, 4, 5, 6, 7, 8]), /^the content is not WAV/],
  ])('refuses %s, saying what it looks like', (_name, head, reason) => {
    const r = sniffAudio(head);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });
});

describe('declared types and names', () => {
  it('maps Content-Types: specific audio types claim a container, generic ones none, others are unsupported', () => {
    expect(containerOfContentType('audio/x-wav')).toBe('wav');
    expect(containerOfContentType('audio/mpeg; charset=binary')).toBe('mp3');
    expect(containerOfContentType('Audio/OGG')).toBe('ogg');
    expect(containerOfContentType('audio/webm')).toBe('webm');
    expect(containerOfContentType('application/octet-stream')).toBeNull();
    expect(containerOfContentType('audio/mpegurl')).toBe('unsupported');
    expect(containerOfContentType('application/vnd.apple.mpegurl')).toBe('unsupported');
    expect(containerOfContentType('image/png')).toBe('unsupported');
  });
  it('maps file extensions the same way', () => {
    expect(containerOfFilename('call-1.WAV')).toBe('wav');
    expect(containerOfFilename('call.opus')).toBe('ogg');
    expect(containerOfFilename('call')).toBeNull();
    expect(containerOfFilename('list.m3u8')).toBe('unsupported');
  });
});
