/**
 * Baseline: a bare socket.io server speaking the same `/ingest` wire contract with the same
 * options as Duet's (websocket, 4 MB buffer, binary attachments, an ack per message, the connect
 * clock exchange) but no validation, no rate limit, no hashing and no database: every chunk is
 * acked at once with an ack of the same shape and size as Duet's. The difference between the two
 * is what Duet's ingest path costs.
 */
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { INGEST_LIMITS, INGEST_NAMESPACE, IngestEvent, type IngestAck } from '@duet/protocol';
import { measureClockOffset } from '../../server/src/ingest/clock.js';
import { serveRequests } from '../lib/child.js';

const server = http.createServer();
const io = new Server(server, { serveClient: false, maxHttpBufferSize: INGEST_LIMITS.maxChunkBytes * 2, cors: { origin: true, credentials: false } });
io.of(INGEST_NAMESPACE).on('connection', (socket) => {
  void measureClockOffset(socket);
  socket.on(IngestEvent.open, (_msg: unknown, ack: (a: IngestAck) => void) => ack({ ok: true, duplicate: false }));
  socket.on(IngestEvent.chunk, (meta: { stream: string; seq: number }, _payload: unknown, ack: (a: IngestAck) => void) =>
    ack({ ok: true, stream: meta.stream, seq: meta.seq, duplicate: false, held: [[0, meta.seq]] }),
  );
  socket.on(IngestEvent.end, (_msg: unknown, ack: (a: IngestAck) => void) => ack({ ok: true }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
let elu = performance.eventLoopUtilization();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

serveRequests(
  (msg) => {
    if (msg.type === 'info') return { url: `http://127.0.0.1:${port}`, pid: process.pid };
    if (msg.type === 'stats') {
      const now = performance.eventLoopUtilization();
      const window = performance.eventLoopUtilization(now, elu);
      elu = now;
      const delay = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
      loopDelay.reset();
      return { elu: window.utilization, loopDelay: delay, errorCount: 0, errors: [], queries: [], poolWaits: new Float64Array(0) };
    }
    throw new Error(`unknown request ${msg.type}`);
  },
  async () => {
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  },
);
process.send?.({ type: 'ready' });
