import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateImport } from './validate.js';

const run = promisify(execFile);

/** Real speech (espeak-ng) in every accepted container, plus broken variants, made at test time. */
describe('validateImport: real files through ffprobe and a full decode', () => {
  let dir: string;
  const f = (name: string) => path.join(dir, name);
  const ffmpeg = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  const truncate = async (from: string, to: string, fraction: number) => {
    const bytes = await readFile(f(from));
    await writeFile(f(to), bytes.subarray(0, Math.floor(bytes.length * fraction)));
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'duet-validate-'));
    await run('espeak-ng', ['-w', f('speech.wav'), 'Thank you for calling. How can I help you today?']);
    await ffmpeg('-i', f('speech.wav'), '-ar', '8000', '-ac', '2', '-c:a', 'pcm_s16le', f('call.wav'));
    await ffmpeg('-i', f('call.wav'), '-c:a', 'libmp3lame', '-b:a', '32k', f('call.mp3'));
    await ffmpeg('-i', f('call.wav'), '-c:a', 'libopus', '-b:a', '24k', f('call.ogg'));
    await ffmpeg('-i', f('call.wav'), '-c:a', 'libopus', '-b:a', '24k', f('call.webm'));
    await ffmpeg('-i', f('speech.wav'), '-ar', '8000', '-c:a', 'pcm_mulaw', f('mulaw.wav'));
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=d=1:s=64x48', '-i', f('call.wav'), '-c:v', 'libvpx', '-c:a', 'libopus', '-shortest', f('video.webm'));
    for (const ext of ['wav', 'mp3', 'ogg', 'webm']) await truncate(`call.${ext}`, `cut.${ext}`, 0.6);
    // A WAV cut exactly on a sample boundary decodes without any error: only its header tells.
    const wav = await readFile(f('call.wav'));
    await writeFile(f('cut-aligned.wav'), wav.subarray(0, 44 + 4 * Math.floor((wav.length - 44) * 0.5 / 4)));
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['call.wav', 'wav', 2],
    ['mulaw.wav', 'wav', 1],
    ['call.mp3', 'mp3', 2],
    ['call.ogg', 'ogg', 2],
    ['call.webm', 'webm', 2],
  ] as const)('accepts %s', async (name, container, channels) => {
    const v = await validateImport(f(name), container);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', f('speech.wav')]);
    expect(v.channels).toBe(channels);
    expect(Math.abs(v.durationMs - Number(stdout) * 1000)).toBeLessThan(name.endsWith('mp3') ? 120 : 50);
  });

  it.each([
    ['cut.wav', 'wav', /truncated|corrupt/],
    ['cut-aligned.wav', 'wav', /WAV is truncated: its header announces/],
    ['cut.mp3', 'mp3', /truncated/],
    ['cut.ogg', 'ogg', /Ogg file is truncated/],
    ['cut.webm', 'webm', /truncated|corrupt/],
    ['video.webm', 'webm', /video stream \(vp8\)/],
  ] as const)('refuses %s with a reason', async (name, container, reason) => {
    await expect(validateImport(f(name), container)).rejects.toThrow(reason);
  });

  it('refuses a file whose bytes are not the container it was accepted as, and an empty file', async () => {
    await expect(validateImport(f('call.mp3'), 'wav')).rejects.toThrow(/stored file is MP3, not the WAV/);
    await writeFile(f('empty.wav'), '');
    await expect(validateImport(f('empty.wav'), 'wav')).rejects.toThrow(/empty/);
    expect((await stat(f('call.wav'))).size).toBeGreaterThan(1000);
  });
});
