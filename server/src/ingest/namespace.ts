import type { Server, Socket } from 'socket.io';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import {
  ChunkMeta,
  EndInteraction,
  INGEST_LIMITS,
  INGEST_NAMESPACE,
  IngestEvent,
  IngestHandshake,
  IngestPush,
  HeldRequest,
  Marker,
  OpenInteraction,
  type IngestAck,
} from '@duet/protocol';
import {
  addMarker,
  ChunkBatcher,
  endInteraction,
  finalizeJobId,
  heldRanges,
  IngestError,
  openInteraction,
  readHeldRanges,
  verifyRecorderToken,
  type AppJobQueue,
  type ChunkBatcherOptions,
  type DB,
  type IngestSource,
} from '@duet/core';
import { agentRoom, type AgentChannel } from './agent-channel.js';
import { measureClockOffset } from './clock.js';
import { decodeChunkPayload } from './content-encoding.js';
import { HeldRegistry, type HeldView } from './held.js';
import { TokenBucket } from './rate-limit.js';

interface ConnectionState {
  agentId: string;
  tokenId: string;
  /** resolves once the clock exchange is done; every message waits for it */
  source: Promise<IngestSource>;
  bucket: TokenBucket;
  /** the held ranges of the streams this connection writes */
  held: HeldView;
}

type Ack = (answer: IngestAck) => void;

function invalid(err: z.ZodError, what: string): IngestAck {
  const issues = err.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  return { ok: false, error: 'invalid_message', message: `Invalid ${what}: ${issues}.` };
}

