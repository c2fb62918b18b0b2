/**
 * The player bench's 60-minute interaction: a beep track and a CRM-like screen whose beep counter
 * changes at the very instants the beeps sound, sent through a real Duet server's ingest as a
 * recorder would and finalized by the real job (real ffmpeg).
 *
 * - Audio: 1 kHz bursts of 60 ms every 5 s (the first at 2.5 s) over faint noise, stereo, made by ffmpeg and
 *   encoded as Chrome's MediaRecorder does (live WebM, Opus 48 kHz, 32 kbit/s, 60 ms frames), cut
 *   BY BYTES into ~1-second chunks (bench/finalize's `audioChunksOf`: only chunk 0 has the header).
 *   Built once into bench/.cache/player/ (about a minute), then reused.
 * - A 30 s PCI pause at 20:00: MediaRecorder.pause() stops the media clock, so the WebM is 30 s
 *   shorter than the timeline and chunk times after it jump by 30 s; no beeps and no screen events
 *   inside it; the screen takes a fresh snapshot on resume.
 * - Screen (`screen:crm`): a customer page with an order table (150 rows), re-snapshotted every 30 s
 *   (rrweb's checkoutEveryNms), mouse moves every 50 ms, a table cell edit every 500 ms, a scroll
 *   every 2 s (~1,360 events/min, like bench/finalize's heavy activity) and, at each beep, the
 *   counter `#beep` set to the beep's number (its `data-beep`, its text and its colour).
 * - Clocks: the agent's clock runs AGENT_CLOCK_SKEW_MS ahead of the server's; chunk and event
 *   times are the agent's, and the server's clock-offset estimate at connect maps them.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { IngestEvent } from '@duet/protocol';
import { createRecorderToken } from '../../core/src/index.js';
import type { RunningServer } from '../../server/src/index.js';
import { connectRecorder, sendReliably } from '../../test/harness/recorder-client.js';
import type { TestServer } from '../../test/harness/app.js';
import { screenChunks, waitAnalysed, waitReady } from '../../test/harness/recorded-interactions.js';
import { Page, type CraftedEvent, type SNode } from '../../test/harness/rrweb-craft.js';
import { FFMPEG } from '../../workers/src/finalize/ffmpeg.js';
import { audioChunksOf, DEFAULT_PARAMS, type InputParams } from '../finalize/input.js';

const run = promisify(execFile);

export const CACHE_ROOT = fileURLToPath(new URL('../.cache/player/', import.meta.url));

export const TIMELINE_MS = 60 * 60_000;
export const PAUSE = { startMs: 20 * 60_000, endMs: 20 * 60_000 + 30_000 };
export const BEEP = { periodMs: 5000, phaseMs: 2500, lengthMs: 60, hz: 1000, noise: 0.01 };
export const CHECKOUT_MS = 30_000;
/** The agent's clock is this far ahead of the server's (the server measures it at connect). */
export const AGENT_CLOCK_SKEW_MS = 1234;
/** Recorder connections used to send the hour (the ingest limits each to 20 messages a second). */
const CONNECTIONS = 8;

const PARAMS: InputParams = { ...DEFAULT_PARAMS, timelineMs: TIMELINE_MS, pause: PAUSE, chunkMs: 1000 };
const paused = (t: number) => t >= PAUSE.startMs && t < PAUSE.endMs;

/** Timeline times (ms) of the beeps, in order: beep n (from 1) is the n-th. */
export function beepTimes(): number[] {
  const out: number[] = [];
  for (let t = BEEP.phaseMs; t < TIMELINE_MS; t += BEEP.periodMs) if (!paused(t)) out.push(t);
  return out;
}

/** Media time of the WebM (the media clock stopped in the pause) → timeline. */
function mediaSeconds(): number {
  return (TIMELINE_MS - (PAUSE.endMs - PAUSE.startMs)) / 1000;
}

