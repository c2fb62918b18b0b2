import type { Socket } from 'socket.io';
import { IngestEvent } from '@duet/protocol';

/**
 * Estimates the agent's clock offset (agent minus server, ms) NTP-style: the server sends its
 * time, the recorder answers with its own; of a few rounds the one with the shortest round trip
 * wins, and the offset assumes the reply was taken halfway through it. A recorder that does not
 * answer gets offset 0 (its times are then taken as server times).
 */
export async function measureClockOffset(socket: Socket, rounds = 3, timeoutMs = 2000): Promise<number> {
  let best: { rtt: number; offset: number } | null = null;
  for (let i = 0; i < rounds; i++) {
    const sent = Date.now();
    try {
      const reply = (await socket.timeout(timeoutMs).emitWithAck(IngestEvent.clock, { serverTime: sent })) as { agentTime?: unknown };
      const received = Date.now();
      if (typeof reply?.agentTime !== 'number' || !Number.isFinite(reply.agentTime)) break;
      const rtt = received - sent;
      const offset = reply.agentTime - (sent + rtt / 2);
      if (!best || rtt < best.rtt) best = { rtt, offset };
    } catch {
      break;
    }
  }
  return best ? Math.round(best.offset) : 0;
}
