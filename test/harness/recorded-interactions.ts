import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { IngestEvent, Manifest } from '@duet/protocol';
import { createRecorderToken } from '../../core/src/index.js';
import type { RecordedSession } from '../fixtures/recorded.js';
import type { TestServer } from './app.js';
import { connectRecorder, sendReliably } from './recorder-client.js';

/**
 * Puts interactions into a test server the way a recorder does: through the `/ingest` socket,
 * then waits until finalization (and, when asked, the audio analysis) is done. Used by the
 * browser tests of the review UI; the pipeline test keeps its own copy on purpose (it varies
 * delivery order and duplication).
 */

type Event = { timestamp: number; type: number };

/** A recorder connection for the agent `username`, with a fresh recorder token. */
export async function recorderFor(server: TestServer, username: string, opts: { tabId?: string } = {}): Promise<Socket> {
  const user = await server.core.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  const { token } = await createRecorderToken(server.core.db, user.id, `ui-test ${username}`, { id: null });
  return connectRecorder(server.url, token, opts.tabId ? { tabId: opts.tabId } : {});
}

/** Splits rrweb events into 1-second numbered chunks, as a recorder sends them. */
export function screenChunks(events: readonly Event[], start: number) {
  const bySecond = new Map<number, Event[]>();
  for (const e of events) {
    const s = Math.max(0, Math.floor((e.timestamp - start) / 1000));
    bySecond.set(s, [...(bySecond.get(s) ?? []), e]);
  }
  return [...bySecond.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, evs], seq) => ({ seq, startMs: start + s * 1000, endMs: start + s * 1000 + 1000, events: evs }));
}

async function ok(p: Promise<unknown>): Promise<void> {
  const ack = (await p) as { ok: boolean };
  if (!ack.ok) throw new Error(`ingest refused: ${JSON.stringify(ack)}`);
}

export interface SendOptions {
  callId?: string;
  /** screen streams (default one: `screen:crm` with the recorded events); `events` replaces the recorded ones for that stream */
  screens?: { stream: string; events?: readonly Event[] }[];
  /** focus changes: from `atMs` (relative to the start) the agent works in `stream` */
  focus?: { stream: string; atMs: number }[];
}

/** Sends the real-Chromium recorded fixture (voice, screen, PCI pause) as one new interaction. */
export async function sendRecordedSession(server: TestServer, socket: Socket, rec: RecordedSession, opts: SendOptions = {}): Promise<string> {
  const id = randomUUID();
  const s = rec.session;
  const start = s.startEpochMs;
  await ok(sendReliably(socket, IngestEvent.open, { interactionId: id, startedAt: start, ...(opts.callId ? { callId: opts.callId } : {}), audio: { channels: 2, mimeType: s.audio.mimeType } }));
  for (const c of rec.audioChunks) await ok(sendReliably(socket, IngestEvent.chunk, { interactionId: id, stream: 'audio', seq: c.seq, startMs: c.startMs, endMs: c.endMs }, c.data));
  for (const { stream, events } of opts.screens ?? [{ stream: 'screen:crm' }]) {
    for (const c of screenChunks(events ?? (rec.events as Event[]), start)) {
      await ok(sendReliably(socket, IngestEvent.chunk, { interactionId: id, stream, seq: c.seq, startMs: c.startMs, endMs: c.endMs, eventCount: c.events.length }, Buffer.from(JSON.stringify(c.events))));
    }
  }
  for (const f of opts.focus ?? []) await ok(sendReliably(socket, IngestEvent.marker, { interactionId: id, kind: 'focus', at: start + f.atMs, stream: f.stream }));
  await ok(sendReliably(socket, IngestEvent.marker, { interactionId: id, kind: 'pause', at: start + s.pause.startMs, reason: 'sensitive-field' }));
  await ok(sendReliably(socket, IngestEvent.marker, { interactionId: id, kind: 'resume', at: start + s.pause.endMs }));
  await ok(sendReliably(socket, IngestEvent.end, { interactionId: id, at: start + s.durationMs }));
  await waitReady(server, id);
  return id;
}

/** Sends hand-made rrweb events as a screen-only interaction (no audio) of `durationMs`. */
export async function sendScreenOnly(server: TestServer, socket: Socket, events: readonly Event[], opts: { start: number; durationMs: number; callId?: string }): Promise<string> {
  const id = randomUUID();
  await ok(sendReliably(socket, IngestEvent.open, { interactionId: id, startedAt: opts.start, ...(opts.callId ? { callId: opts.callId } : {}) }));
  for (const c of screenChunks(events, opts.start)) {
    await ok(sendReliably(socket, IngestEvent.chunk, { interactionId: id, stream: 'screen:crm', seq: c.seq, startMs: c.startMs, endMs: c.endMs, eventCount: c.events.length }, Buffer.from(JSON.stringify(c.events))));
  }
  await ok(sendReliably(socket, IngestEvent.end, { interactionId: id, at: opts.start + opts.durationMs }));
  await waitReady(server, id);
  return id;
}

export async function waitReady(server: TestServer, id: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await server.core.db.selectFrom('interactions').select(['status', 'finalize_error']).where('id', '=', id).executeTakeFirstOrThrow();
    if (row.status === 'ready') return;
    if (row.status === 'failed') throw new Error(`finalization of ${id} failed: ${row.finalize_error}`);
    if (Date.now() > deadline) throw new Error(`${id} not finalized within ${timeoutMs} ms (status ${row.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The stored manifest of a ready interaction. */
export async function manifestOf(server: TestServer, id: string): Promise<Manifest> {
  const row = await server.core.db.selectFrom('interactions').select(['manifest_key']).where('id', '=', id).executeTakeFirstOrThrow();
  const got = await server.core.store.get(row.manifest_key!);
  const chunks: Buffer[] = [];
  for await (const c of got.body) chunks.push(c as Buffer);
  return Manifest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
}

/** Waits for analyze-audio to add peaks and talk metrics. */
export async function waitAnalysed(server: TestServer, id: string, timeoutMs = 60_000): Promise<Manifest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await manifestOf(server, id);
    if (m.analysis === 'done' || m.analysis === 'none') return m;
    if (m.analysis === 'failed' || Date.now() > deadline) throw new Error(`analysis of ${id} is ${m.analysis}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
