import { describe, expect, it } from 'vitest';
import { checkMediaTools, FfmpegError, probeAudio, runMedia, FFMPEG } from './ffmpeg.js';

describe('media tools', () => {
  it('finds ffmpeg and ffprobe with everything finalization uses', async () => {
    const tools = await checkMediaTools();
    expect(tools.ffmpeg).toMatch(/^ffmpeg version/);
    expect(tools.ffprobe).toMatch(/^ffprobe version/);
  });

  it('keeps the command line and stderr when ffmpeg fails', async () => {
    const err = await runMedia(FFMPEG, ['-v', 'error', '-f', 'ogg', '-i', '/nonexistent/input.ogg', '-f', 'null', '-']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).command).toContain('/nonexistent/input.ogg');
    expect((err as FfmpegError).stderr).toMatch(/No such file/);
  });

  it('refuses to probe a file without audio', async () => {
    await expect(probeAudio('/nonexistent.ogg')).rejects.toThrow();
  });
});
