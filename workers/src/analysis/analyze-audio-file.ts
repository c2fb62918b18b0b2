import { pcmArgs } from '../finalize/audio-args.js';
import { FFMPEG, runMedia } from '../finalize/ffmpeg.js';
import { PcmAnalyzer, type PcmAnalysis } from './pcm-analyzer.js';

/**
 * Decodes an Ogg/Opus file once, to 8 kHz PCM streamed through ffmpeg's stdout, and derives
 * peaks and per-channel speech from that one pass (decoding is the whole cost: about 10 s of CPU
 * for an hour on this machine, so doing it once per channel and again for peaks tripled it).
 */
export async function analyzeAudioFile(file: string, channels: number, signal?: AbortSignal): Promise<PcmAnalysis> {
  const analyzer = new PcmAnalyzer(channels);
  await runMedia(FFMPEG, pcmArgs(file, channels), { ...(signal ? { signal } : {}), onStdout: (chunk) => analyzer.push(chunk) });
  return analyzer.finish();
}