/** The beep track as MediaRecorder-like WebM/Opus (cached); returns the file's path and its decoded length. */
export async function beepWebm(log: (m: string) => void): Promise<{ file: string; mediaMs: number }> {
  const dir = path.join(CACHE_ROOT, `audio-v2-${BEEP.periodMs}-${BEEP.phaseMs}-${BEEP.lengthMs}-${TIMELINE_MS}-${PAUSE.startMs}`);
  const file = path.join(dir, 'beeps.webm');
  const mediaMs = Math.round(mediaSeconds() * 1000);
  if (existsSync(file)) return { file, mediaMs };
  log(`   encoding the ${mediaSeconds()} s beep track once into ${path.relative(process.cwd(), dir)} (about a minute)`);
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  // The pause is a multiple of the period, so the media's beep grid is the timeline's: t ≡ phase (mod period).
  if ((PAUSE.endMs - PAUSE.startMs) % BEEP.periodMs !== 0) throw new Error('the pause must be a whole number of beep periods');
  const p = BEEP.periodMs / 1000;
  // Over a faint noise floor (−40 dBFS, far below the onset threshold): a silent track would
  // encode to ~3 kbit/s, and the player's audio seeks should cost what a real call's 32 kbit/s do.
  const expr = `0.5*sin(2*PI*${BEEP.hz}*t)*lt(mod(t+${p - BEEP.phaseMs / 1000},${p}),${BEEP.lengthMs / 1000})+${BEEP.noise}*(2*random(0)-1)`;
  // The ffmpeg the workers use (the system's, else the npm package's static build).
  await run(
    FFMPEG,
    [
      '-hide_banner', '-nostdin', '-y', '-v', 'error',
      '-f', 'lavfi', '-i', `aevalsrc='${expr}|${expr}':s=48000:d=${mediaSeconds()}`,
      '-c:a', 'libopus', '-b:a', `${PARAMS.audioKbps}k`, '-application', 'voip', '-frame_duration', String(PARAMS.opusFrameMs),
      // live: unknown-size Segment, no Cues, no duration, as Chrome writes.
      '-live', '1', '-f', 'webm', path.join(tmp, 'beeps.webm'),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(tmp, dir);
  return { file, mediaMs };
}

/** A small deterministic PRNG (xorshift32). */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const ROWS = 150;
const colour = (n: number) => `hsl(${(n * 47) % 360} 70% 45%)`;

/** The CRM page of one checkout window, with the counter at `beeps`. */
function snapshot(at: number, beeps: number): { page: Page; events: CraftedEvent[] } {
  const page = new Page();
  const rows: SNode[] = [];
  for (let r = 0; r < ROWS; r++) {
    const cells = ['#' + (10_000 + r), `2026-11-${String(1 + (r % 28)).padStart(2, '0')}`, ['Headphones', 'Charger', 'Cable', 'Speaker'][r % 4]!, `${(19 + ((r * 37) % 180)).toFixed(2)} USD`, r % 5 ? 'Delivered' : 'Refund requested'];
    rows.push(page.el('tr', {}, cells.map((c, i) => page.el('td', { class: `c${i}` }, [page.text(c, `cell-${r}-${i}`)]))));
  }
  const head = [page.el('title', {}, ['Northwind CRM: Jordan Lee']), page.el('style', {}, ['body{font:14px system-ui;margin:0}header{background:#123;color:#fff;padding:12px}td{padding:4px 8px;border-bottom:1px solid #ddd}#beep{position:fixed;top:8px;right:12px;padding:8px 14px;color:#fff;font:bold 22px system-ui;border-radius:6px}'])];
  const body = [
    page.el('header', {}, [page.el('h1', {}, ['Jordan Lee']), page.el('p', {}, ['Customer since 2019 · Gold'])]),
    page.el('div', { id: 'beep', 'data-beep': String(beeps), style: `background:${colour(beeps)}` }, [page.text(`Beep ${beeps}`, 'beep-text')], 'beep'),
    page.el('main', { id: 'orders' }, [page.el('table', {}, [page.el('tbody', {}, rows, 'tbody')])], 'main'),
  ];
  return { page, events: page.snapshot(at, 'http://crm.example.test/customers/42', head, body, { width: 1280, height: 720 }) };
}

/** The hour's rrweb events on the agent's clock (epoch ms), ordered. */
export function screenEvents(agentStart: number, beeps: readonly number[]): CraftedEvent[] {
  const rand = xorshift(0x5eed);
  const out: CraftedEvent[] = [];
  let next = 0; // index of the next beep
  for (let W = 0; W < TIMELINE_MS; W += CHECKOUT_MS) {
    const start = paused(W) ? PAUSE.endMs : W;
    const end = Math.min(W + CHECKOUT_MS, TIMELINE_MS);
    if (start >= end || paused(start)) continue;
    while (next < beeps.length && beeps[next]! < start) next++;
    const { page, events } = snapshot(agentStart + start, next);
    out.push(...events);
    const bodyId = page.ids.get('main')!;
    const window: CraftedEvent[] = [];
    for (let t = start + 60; t < end; t += 50) {
      window.push({ type: 3, timestamp: agentStart + t, data: { source: 1, positions: [{ x: Math.round(200 + 800 * rand()), y: Math.round(100 + 500 * rand()), id: bodyId, timeOffset: 0 }] } });
    }
    for (let t = start + 250; t < end; t += 500) {
      const r = Math.floor(rand() * ROWS);
      window.push(page.setText(agentStart + t, `cell-${r}-4`, ['Delivered', 'Refund requested', 'Refunded', 'On hold'][Math.floor(rand() * 4)]!));
    }
    for (let t = start + 1000; t < end; t += 2000) window.push({ type: 3, timestamp: agentStart + t, data: { source: 3, id: bodyId, x: 0, y: Math.round(rand() * 2000) } });
    for (; next < beeps.length && beeps[next]! < end; next++) {
      const n = next + 1;
      const at = agentStart + beeps[next]!;
      window.push(page.setAttributes(at, 'beep', { 'data-beep': String(n), style: `background:${colour(n)}` }), page.setText(at, 'beep-text', `Beep ${n}`));
    }
    out.push(...window.sort((a, b) => a.timestamp - b.timestamp));
  }
  return out;
}

/** Sends until acknowledged: on a busy machine an ack can take longer than the client's 10 s, and resending is always safe. */
async function ok(send: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = (await send()) as { ok: boolean };
      if (!ack.ok) throw new Error(`ingest refused: ${JSON.stringify(ack)}`);
      return;
    } catch (error) {
      if (attempt >= 5 || !/timed out/.test((error as Error).message)) throw error;
    }
  }
}

