/**
 * Simulated recorders (one socket.io connection per agent, like one browser tab each), in a
 * process of their own so the load generator's CPU is not the server's. Driven over IPC by
 * index.ts: `grow` connects agents and opens one interaction each, `start` runs the send
 * schedule, `halt` stops it, waits for every outstanding ack and reports the step.
 *
 * Open loop: each agent sends its audio chunk at its phase of every second and its screen chunk
 * half a second later, whether or not earlier acks have come back, so a slow server shows up as
 * latency rather than as a lower send rate. Latency is measured from emit to ack.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { INGEST_NAMESPACE, INGEST_PROTOCOL_VERSION, IngestEvent, type IngestAck } from '@duet/protocol';
import { serveRequests } from '../lib/child.js';
import { audioPayload, loadWorkload, phaseMs, screenPayload, SCREEN_STREAM } from './workload.js';

const ACK_TIMEOUT_MS = 10_000;
const CONNECT_CONCURRENCY = 50;

interface Agent {
  index: number;
  socket: Socket;
  interactionId: string;
  seq: { audio: number; screen: number };
}

interface Slot {
  offset: number;
  agent: Agent;
  kind: 'audio' | 'screen';
}

const workload = await loadWorkload();
const agents: Agent[] = [];
let slots: Slot[] = [];
let running = false;
let timer: NodeJS.Timeout | undefined;
let cursor = 0;
let cycleStart = 0;
let inflight = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

// Per step (reset by `start`)
let sent = 0;
let ok = 0;
let duplicates = 0;
let errorKinds: Record<string, number> = {};
let emitAt: number[] = [];
let latency: number[] = [];
let acked: number[] = [];
let sendLag: number[] = [];
let disconnects = 0;
// What the database gained in this step
let stored = 0;
let storedBytes = 0;
let audioStored = 0;

function countError(kind: string) {
  errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
}

async function connectAgent(url: string, index: number, token: string): Promise<Agent> {
  const socket = io(url + INGEST_NAMESPACE, {
    auth: { token, protocolVersion: INGEST_PROTOCOL_VERSION },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 30_000,
  });
  socket.on(IngestEvent.clock, (_msg: unknown, ack: (r: { agentTime: number }) => void) => ack({ agentTime: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') {
      disconnects++;
      countError(`disconnect:${reason}`);
    }
  });
  const interactionId = randomUUID();
  const ack = (await socket.timeout(30_000).emitWithAck(IngestEvent.open, {
    interactionId,
    startedAt: Date.now(),
    direction: 'inbound',
    audio: { channels: 2, mimeType: 'audio/webm;codecs=opus' },
  })) as IngestAck;
  if (!ack.ok) {
    socket.close();
    throw new Error(`interaction:open refused: ${ack.error} ${ack.message}`);
  }
  return { index, socket, interactionId, seq: { audio: 0, screen: 0 } };
}

async function grow(url: string, list: { index: number; token: string }[]) {
  const failures: string[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECT_CONCURRENCY }, async () => {
      while (next < list.length) {
        const { index, token } = list[next++]!;
        try {
          agents.push(await connectAgent(url, index, token));
        } catch (err) {
          failures.push(`agent ${index}: ${(err as Error).message}`);
        }
      }
    }),
  );
  agents.sort((a, b) => a.index - b.index);
  return { agents: agents.length, failures, seconds: (performance.now() - t0) / 1000 };
}

function fire(slot: Slot, due: number) {
  const { agent, kind } = slot;
  const seq = agent.seq[kind]++;
  const payload = kind === 'audio' ? audioPayload(workload, seq) : screenPayload(workload, seq);
  const endMs = Math.round(performance.timeOrigin + due);
  const meta = {
    interactionId: agent.interactionId,
    stream: kind === 'audio' ? 'audio' : SCREEN_STREAM,
    seq,
    startMs: endMs - 1000,
    endMs,
    ...(kind === 'screen' ? { eventCount: workload.screenEventsPerChunk } : {}),
  };
  const t0 = performance.now();
  sendLag.push(t0 - due);
  sent++;
  inflight++;
  agent.socket.timeout(ACK_TIMEOUT_MS).emit(IngestEvent.chunk, meta, payload, (err: Error | null, ack: IngestAck) => {
    inflight--;
    // Every chunk gets a latency sample: a timed-out one counts as the timeout (a lower bound).
    emitAt.push(performance.timeOrigin + t0);
    latency.push(err ? ACK_TIMEOUT_MS : performance.now() - t0);
    acked.push(!err && ack.ok ? 1 : 0);
    if (err) return countError('ack_timeout');
    if (!ack.ok) return countError(ack.limit ? `${ack.error}:${ack.limit}` : ack.error);
    ok++;
    if (ack.duplicate) {
      duplicates++;
    } else {
      stored++;
      storedBytes += payload.byteLength;
      if (kind === 'audio') audioStored++;
    }
  });
}

function tick() {
  if (!running || !slots.length) return;
  const now = performance.now();
  for (;;) {
    const due = cycleStart + slots[cursor]!.offset;
    if (due > now) break;
    fire(slots[cursor]!, due);
    if (++cursor === slots.length) {
      cursor = 0;
      cycleStart += 1000;
    }
  }
  timer = setTimeout(tick, Math.max(0, cycleStart + slots[cursor]!.offset - performance.now()));
}

function start() {
  sent = ok = duplicates = disconnects = 0;
  stored = storedBytes = audioStored = 0;
  errorKinds = {};
  emitAt = [];
  latency = [];
  acked = [];
  sendLag = [];
  slots = agents
    .flatMap((agent) => {
      const p = phaseMs(agent.index);
      return [
        { offset: p, agent, kind: 'audio' as const },
        { offset: (p + 500) % 1000, agent, kind: 'screen' as const },
      ];
    })
    .sort((a, b) => a.offset - b.offset);
  cursor = 0;
  cycleStart = performance.now();
  loopDelay.reset();
  loopDelay.enable();
  running = true;
  tick();
  return { slots: slots.length };
}

async function stop() {
  running = false;
  clearTimeout(timer);
  const deadline = performance.now() + ACK_TIMEOUT_MS + 2000;
  while (inflight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  loopDelay.disable();
  const lag = Float64Array.from(sendLag).sort();
  return {
    sent,
    ok,
    duplicates,
    errorKinds,
    lostInFlight: inflight,
    disconnects,
    emitAt: Float64Array.from(emitAt),
    latency: Float64Array.from(latency),
    acked: Uint8Array.from(acked),
    sendLagP99: lag.length ? lag[Math.min(lag.length - 1, Math.ceil(0.99 * lag.length) - 1)]! : 0,
    sendLagMax: lag.length ? lag[lag.length - 1]! : 0,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    stored,
    storedBytes,
    audioStored,
  };
}

serveRequests(
  async (msg) => {
    switch (msg.type) {
      case 'grow':
        return grow(msg.url as string, msg.agents as { index: number; token: string }[]);
      case 'start':
        return start();
      case 'halt':
        return stop();
      default:
        throw new Error(`unknown request ${msg.type}`);
    }
  },
  async () => {
    running = false;
    clearTimeout(timer);
    for (const a of agents) a.socket.close();
  },
);
process.send?.({ type: 'ready' });
