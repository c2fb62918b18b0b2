import { loadRecordedSession } from '../../test/fixtures/recorded.js';

/**
 * What one simulated agent sends, built from the real Chromium recording in test/fixtures:
 *
 * - audio: one MediaRecorder chunk per second (WebM/Opus, 32 kbit/s stereo). seq 0 is the chunk
 *   with the WebM header; later seqs cycle through the fixture's full-length chunks (≥ 3 KB,
 *   ~4.2 KB: the short ones are the PCI pause and the tail).
 * - screen (`screen:crm`): one chunk per second holding 22 real rrweb events (≈ 1,300 events/min,
 *   the heavy scripted activity measured in MACHINE-NOTES). Events are the fixture's incremental
 *   events of ≤ 210 bytes taken in recorded order, cycling, which lands at ~2.7 KB per chunk, near the
 *   measured ~2.5 KB/s of heavy activity (151 KB/min). Full snapshots (5–8 KB) are left out: at
 *   22 events per chunk the fixture's own mix would be ~9 KB/s, 4× what a real session sends.
 */
export interface Workload {
  audioFirst: Buffer;
  audioCycle: Buffer[];
  screenCycle: Buffer[];
  screenEventsPerChunk: number;
  audioBytesAvg: number;
  screenBytesAvg: number;
}

export const SCREEN_STREAM = 'screen:crm';
export const EVENTS_PER_SCREEN_CHUNK = 22;
const MAX_EVENT_BYTES = 210;
const MIN_AUDIO_CHUNK_BYTES = 3000;

export async function loadWorkload(): Promise<Workload> {
  const { audioChunks, events } = await loadRecordedSession();
  const audioFirst = audioChunks[0]!.data;
  const audioCycle = audioChunks.slice(1).filter((c) => c.data.byteLength >= MIN_AUDIO_CHUNK_BYTES).map((c) => c.data);
  const pool = events.filter((e) => (e as { type?: number }).type === 3 && JSON.stringify(e).length <= MAX_EVENT_BYTES);
  if (!audioCycle.length || pool.length < EVENTS_PER_SCREEN_CHUNK) throw new Error('the recorded fixture is too small to build the workload');
  const screenCycle: Buffer[] = [];
  for (let c = 0; c < pool.length; c++) {
    const chunk = Array.from({ length: EVENTS_PER_SCREEN_CHUNK }, (_, k) => pool[(c * EVENTS_PER_SCREEN_CHUNK + k) % pool.length]);
    screenCycle.push(Buffer.from(JSON.stringify(chunk)));
  }
  const avg = (bufs: Buffer[]) => bufs.reduce((a, b) => a + b.byteLength, 0) / bufs.length;
  return {
    audioFirst,
    audioCycle,
    screenCycle,
    screenEventsPerChunk: EVENTS_PER_SCREEN_CHUNK,
    audioBytesAvg: avg(audioCycle),
    screenBytesAvg: avg(screenCycle),
  };
}

/** Payload of chunk `seq` of a stream. */
export function audioPayload(w: Workload, seq: number): Buffer {
  return seq === 0 ? w.audioFirst : w.audioCycle[(seq - 1) % w.audioCycle.length]!;
}

export function screenPayload(w: Workload, seq: number): Buffer {
  return w.screenCycle[seq % w.screenCycle.length]!;
}

/**
 * Send phase of agent `index` within the second, ms. Golden-ratio steps spread any prefix of
 * agents near-uniformly, so every step of the ramp is evenly staggered as agents are added.
 */
export function phaseMs(index: number): number {
  const x = index * 0.6180339887498949;
  return (x - Math.floor(x)) * 1000;
}
