/**
 * ffmpeg argument builders for the timeline audio: pure functions, so tests can assert the exact
 * command lines. Every input names its format and the protocols it may use.
 */
const COMMON = ['-hide_banner', '-nostdin', '-y', '-v', 'error'];
/** No random Ogg serial numbers or version tags: the same input gives the same bytes (idempotent jobs). */
const BITEXACT = ['-fflags', '+bitexact', '-flags:a', '+bitexact'];

/**
 * MediaRecorder WebM/Opus bytes → Ogg/Opus, packets copied (no re-encode), one packet per page:
 * each page's granule is then its packet's WebM timestamp, so jumps in the recorder's clock (Chrome
 * drops a part frame at MediaRecorder.pause(): its timestamps jump 8 ms there) are seen.
 */
export function remuxWebmToOggArgs(input: string, output: string): string[] {
  return [...COMMON, '-protocol_whitelist', 'file,pipe', '-f', 'webm', '-i', input, '-map', '0:a:0', '-c', 'copy', ...BITEXACT, '-page_duration', '1', '-f', 'ogg', output];
}

/**
 * A little Opus silence in packets of `frameMs` (20 or 2.5), at the call's channel count: the
 * timeline audio repeats one of its packets to fill pauses and gaps. CELT only (lowdelay): a
 * silent CELT packet decodes to silence wherever it is put.
 */
export function silenceArgs(frameMs: 20 | 2.5, channels: 1 | 2, output: string): string[] {
  const layout = channels === 2 ? 'stereo' : 'mono';
  return [
    ...COMMON,
    '-f', 'lavfi', '-i', `anullsrc=r=48000:cl=${layout}`,
    '-t', '0.2',
    '-c:a', 'libopus', '-b:a', '16k', '-application', 'lowdelay', '-frame_duration', String(frameMs),
    ...BITEXACT, '-f', 'ogg', output,
  ];
}

/** The timeline audio decoded and re-encoded: the slow path, measured by bench/finalize beside the packet copy. */
export function reencodeArgs(input: string, output: string): string[] {
  return [...COMMON, '-protocol_whitelist', 'file', '-f', 'ogg', '-i', input, '-map', '0:a:0', '-c:a', 'libopus', '-b:a', '32k', '-application', 'voip', ...BITEXACT, '-f', 'ogg', output];
}

/** Decoded samples for analysis (peaks, speech): 8 kHz signed 16-bit, channels interleaved, to stdout. */
export function pcmArgs(input: string, channels: number): string[] {
  return [...COMMON, '-protocol_whitelist', 'file', '-f', 'ogg', '-i', input, '-ac', String(channels), '-ar', '8000', '-f', 's16le', 'pipe:1'];
}
