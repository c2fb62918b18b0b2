import { z } from 'zod';

/**
 * The recorder ↔ server ingest contract (socket.io namespace `/ingest`). Versioned: a recorder
 * states the version it speaks in the handshake and the server refuses ones it cannot read.
 *
 * - The agent's browser creates the interaction id (UUID v4) and numbers chunks per stream from 0.
 * - Times a recorder sends are epoch ms on the agent's clock; the server converts them to the
 *   interaction timeline (ms since the interaction's start, server time) with the clock offset it
 *   measured for the connection.
 * - Every chunk is acked only once durable; resending any chunk at any time is safe.
 */
export const INGEST_PROTOCOL_VERSION = 1;
export const INGEST_NAMESPACE = '/ingest';

/** Socket.io event names, typed once for both ends. */
export const IngestEvent = {
  open: 'interaction:open',
  chunk: 'chunk',
  marker: 'marker',
  end: 'interaction:end',
  held: 'held',
  clock: 'clock',
} as const;

/** `audio`, or `screen:<tab>`: every tab or application of the agent records its own screen stream. */
export const StreamName = z
  .string()
  .max(48)
  .regex(/^(audio|screen:[a-z0-9][a-z0-9-]{0,39})$/, 'must be "audio" or "screen:<tab id>" (lower-case letters, digits, dashes)');
export type StreamName = z.infer<typeof StreamName>;

const EpochMs = z.number().int().min(1_500_000_000_000, 'must be epoch milliseconds').max(4_000_000_000_000);
const InteractionId = z.uuid({ version: 'v4', message: 'must be a UUID v4 made by the recorder' });

/** Sent in the socket.io handshake `auth`. */
export const IngestHandshake = z.object({
  token: z.string().min(1).max(200),
  protocolVersion: z.literal(INGEST_PROTOCOL_VERSION, { message: `this server speaks ingest protocol ${INGEST_PROTOCOL_VERSION}` }),
  /** identifies the tab/application, so the server can coordinate several tabs of one agent */
  tabId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).optional(),
});
export type IngestHandshake = z.infer<typeof IngestHandshake>;

export const OpenInteraction = z.object({
  interactionId: InteractionId,
  /** the phone system's call id, to join screen with a PBX recording later */
  callId: z.string().min(1).max(128).regex(/^[\x20-\x7e]+$/, 'printable ASCII only').optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  startedAt: EpochMs,
  /** audio channel layout the recorder will send */
  audio: z.object({ channels: z.union([z.literal(1), z.literal(2)]), mimeType: z.string().max(100) }).optional(),
});
export type OpenInteraction = z.infer<typeof OpenInteraction>;

/** Limits the server enforces; over a limit the ack names the limit and the connection stays usable. */
export const INGEST_LIMITS = {
  /** one chunk's payload */
  maxChunkBytes: 2 * 1024 * 1024,
  /** chunks per second per connection, sustained (token bucket, burst of twice this) */
  chunksPerSecond: 20,
  /** interactions open at once per agent */
  maxOpenInteractionsPerAgent: 3,
} as const;

/**
 * A chunk's metadata; its payload follows as a binary argument:
 * - `audio`: the bytes MediaRecorder produced, as they are (only the first chunk of a recorder
 *   stream carries the WebM header; a new MediaRecorder after a restart starts with a header again);
 * - `screen:*`: a UTF-8 JSON array of the rrweb events captured in [startMs, endMs].
 */
export const ChunkMeta = z
  .object({
    interactionId: InteractionId,
    stream: StreamName,
    seq: z.number().int().min(0).max(10_000_000),
    /** capture start and end, agent epoch ms */
    startMs: EpochMs,
    endMs: EpochMs,
    /** for screen chunks: how many rrweb events the payload holds */
    eventCount: z.number().int().min(0).max(1_000_000).optional(),
  })
  .refine((c) => c.endMs >= c.startMs, { message: 'endMs must not be before startMs', path: ['endMs'] });
export type ChunkMeta = z.infer<typeof ChunkMeta>;

export const Marker = z.object({
  interactionId: InteractionId,
  kind: z.enum(['pause', 'resume']),
  at: EpochMs,
  /** why recording paused: a sensitive field had focus, a sensitive area was visible, or the agent chose to */
  reason: z.enum(['sensitive-field', 'sensitive-area', 'manual']).optional(),
});
export type Marker = z.infer<typeof Marker>;

export const EndInteraction = z.object({ interactionId: InteractionId, at: EpochMs });
export type EndInteraction = z.infer<typeof EndInteraction>;

/** Inclusive seq ranges, e.g. [[0, 41], [43, 50]]: a recorder resends exactly what is missing. */
export const SeqRanges = z.array(z.tuple([z.number().int(), z.number().int()]));
export type SeqRanges = z.infer<typeof SeqRanges>;

/**
 * The answer to every message. For a chunk, `held` lists the seqs the server holds for its stream
 * (what this server has seen stored, read from the database at the connection's first chunk of
 * the stream; the `held` request always reads the database). A refusal names its `error`; with
 * `retryAfterMs` it is about timing only and the same message may be sent again after that long:
 * `limit_exceeded` with `limit: 'chunksPerSecond'` (this connection sends too fast) and
 * `overloaded` (the server has too many chunks waiting to be stored and sheds load at once rather
 * than answering late). `internal` may be retried too; other refusals will not change on a resend.
 */
export type IngestAck =
  | { ok: true; stream?: StreamName; seq?: number; duplicate?: boolean; held?: SeqRanges }
  | { ok: false; error: string; message: string; limit?: keyof typeof INGEST_LIMITS; retryAfterMs?: number };

/** Asks which seqs the server holds for a stream (after a reconnect or reload). */
export const HeldRequest = z.object({ interactionId: InteractionId, stream: StreamName });
export type HeldRequest = z.infer<typeof HeldRequest>;
