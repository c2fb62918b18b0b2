/**
 * The ingest contract's constants and ack shape, without zod: the recorder's browser bundle
 * imports this module only (`@duet/protocol/ingest-wire`), so the schemas (and zod) stay out of
 * it. `ingest.ts` re-exports everything here next to the schemas.
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
 * The answer to every message. For a chunk, `held` lists the seqs the server holds for its stream
 * (what this server has seen stored, read from the database at the connection's first chunk of
 * the stream; the `held` request always reads the database). A refusal names its `error`; with
 * `retryAfterMs` it is about timing only and the same message may be sent again after that long:
 * `limit_exceeded` with `limit: 'chunksPerSecond'` (this connection sends too fast) and
 * `overloaded` (the server has too many chunks waiting to be stored and sheds load at once rather
 * than answering late). `internal` may be retried too; other refusals will not change on a resend.
 */
export type IngestAck =
  | { ok: true; stream?: string; seq?: number; duplicate?: boolean; held?: [number, number][] }
  | { ok: false; error: string; message: string; limit?: keyof typeof INGEST_LIMITS; retryAfterMs?: number };


/**
 * Server → recorder pushes (socket.io events on `/ingest`, to every connection of the agent).
 * `agent:active`: the agent's interaction being recorded, or null when there is none; sent at
 * connect and whenever one opens or ends, so every tab of the agent can join it with its own
 * screen stream. `cti`: a phone system (through `POST /api/cti/events`) says a call started or
 * ended for this agent, so the recorder starts or stops without the agent clicking anything.
 * `agent:pause`: see {@link PauseNotice}.
 */
export const IngestPush = { active: 'agent:active', cti: 'cti', pause: 'agent:pause' } as const;

/**
 * `agent:pause`: some tab of the agent is (or no tab is any more) paused for PCI in this
 * interaction; the tab recording the call audio pauses it too, so a card number read out while
 * the agent types it in another tab is never recorded.
 */
export interface PauseNotice {
  interactionId: string;
  paused: boolean;
  /**
   * The tabs (`screen:<tab>`) paused now. A tab counts only the others: its own pause it already
   * knows, and waiting for its own resume to come back from the server would keep the audio
   * paused past the screen's resume, so the resumed screen's full snapshot would fall inside
   * the pause and be dropped.
   */
  streams: string[];
}

export type ActiveInteractionNotice = { interactionId: string; callId: string | null; startedAt: string } | null;

export interface CtiNotice {
  event: 'call-started' | 'call-ended';
  callId: string;
  direction?: 'inbound' | 'outbound';
}
