export interface AudioCaptureOptions {
  bitsPerSecond: number;
  timesliceMs: number;
  microphone: MediaTrackConstraints;
  onData: (data: Blob, startMs: number, endMs: number) => void;
  onWarning: (message: string) => void;
}

const MIME = 'audio/webm;codecs=opus';

/**
 * The call's audio as one MediaRecorder stream: the agent's microphone on the left channel and
 * the customer (a MediaStream the softphone hands in, e.g. its WebRTC remote track) on the right;
 * mono from the microphone alone when there is no customer stream. Mixed in an AudioContext so
 * the layout is fixed whatever devices the browser reports.
 */
export class AudioCapture {
  private ctx: AudioContext | undefined;
  private mic: MediaStream | undefined;
  private recorder: MediaRecorder | undefined;
  private customerSource: MediaStreamAudioSourceNode | undefined;
  private merger: ChannelMergerNode | undefined;
  private sliceStart = 0;
  private unlock: (() => void) | undefined;
  channels: 1 | 2 = 1;

  constructor(private readonly opts: AudioCaptureOptions) {}

  static supported(): boolean {
    return typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(MIME) && !!navigator.mediaDevices?.getUserMedia;
  }

  get mimeType(): string {
    return MIME;
  }

  async start(customer: MediaStream | null): Promise<void> {
    this.mic = await navigator.mediaDevices.getUserMedia({ audio: this.opts.microphone });
    const ctx = (this.ctx = new AudioContext({ sampleRate: 48_000 }));
    this.channels = customer ? 2 : 1;
    const dest = ctx.createMediaStreamDestination();
    dest.channelCount = this.channels;
    dest.channelCountMode = 'explicit';
    const micSource = ctx.createMediaStreamSource(this.mic);
    if (customer) {
      this.merger = ctx.createChannelMerger(2);
      micSource.connect(this.merger, 0, 0);
      this.customerSource = ctx.createMediaStreamSource(customer);
      this.customerSource.connect(this.merger, 0, 1);
      this.merger.connect(dest);
    } else micSource.connect(dest);
    await this.ensureRunning();
    this.recorder = new MediaRecorder(dest.stream, { mimeType: MIME, audioBitsPerSecond: this.opts.bitsPerSecond });
    this.recorder.ondataavailable = (e) => {
      const now = Date.now();
      if (e.data.size > 0) this.opts.onData(e.data, this.sliceStart, now);
      this.sliceStart = now;
    };
    this.sliceStart = Date.now();
    this.recorder.start(this.opts.timesliceMs);
  }

  /**
   * An AudioContext made without a user gesture (a CTI event started the call) starts suspended
   * and records silence; it is resumed at the agent's next click or key, and the host is told.
   */
  private async ensureRunning(): Promise<void> {
    const ctx = this.ctx!;
    await ctx.resume().catch(() => {});
    if (ctx.state === 'running') return;
    this.opts.onWarning('Audio is waiting for the first click or key press on this page (browser autoplay policy).');
    const unlock = () => void ctx.resume().then(() => ctx.state === 'running' && this.removeUnlock());
    this.unlock = unlock;
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
  }

  private removeUnlock() {
    if (!this.unlock) return;
    document.removeEventListener('pointerdown', this.unlock, true);
    document.removeEventListener('keydown', this.unlock, true);
    this.unlock = undefined;
  }

  /** MediaRecorder.pause(): the media clock stops, so the pipeline re-inserts the pause as silence. */
  pause(): void {
    if (this.recorder?.state === 'recording') {
      this.recorder.requestData();
      this.recorder.pause();
    }
  }

  resume(): void {
    if (this.recorder?.state === 'paused') this.recorder.resume();
  }

  /** Stops and resolves after the last chunk was handed over. */
  async stop(): Promise<void> {
    const rec = this.recorder;
    if (rec && rec.state !== 'inactive') {
      await new Promise<void>((resolve) => {
        rec.addEventListener('stop', () => resolve(), { once: true });
        rec.stop();
      });
    }
    this.recorder = undefined;
    this.removeUnlock();
    this.mic?.getTracks().forEach((t) => t.stop());
    this.customerSource?.disconnect();
    this.merger?.disconnect();
    await this.ctx?.close().catch(() => {});
    this.ctx = undefined;
  }
}
