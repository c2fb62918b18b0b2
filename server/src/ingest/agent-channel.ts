import type { Namespace } from 'socket.io';
import { IngestPush, type ActiveInteractionNotice, type CtiNotice, type PauseNotice } from '@duet/protocol';

/** The socket.io room of all recorder connections of one agent (every tab, every application). */
export const agentRoom = (agentId: string) => `agent:${agentId}`;

/**
 * Pushes to an agent's recorders. Bound to the ingest namespace once socket.io is up (the HTTP
 * routes that use it are made before). With the Redis adapter the room spans every server
 * process, so a CTI event arriving at one process reaches a recorder connected to another.
 */
export class AgentChannel {
  private nsp: Namespace | undefined;

  attach(nsp: Namespace): void {
    this.nsp = nsp;
  }

  /** Tells the agent's recorders about a call; resolves with how many connections got it. */
  async cti(agentId: string, notice: CtiNotice): Promise<number> {
    if (!this.nsp) return 0;
    const sockets = await this.nsp.in(agentRoom(agentId)).fetchSockets();
    this.nsp.to(agentRoom(agentId)).emit(IngestPush.cti, notice);
    return sockets.length;
  }

  /** Tells the agent's recorders whether any tab is paused for PCI in the interaction. */
  pause(agentId: string, notice: PauseNotice): void {
    this.nsp?.to(agentRoom(agentId)).emit(IngestPush.pause, notice);
  }

  /** Tells the agent's recorders which interaction is being recorded now (null: none). */
  active(agentId: string, notice: ActiveInteractionNotice): void {
    this.nsp?.to(agentRoom(agentId)).emit(IngestPush.active, notice);
  }
}
