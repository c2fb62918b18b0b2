import express, { type Router } from 'express';
import { audit, Forbidden, resolveImportAgent, Unauthenticated, verifyIntegrationToken, type DB } from '@duet/core';
import { CtiEvent, type CtiEventResult } from '@duet/protocol';
import type { Kysely } from 'kysely';
import { parseInput } from '../http/errors.js';
import type { AgentChannel } from '../ingest/agent-channel.js';
import { clientIp } from './auth.js';

/**
 * `POST /api/cti/events`: a phone system says a call started or ended for an agent; Duet tells
 * that agent's recorders, which start or stop recording on their own. Bearer integration token
 * with the `cti` scope only (no session: it is a machine's call), so it sits before the CSRF guard.
 */
export function ctiRouter(db: Kysely<DB>, channel: AgentChannel): Router {
  const r = express.Router();
  r.post('/cti/events', express.json({ limit: '16kb' }), async (req, res) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new Unauthenticated('Send Authorization: Bearer <integration token> with a token that has the "cti" scope; an admin issues one under Admin → Integration tokens.');
    const check = await verifyIntegrationToken(db, m[1]!, 'cti');
    if (!check.ok) {
      if (check.status === 403) throw new Forbidden(`CTI event refused: ${check.reason}.`, 'missing_scope');
      throw new Unauthenticated(`CTI event refused: ${check.reason}.`);
    }
    const event = parseInput(CtiEvent, req.body);
    const agent = await resolveImportAgent(db, event.agent);
    const delivered = await channel.cti(agent.id, { event: event.event, callId: event.callId, ...(event.direction ? { direction: event.direction } : {}) });
    await audit(db, {
      actorId: null,
      action: `cti.${event.event}`,
      targetType: 'user',
      targetId: agent.id,
      ip: clientIp(req),
      detail: { integrationTokenId: check.tokenId, callId: event.callId, direction: event.direction ?? null, customerNumber: event.customerNumber ?? null, delivered },
    });
    const body: CtiEventResult = {
      delivered,
      message: delivered ? `Sent to ${delivered} recorder connection(s) of the agent.` : 'No recorder of this agent is connected: nothing will be recorded until one is open (the event is not kept).',
    };
    res.status(202).json(body);
  });
  return r;
}