export interface SentFixture {
  interactionId: string;
  beepsTimeline: number[];
  audioChunks: number;
  screenChunks: number;
  screenEvents: number;
  ingestSeconds: number;
  finalizeSeconds: number;
}

/**
 * Sends the hour through the server's `/ingest` as agent `alex` (the demo seed's), on several
 * connections at once (a recorder reconnecting over an hour uses several too), then ends it and
 * waits until the finalize job has made it playable and the analysis has added peaks.
 */
export async function sendFixture(server: RunningServer, log: (m: string) => void): Promise<SentFixture> {
  const beeps = beepTimes();
  const { file, mediaMs } = await beepWebm(log);
  const webm = await readFile(file);
  const agentStart = Date.now() - TIMELINE_MS - 60_000 + AGENT_CLOCK_SKEW_MS;
  const audio = audioChunksOf(PARAMS, webm, mediaMs);
  const events = screenEvents(agentStart, beeps);
  const screen = screenChunks(events, agentStart);

  const user = await server.core.db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
  const { token } = await createRecorderToken(server.core.db, user.id, 'bench-player', { id: null });
  const sockets: Socket[] = [];
  for (let i = 0; i < CONNECTIONS; i++) sockets.push(await connectRecorder(server.url, token, { clockSkewMs: AGENT_CLOCK_SKEW_MS }));
  log(`   ${sockets.length} recorder connections open`);
  const id = randomUUID();
  const t0 = performance.now();
  try {
    await ok(() => sendReliably(sockets[0]!, IngestEvent.open, { interactionId: id, startedAt: agentStart, audio: { channels: 2, mimeType: 'audio/webm;codecs=opus' } }));
    type Send = [string, unknown, Buffer?];
    const sends: Send[] = [];
    for (const c of audio) sends.push([IngestEvent.chunk, { interactionId: id, stream: 'audio', seq: c.seq, startMs: agentStart + c.startMs, endMs: agentStart + c.endMs }, c.payload]);
    for (const c of screen) sends.push([IngestEvent.chunk, { interactionId: id, stream: 'screen:crm', seq: c.seq, startMs: c.startMs, endMs: c.endMs, eventCount: c.events.length }, Buffer.from(JSON.stringify(c.events))]);
    let sent = 0;
    let lastLog = performance.now();
    await Promise.all(
      sockets.map(async (socket, k) => {
        for (let i = k; i < sends.length; i += sockets.length) {
          const [event, meta, payload] = sends[i]!;
          await ok(() => (payload ? sendReliably(socket, event, meta, payload) : sendReliably(socket, event, meta)));
          sent++;
          if (performance.now() - lastLog > 5000) {
            lastLog = performance.now();
            log(`   ingest: ${sent}/${sends.length} chunks`);
          }
        }
      }),
    );
    await ok(() => sendReliably(sockets[0]!, IngestEvent.marker, { interactionId: id, kind: 'pause', at: agentStart + PAUSE.startMs, reason: 'sensitive-field' }));
    await ok(() => sendReliably(sockets[0]!, IngestEvent.marker, { interactionId: id, kind: 'resume', at: agentStart + PAUSE.endMs }));
    await ok(() => sendReliably(sockets[0]!, IngestEvent.end, { interactionId: id, at: agentStart + TIMELINE_MS }));
  } finally {
    for (const s of sockets) s.close();
  }
  const ingestSeconds = (performance.now() - t0) / 1000;
  log(`   sent in ${ingestSeconds.toFixed(1)} s; waiting for the finalize job`);
  const t1 = performance.now();
  // The harness's waits read only the server's database and store.
  const asTest = server as TestServer;
  await waitReady(asTest, id, 600_000);
  const finalizeSeconds = (performance.now() - t1) / 1000;
  // The analysis (peaks, talk metrics) runs after; wait so it does not compete with the measurements.
  await waitAnalysed(asTest, id, 600_000);
  log(`   ingested ${audio.length} audio + ${screen.length} screen chunks (${events.length} events) in ${ingestSeconds.toFixed(1)} s; playable ${finalizeSeconds.toFixed(1)} s after the end`);
  return { interactionId: id, beepsTimeline: beeps, audioChunks: audio.length, screenChunks: screen.length, screenEvents: events.length, ingestSeconds, finalizeSeconds };
}
