/**
 * ffmpeg argument builders for the timeline audio: pure functions, so tests can assert the exact
 * command lines. Every input names its format and the protocols it may use.
 */
const COMMON = ['-hide_banner', '-nostdin', '-y', '-v', 'error'];
/** No random Ogg serial numbers or version tags: the same input gives the same bytes (idempotent jobs). */
const BITEXACT = ['-fflags', '+bitexact', '-flags:a', '+bitexact'];

/** MediaRecorder WebM/Opus bytes → Ogg/Opus, packets copied (no re-encode). */
export function remuxWebmToOggArgs(input: string, output: string): string[] {
  return [...COMMON, '-protocol_whitelist', 'file,pipe', '-f', 'webm', '-i', input, '-map', '0:a:0', '-c', 'copy', ...BITEXACT, '-f', 'ogg', output];
}

/** Opus silence of `ms`, at Opus's 48 kHz and the call's channel count, to fill pauses and gaps. */
export function silenceArgs(ms: number, channels: 1 | 2, output: string): string[] {
  const layout = channels === 2 ? 'stereo' : 'mono';
  return [
    ...COMMON,
    '-f', 'lavfi', '-i', `anullsrc=r=48000:cl=${layout}`,
    '-t', (ms / 1000).toFixed(3),
    '-c:a', 'libopus', '-b:a', '16k', '-application', 'voip', '-frame_duration', '20',
    ...BITEXACT, '-f', 'ogg', output,
  ];
}

/**
 * Joins the parts listed in a concat script (with inpoint/outpoint cuts) into the final Ogg/Opus,
 * packets copied. The concat demuxer places each part at the sum of the declared durations before
 * it, so the timeline is exact whatever the cut precision (one 20 ms Opus frame).
 */
export function concatArgs(listFile: string, output: string): string[] {
  return [...COMMON, '-protocol_whitelist', 'file,pipe', '-f', 'concat', '-safe', '0', '-i', listFile, '-map', '0:a:0', '-c', 'copy', ...BITEXACT, '-f', 'ogg', output];
}

/** The same result by decoding and re-encoding: the slow path, measured beside the copy path. */
export function reencodeArgs(listFile: string, output: string): string[] {
  return [...COMMON, '-protocol_whitelist', 'file,pipe', '-f', 'concat', '-safe', '0', '-i', listFile, '-map', '0:a:0', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', ...BITEXACT, '-f', 'ogg', output];
}

/** Decoded samples for analysis (peaks, speech): 8 kHz signed 16-bit, channels interleaved, to stdout. */
export function pcmArgs(input: string, channels: number): string[] {
  return [...COMMON, '-protocol_whitelist', 'file', '-f', 'ogg', '-i', input, '-ac', String(channels), '-ar', '8000', '-f', 's16le', 'pipe:1'];
}

/**
 * Drops the packets before `fromMs` (an output-side -ss with stream copy is packet-exact, while
 * the concat demuxer's `inpoint` on Ogg lands on a page boundary and lets earlier packets through).
 */
export function cutFromArgs(input: string, fromMs: number, output: string): string[] {
  return [...COMMON, '-protocol_whitelist', 'file', '-f', 'ogg', '-i', input, '-ss', (fromMs / 1000).toFixed(3), '-map', '0:a:0', '-c', 'copy', ...BITEXACT, '-f', 'ogg', output];
}

/**
 * One entry of a concat demuxer script, played from its start for `durationMs`. `duration`
 * makes the next entry start exactly that much later, whatever the packets say; `outpoint`
 * drops what lies beyond. Paths are quoted for the script's own syntax.
 */
export function concatEntry(file: string, durationMs: number): string {
  const s = (durationMs / 1000).toFixed(3);
  return [`file '${file.replaceAll("'", "'\\''")}'`, `outpoint ${s}`, `duration ${s}`].join('\n');
}
