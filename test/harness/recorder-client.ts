import { io, type Socket } from 'socket.io-client';
import { INGEST_NAMESPACE, INGEST_PROTOCOL_VERSION, IngestEvent, type IngestAck } from '@duet/protocol';

/**
 * A Node stand-in for the browser recorder's transport: connects to `/ingest` with a recorder
 * token and answers the server's clock exchange with its own (optionally skewed) clock.
 */
export async function connectRecorder(
  url: string,
  token: string,
  opts: { clockSkewMs?: number; protocolVersion?: number; tabId?: string; beforeConnect?: (socket: Socket) => void } = {},
): Promise<Socket> {
  const socket = io(url + INGEST_NAMESPACE, {
    auth: { token, protocolVersion: opts.protocolVersion ?? INGEST_PROTOCOL_VERSION, ...(opts.tabId ? { tabId: opts.tabId } : {}) },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  // Listeners for what the server pushes right at connect must be in place before it connects.
  opts.beforeConnect?.(socket);
  socket.on(IngestEvent.clock, (_msg: unknown, ack: (r: { agentTime: number }) => void) => ack({ agentTime: Date.now() + (opts.clockSkewMs ?? 0) }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return socket;
}

export function send(socket: Socket, event: string, ...args: unknown[]): Promise<IngestAck> {
  return socket.timeout(10_000).emitWithAck(event, ...args) as Promise<IngestAck>;
}

/** Sends like a well-behaved recorder: when the server says a rate limit was hit, waits and retries. */
export async function sendReliably(socket: Socket, event: string, ...args: unknown[]): Promise<IngestAck> {
  for (;;) {
    const ack = await send(socket, event, ...args);
    if (ack.ok || ack.limit !== 'chunksPerSecond') return ack;
    await new Promise((r) => setTimeout(r, ack.retryAfterMs ?? 100));
  }
}