function refusal(err: unknown, log: (m: string) => void): IngestAck {
  if (err instanceof IngestError) {
    return { ok: false, error: err.code, message: err.message, ...(err.limit ? { limit: err.limit } : {}), ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  }
  log(`ingest error: ${(err as Error)?.stack ?? String(err)}`);
  return { ok: false, error: 'internal', message: 'The server could not store this; retry later.' };
}

export interface IngestOptions {
  /** group commit and admission control of chunks (defaults: ChunkBatcher's) */
  batch?: ChunkBatcherOptions;
  /** tells an agent's other tabs when an interaction opens or ends, so they join it */
  channel?: AgentChannel;
}

export interface IngestNamespace {
  /** chunks taken and not yet answered */
  readonly load: number;
  /** stores what is pending; later chunks are refused as `overloaded` */
  close(): Promise<void>;
}

/**
 * The `/ingest` namespace: recorders authenticate with a recorder token in the handshake, then
 * open interactions and send chunks. Every message is validated; every answer is an ack.
 * Chunks of all connections are stored in batches (ChunkBatcher: one statement and one commit per
 * batch, the ack after the commit); over its in-flight bound a chunk is refused at once with
 * `overloaded` and `retryAfterMs`, so overload sheds load instead of queueing without bound.
 */
export function registerIngest(io: Server, db: Kysely<DB>, jobs: AppJobQueue, log: (msg: string) => void, opts: IngestOptions = {}): IngestNamespace {
  const nsp = io.of(INGEST_NAMESPACE);
  const batcher = new ChunkBatcher(db, opts.batch);
  const held = new HeldRegistry();

  /** The agent's most recent interaction still recording, or null: what their tabs should join. */
  const currentActive = async (agentId: string) => {
    const row = await db
      .selectFrom('interactions')
      .select(['id', 'call_id', 'started_at'])
      .where('agent_id', '=', agentId)
      .where('status', '=', 'recording')
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { interactionId: row.id, callId: row.call_id, startedAt: row.started_at.toISOString() } : null;
  };
  /** Whether any tab's last pause/resume marker in the interaction is a pause. */
  const relayPause = async (agentId: string, interactionId: string) => {
    try {
      const rows = await db
        .selectFrom('interaction_markers')
        .select(['stream', 'kind'])
        .where('interaction_id', '=', interactionId)
        .where('stream', 'like', 'screen:%')
        .where('kind', 'in', ['pause', 'resume'])
        .orderBy('at_ms')
        .execute();
      const last = new Map<string, string>();
      for (const r of rows) last.set(r.stream, r.kind);
      const streams = [...last].filter(([, kind]) => kind === 'pause').map(([stream]) => stream);
      opts.channel?.pause(agentId, { interactionId, paused: streams.length > 0, streams });
    } catch (err) {
      log(`ingest: relaying a pause failed: ${(err as Error).message}`);
    }
  };
  const announce = (agentId: string) =>
    currentActive(agentId)
      .then((notice) => opts.channel?.active(agentId, notice))
      .catch((err: Error) => log(`ingest: announcing the active interaction failed: ${err.message}`));

  nsp.use(async (socket, next) => {
    const hs = IngestHandshake.safeParse(socket.handshake.auth);
    if (!hs.success) return next(Object.assign(new Error(`handshake refused: ${hs.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`), { data: { error: 'bad_handshake' } }));
    const check = await verifyRecorderToken(db, hs.data.token).catch(() => ({ ok: false as const, reason: 'token check failed' }));
    if (!check.ok) return next(Object.assign(new Error(`handshake refused: ${check.reason}`), { data: { error: 'bad_token' } }));
    const state: ConnectionState = {
      agentId: check.agentId,
      tokenId: check.tokenId,
      source: Promise.resolve({ agentId: check.agentId, clockOffsetMs: 0 }),
      bucket: new TokenBucket(INGEST_LIMITS.chunksPerSecond, INGEST_LIMITS.chunksPerSecond * 2),
      held: held.connection(),
    };
    socket.data.ingest = state;
    next();
  });

  nsp.on('connection', (socket: Socket) => {
    const state = socket.data.ingest as ConnectionState;
    state.source = measureClockOffset(socket).then((clockOffsetMs) => ({ agentId: state.agentId, clockOffsetMs }));
    socket.on('disconnect', () => state.held.release());
    // Every connection of the agent (each tab, each application) shares a room: an interaction one
    // tab opens is announced to the others, and a new tab learns the current one at once.
    void socket.join(agentRoom(state.agentId));
    void currentActive(state.agentId).then(
      (notice) => socket.emit(IngestPush.active, notice),
      (err: Error) => log(`ingest: reading the active interaction failed: ${err.message}`),
    );

    /** Wraps a handler: validates, limits, and always answers exactly once. */
    const handle = <S extends z.ZodType>(schema: S, what: string, run: (msg: z.infer<S>, src: IngestSource, extra: unknown) => Promise<IngestAck>) =>
      async (raw: unknown, ...rest: unknown[]) => {
        const ack = rest.at(-1);
        if (typeof ack !== 'function') return; // fire-and-forget messages are not part of the protocol
        const reply = ack as Ack;
        const wait = state.bucket.take();
        if (wait > 0) {
          reply({ ok: false, error: 'limit_exceeded', limit: 'chunksPerSecond', retryAfterMs: wait, message: `More than ${INGEST_LIMITS.chunksPerSecond} messages per second; retry in ${wait} ms.` });
          return;
        }
        const parsed = schema.safeParse(raw);
        if (!parsed.success) return reply(invalid(parsed.error, what));
        try {
          reply(await run(parsed.data, await state.source, rest.length > 1 ? rest[0] : undefined));
        } catch (err) {
          reply(refusal(err, log));
        }
      };

    socket.on(IngestEvent.open, handle(OpenInteraction, 'interaction:open', async (msg, src) => {
      const { created } = await openInteraction(db, src, msg);
      if (created) void announce(src.agentId);
      return { ok: true, duplicate: !created };
    }));

    socket.on(IngestEvent.chunk, handle(ChunkMeta, 'chunk', async (meta, src, payload) => {
      if (!(payload instanceof Uint8Array)) {
        return { ok: false, error: 'invalid_message', message: 'Invalid chunk: send the payload as binary (ArrayBuffer or Uint8Array) after the metadata.' };
      }
      const { duplicate } = await batcher.store(src, meta, await decodeChunkPayload(meta, payload));
      // Stored (or already held) for this agent, so the stream is theirs: no ownership check here.
      const ranges = await state.held.afterStore(meta.interactionId, meta.stream, meta.seq, () => readHeldRanges(db, meta.interactionId, meta.stream));
      return { ok: true, stream: meta.stream, seq: meta.seq, duplicate, held: ranges };
    }));

    socket.on(IngestEvent.held, handle(HeldRequest, 'held', async (msg, src) => {
      const ranges = await state.held.refresh(msg.interactionId, msg.stream, () => heldRanges(db, src, msg.interactionId, msg.stream));
      return { ok: true, stream: msg.stream, held: ranges };
    }));

    socket.on(IngestEvent.marker, handle(Marker, 'marker', async (msg, src) => {
      await addMarker(db, src, msg);
      // A tab's PCI pause or resume: the agent's other tabs (the one recording the call audio)
      // learn whether any tab is still paused.
      if (msg.kind !== 'focus' && msg.stream?.startsWith('screen:')) void relayPause(src.agentId, msg.interactionId);
      return { ok: true };
    }));

    socket.on(IngestEvent.end, handle(EndInteraction, 'interaction:end', async (msg, src) => {
      // The end and the finalization request commit together: an ended interaction always has its job.
      await jobs.transaction(async (trx) => {
        const { finalize } = await endInteraction(trx, src, msg);
        if (finalize) await jobs.enqueue('finalize-interaction', { interactionId: msg.interactionId }, { jobId: finalizeJobId(msg.interactionId) }, trx);
      });
      void announce(src.agentId);
      return { ok: true };
    }));
  });

  return {
    get load() {
      return batcher.load;
    },
    close: () => batcher.close(),
  };
}
