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
export { INGEST_PROTOCOL_VERSION, INGEST_NAMESPACE, IngestEvent, INGEST_LIMITS, type IngestAck } from './ingest-wire.js';
import { INGEST_PROTOCOL_VERSION } from './ingest-wire.js';

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
    /**
     * `gzip`: the payload is the gzip of what the stream's payload is (screen chunks only; the
     * recorder compresses in a worker). The server stores it decompressed, at most
     * `maxChunkBytes` of it.
     */
    contentEncoding: z.literal('gzip').optional(),
  })
  .refine((c) => c.endMs >= c.startMs, { message: 'endMs must not be before startMs', path: ['endMs'] })
  .refine((c) => c.contentEncoding === undefined || c.stream.startsWith('screen:'), { message: 'only screen chunks may be gzip (audio is compressed already)', path: ['contentEncoding'] });
export type ChunkMeta = z.infer<typeof ChunkMeta>;

export const Marker = z
  .object({
    interactionId: InteractionId,
    /** `focus`: from `at` on the agent works in the tab of `stream` (the timeline knows which tab had focus when) */
    kind: z.enum(['pause', 'resume', 'focus']),
    at: EpochMs,
    /** why recording paused: a sensitive field had focus, a sensitive area was visible, or the agent chose to */
    reason: z.enum(['sensitive-field', 'sensitive-area', 'manual']).optional(),
    /**
     * Whose marker: `audio` (the call audio's recorder paused), `screen:<tab>` (that tab paused, or
     * got focus). Without it a pause is the whole recorder's (one tab recording audio and screen).
     */
    stream: StreamName.optional(),
  })
  .refine((m) => m.kind !== 'focus' || m.stream?.startsWith('screen:'), { message: 'a focus marker names the tab: stream "screen:<tab>"', path: ['stream'] });
export type Marker = z.infer<typeof Marker>;

export const EndInteraction = z.object({ interactionId: InteractionId, at: EpochMs });
export type EndInteraction = z.infer<typeof EndInteraction>;

/** Inclusive seq ranges, e.g. [[0, 41], [43, 50]]: a recorder resends exactly what is missing. */
export const SeqRanges = z.array(z.tuple([z.number().int(), z.number().int()]));
export type SeqRanges = z.infer<typeof SeqRanges>;

/** Asks which seqs the server holds for a stream (after a reconnect or reload). */
export const HeldRequest = z.object({ interactionId: InteractionId, stream: StreamName });
export type HeldRequest = z.infer<typeof HeldRequest>;
