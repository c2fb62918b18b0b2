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
  HeldRequest,
  Marker,
  OpenInteraction,
  type IngestAck,
} from '@duet/protocol';
import {
  addMarker,
  endInteraction,
  finalizeJobId,
  heldRanges,
  IngestError,
  openInteraction,
  storeChunk,
  verifyRecorderToken,
  type AppJobQueue,
  type DB,
  type IngestSource,
} from '@duet/core';
import { measureClockOffset } from './clock.js';
import { TokenBucket } from './rate-limit.js';

interface ConnectionState {
  agentId: string;
  tokenId: string;
  /** resolves once the clock exchange is done; every message waits for it */
  source: Promise<IngestSource>;
  bucket: TokenBucket;
}

type Ack = (answer: IngestAck) => void;

function invalid(err: z.ZodError, what: string): IngestAck {
  const issues = err.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  return { ok: false, error: 'invalid_message', message: `Invalid ${what}: ${issues}.` };
}

function refusal(err: unknown, log: (m: string) => void): IngestAck {
  if (err instanceof IngestError) return { ok: false, error: err.code, message: err.message, ...(err.limit ? { limit: err.limit } : {}) };
  log(`ingest error: ${(err as Error)?.stack ?? String(err)}`);
  return { ok: false, error: 'internal', message: 'The server could not store this; retry later.' };
}

/**
 * The `/ingest` namespace: recorders authenticate with a recorder token in the handshake, then
 * open interactions and send chunks. Every message is validated; every answer is an ack.
 */
export function registerIngest(io: Server, db: Kysely<DB>, jobs: AppJobQueue, log: (msg: string) => void): void {
  const nsp = io.of(INGEST_NAMESPACE);

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
    };
    socket.data.ingest = state;
    next();
  });

  nsp.on('connection', (socket: Socket) => {
    const state = socket.data.ingest as ConnectionState;
    state.source = measureClockOffset(socket).then((clockOffsetMs) => ({ agentId: state.agentId, clockOffsetMs }));

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
      return { ok: true, duplicate: !created };
    }));

    socket.on(IngestEvent.chunk, handle(ChunkMeta, 'chunk', async (meta, src, payload) => {
      if (!(payload instanceof Uint8Array)) {
        return { ok: false, error: 'invalid_message', message: 'Invalid chunk: send the payload as binary (ArrayBuffer or Uint8Array) after the metadata.' };
      }
      const { duplicate } = await storeChunk(db, src, meta, payload);
      return { ok: true, stream: meta.stream, seq: meta.seq, duplicate, held: await heldRanges(db, src, meta.interactionId, meta.stream) };
    }));

    socket.on(IngestEvent.held, handle(HeldRequest, 'held', async (msg, src) => {
      return { ok: true, stream: msg.stream, held: await heldRanges(db, src, msg.interactionId, msg.stream) };
    }));

    socket.on(IngestEvent.marker, handle(Marker, 'marker', async (msg, src) => {
      await addMarker(db, src, msg);
      return { ok: true };
    }));

    socket.on(IngestEvent.end, handle(EndInteraction, 'interaction:end', async (msg, src) => {
      // The end and the finalization request commit together: an ended interaction always has its job.
      await jobs.transaction(async (trx) => {
        const { finalize } = await endInteraction(trx, src, msg);
        if (finalize) await jobs.enqueue('finalize-interaction', { interactionId: msg.interactionId }, { jobId: finalizeJobId(msg.interactionId) }, trx);
      });
      return { ok: true };
    }));
  });
}
