import { describe, expect, it } from 'vitest';
import { decodeCheckArgs, probeImportArgs, timelineAudioArgs, timelineFilter } from './media-args.js';

describe('import ffmpeg arguments', () => {
  it('always names the demuxer and whitelists demuxers and protocols, so no playlist or URL is followed', () => {
    for (const args of [probeImportArgs('/t/in', 'mp3'), decodeCheckArgs('/t/in', 'webm'), timelineAudioArgs('/t/in', 'wav', { channels: 1, delayMs: 0, totalMs: 1000, mute: [] }, '/t/out.ogg')]) {
      const at = (flag: string) => args[args.indexOf(flag) + 1];
      expect(at('-format_whitelist')).toBe('wav,mp3,ogg,matroska,webm');
      expect(at('-protocol_whitelist')).toBe('file');
      expect(args.indexOf('-f')).toBeLessThan(args.indexOf('-i'));
      expect(args.join(' ')).not.toMatch(/hls|concat/);
    }
    expect(decodeCheckArgs('/t/in', 'webm')).toContain('matroska');
  });

  it('delays, pads and cuts to the exact timeline, and mutes pauses from one frame before', () => {
    expect(timelineFilter({ channels: 2, delayMs: 3000, totalMs: 10_000, mute: [] })).toBe('aresample=48000,adelay=3000|3000,apad=whole_len=480000,atrim=end_sample=480000');
    expect(timelineFilter({ channels: 1, delayMs: 0, totalMs: 2000, mute: [{ startMs: 500, endMs: 1500 }] })).toBe(
      "aresample=48000,apad=whole_len=96000,atrim=end_sample=96000,asetnsamples=n=480:p=0,volume=0:enable='between(t,0.490,1.500)'",
    );
  });

  it('encodes speech-rate Opus in Ogg, bit-exact', () => {
    const mono = timelineAudioArgs('/t/in', 'ogg', { channels: 1, delayMs: 0, totalMs: 1000, mute: [] }, '/t/out.ogg');
    expect(mono.join(' ')).toContain('-ac 1 -ar 48000 -c:a libopus -b:a 24k -application voip');
    expect(mono.join(' ')).toContain('-fflags +bitexact');
    expect(timelineAudioArgs('/t/in', 'ogg', { channels: 2, delayMs: 0, totalMs: 1000, mute: [] }, '/t/out.ogg').join(' ')).toContain('-ac 2 -ar 48000 -c:a libopus -b:a 32k');
  });
});
