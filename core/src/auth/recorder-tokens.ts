import type { Kysely } from 'kysely';
import type { CreatedRecorderToken, RecorderTokenSummary } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import type { DB, RecorderTokenRow } from '../db/schema.js';
import { InvalidInput, NotFound } from '../errors.js';
import type { Actor } from '../org/users.js';
import { newSecretToken, sha256Hex } from './tokens.js';

/** Recognisable prefix so leaked tokens are easy to spot in logs and by secret scanners. */
const PREFIX = 'duet_rt_';

const toSummary = (r: RecorderTokenRow): RecorderTokenSummary => ({
  id: r.id,
  agentId: r.agent_id,
  label: r.label,
  prefix: r.prefix,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function listRecorderTokens(db: Kysely<DB>, agentId?: string): Promise<RecorderTokenSummary[]> {
  let q = db.selectFrom('recorder_tokens').selectAll().orderBy('created_at', 'desc');
  if (agentId) q = q.where('agent_id', '=', agentId);
  return (await q.execute()).map(toSummary);
}

/** Issues a token for an agent's browser. The raw token is returned once and never stored. */
export async function createRecorderToken(db: Kysely<DB>, agentId: string, label: string, actor: Actor): Promise<CreatedRecorderToken> {
  return db.transaction().execute(async (trx) => {
    const agent = await trx
      .selectFrom('users as u')
      .innerJoin('user_roles as r', 'r.user_id', 'u.id')
      .select(['u.id', 'u.disabled'])
      .where('u.id', '=', agentId)
      .where('r.role', '=', 'agent')
      .executeTakeFirst();
    if (!agent) throw new InvalidInput('Recorder tokens are for agents: agentId must be a user with the agent role.');
    if (agent.disabled) throw new InvalidInput('That agent is disabled; enable the user before issuing a token.');
    const token = newSecretToken(PREFIX);
    const row = await trx
      .insertInto('recorder_tokens')
      .values({ agent_id: agentId, label, prefix: token.slice(0, PREFIX.length + 6), token_hash: sha256Hex(token), created_by: actor.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'recorder_token.create', targetType: 'recorder_token', targetId: row.id, detail: { agentId, label } });
    return { ...toSummary(row), token };
  });
}

export async function revokeRecorderToken(db: Kysely<DB>, id: string, actor: Actor): Promise<RecorderTokenSummary> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('recorder_tokens')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now', [])) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFound('Recorder token');
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'recorder_token.revoke', targetType: 'recorder_token', targetId: id, detail: { agentId: row.agent_id } });
    return toSummary(row);
  });
}

export type RecorderTokenCheck = { ok: true; agentId: string; tokenId: string } | { ok: false; reason: string };

/** Verifies a token presented by a recorder; the reason is safe to show to the recorder. */
export async function verifyRecorderToken(db: Kysely<DB>, token: string): Promise<RecorderTokenCheck> {
  if (!token.startsWith(PREFIX) || token.length > 200) return { ok: false, reason: 'not a Duet recorder token' };
  const row = await db
    .selectFrom('recorder_tokens as t')
    .innerJoin('users as u', 'u.id', 't.agent_id')
    .select(['t.id', 't.agent_id', 't.revoked_at', 'u.disabled'])
    .where('t.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown recorder token' };
  if (row.revoked_at) return { ok: false, reason: 'recorder token revoked' };
  if (row.disabled) return { ok: false, reason: 'agent account disabled' };
  await db.updateTable('recorder_tokens').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  return { ok: true, agentId: row.agent_id, tokenId: row.id };
}
