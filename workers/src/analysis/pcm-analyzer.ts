import type { Interval } from '../finalize/audio-plan.js';

/** The rate the call is decoded at for analysis: enough for speech energy, 6× less than Opus's 48 kHz. */
export const ANALYSIS_SAMPLE_RATE = 8000;
/** Enough to draw a 60-minute call on a wide screen: 36,000 buckets per channel per hour. */
export const PEAKS_PER_SECOND = 10;

export interface SpeechDetection {
  /** a sample quieter than this (dBFS) is silence: −40 dB is quiet room noise on a headset */
  noiseDb: number;
  /** silence shorter than this is a breath inside speech, not a pause */
  minSilenceMs: number;
}

export const DEFAULT_SPEECH_DETECTION: SpeechDetection = { noiseDb: -40, minSilenceMs: 300 };

export interface PcmAnalysis {
  /** per channel: max-abs amplitude per bucket, 0..127 */
  peaks: Int8Array[];
  /** per channel: where someone speaks, ms from the start */
  speech: Interval[][];
  durationMs: number;
}

/**
 * Waveform peaks and speech intervals from one pass over decoded audio (signed 16-bit, channels
 * interleaved), fed in chunks as the decoder streams them. The speech rule is ffmpeg's
 * silencedetect's: a run of samples all below the noise floor for at least `minSilenceMs` is
 * silence, the rest is speech; doing it here saves decoding the call once per channel.
 */
export class PcmAnalyzer {
  private readonly perBucket = ANALYSIS_SAMPLE_RATE / PEAKS_PER_SECOND;
  private readonly floor: number;
  private readonly minSilenceSamples: number;
  private readonly peaks: number[][];
  private readonly bucketMax: number[];
  /** per channel: the first sample of the current quiet run, or -1 while it is loud */
  private readonly quietSince: number[];
  private readonly silences: Interval[][];
  private frame = 0;
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly channels: number,
    detection: SpeechDetection = DEFAULT_SPEECH_DETECTION,
  ) {
    this.floor = 32768 * 10 ** (detection.noiseDb / 20);
    this.minSilenceSamples = Math.round((detection.minSilenceMs / 1000) * ANALYSIS_SAMPLE_RATE);
    this.peaks = Array.from({ length: channels }, () => []);
    this.bucketMax = new Array<number>(channels).fill(0);
    this.quietSince = new Array<number>(channels).fill(0);
    this.silences = Array.from({ length: channels }, () => []);
  }

  push(chunk: Buffer): void {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const frameBytes = 2 * this.channels;
    const whole = data.length - (data.length % frameBytes);
    // An aligned copy lets the loop read an Int16Array instead of calling readInt16LE per sample.
    const samples = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + whole));
    const { channels, perBucket, floor } = this;
    for (let i = 0; i < samples.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        const v = Math.abs(samples[i + c]!);
        if (v > this.bucketMax[c]!) this.bucketMax[c] = v;
        if (v >= floor) {
          if (this.quietSince[c]! >= 0) this.endQuiet(c, this.frame);
          this.quietSince[c] = -1;
        } else if (this.quietSince[c]! < 0) this.quietSince[c] = this.frame;
      }
      if (++this.frame % perBucket === 0) this.closeBucket();
    }
    this.carry = Buffer.from(data.subarray(whole));
  }

  finish(): PcmAnalysis {
    if (this.frame % this.perBucket) this.closeBucket();
    const durationMs = this.ms(this.frame);
    const speech = this.silences.map((silences, c) => {
      const all = this.quietSince[c]! >= 0 && this.frame - this.quietSince[c]! >= this.minSilenceSamples ? [...silences, { startMs: this.ms(this.quietSince[c]!), endMs: durationMs }] : silences;
      const out: Interval[] = [];
      let t = 0;
      for (const s of all) {
        if (s.startMs > t) out.push({ startMs: t, endMs: s.startMs });
        t = Math.max(t, s.endMs);
      }
      if (durationMs > t) out.push({ startMs: t, endMs: durationMs });
      return out;
    });
    return { peaks: this.peaks.map((p) => Int8Array.from(p)), speech, durationMs };
  }

  private endQuiet(c: number, at: number): void {
    const since = this.quietSince[c]!;
    if (at - since >= this.minSilenceSamples) this.silences[c]!.push({ startMs: this.ms(since), endMs: this.ms(at) });
  }

  private closeBucket(): void {
    for (let c = 0; c < this.channels; c++) {
      this.peaks[c]!.push(Math.min(127, this.bucketMax[c]! >> 8));
      this.bucketMax[c] = 0;
    }
  }

  private ms(frame: number): number {
    return Math.round((frame * 1000) / ANALYSIS_SAMPLE_RATE);
  }
}
