import { io, type Socket } from 'socket.io-client';
import { INGEST_NAMESPACE, INGEST_PROTOCOL_VERSION, IngestEvent, IngestPush, type ActiveInteractionNotice, type CtiNotice, type IngestAck, type PauseNotice } from '@duet/protocol/ingest-wire';

export interface TransportEvents {
  online: () => void;
  offline: (reason: string) => void;
  /** the server refused the handshake for a reason a retry will not fix (bad or revoked token) */
  refused: (reason: string) => void;
  /** the agent's interaction being recorded now (by any tab), or null */
  active: (notice: ActiveInteractionNotice) => void;
  /** the phone system says a call started or ended */
  cti: (notice: CtiNotice) => void;
  /** whether another tab of the agent is paused for PCI */
  pause: (notice: PauseNotice) => void;
}

/** A request that got no answer: the connection dropped or the ack timed out; the message may or may not be stored. */
export class NoAnswer extends Error {}

/**
 * The recorder's socket.io connection to `/ingest`: token in the handshake, websocket only, and
 * the clock exchange answered with this browser's clock. Reconnects by itself with backoff
 * (socket.io's), except after a refusal that names a bad token.
 */
export class Transport {
  private readonly socket: Socket;

  constructor(serverUrl: string, token: string, tabId: string, on: TransportEvents) {
    this.socket = io(serverUrl + INGEST_NAMESPACE, {
      auth: { token, protocolVersion: INGEST_PROTOCOL_VERSION, tabId },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      timeout: 10_000,
      autoConnect: false,
    });
    this.socket.on(IngestEvent.clock, (_msg: unknown, ack?: (r: { agentTime: number }) => void) => ack?.({ agentTime: Date.now() }));
    this.socket.on('connect', () => on.online());
    this.socket.on(IngestPush.active, (n: ActiveInteractionNotice) => on.active(n));
    this.socket.on(IngestPush.cti, (n: CtiNotice) => on.cti(n));
    this.socket.on(IngestPush.pause, (n: PauseNotice) => on.pause(n));
    this.socket.on('disconnect', (reason) => on.offline(reason));
    this.socket.on('connect_error', (err: Error & { data?: { error?: string } }) => {
      if (err.data?.error === 'bad_token' || err.data?.error === 'bad_handshake') {
        // socket.io would retry for ever; a refused token will not get better by itself.
        this.socket.disconnect();
        on.refused(err.message);
      } else on.offline(err.message);
    });
  }

  connect(): void {
    this.socket.connect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends one message; resolves with the server's ack, rejects with NoAnswer when there is none. */
  async request(event: string, body: unknown, payload?: ArrayBuffer, timeoutMs = 15_000): Promise<IngestAck> {
    if (!this.socket.connected) throw new NoAnswer('offline');
    try {
      const args = payload ? [body, payload] : [body];
      return (await this.socket.timeout(timeoutMs).emitWithAck(event, ...args)) as IngestAck;
    } catch (err) {
      throw new NoAnswer((err as Error).message);
    }
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
