import type { Kysely } from 'kysely';
import type { CreatedIntegrationToken, IntegrationScope, IntegrationTokenSummary } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import type { DB, IntegrationTokenRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import type { Actor } from '../org/users.js';
import { newSecretToken, sha256Hex } from './tokens.js';

/** Recognisable prefix so leaked tokens are easy to spot in logs and by secret scanners. */
export const INTEGRATION_TOKEN_PREFIX = 'duet_it_';

const toSummary = (r: IntegrationTokenRow): IntegrationTokenSummary => ({
  id: r.id,
  label: r.label,
  scopes: [...r.scopes].sort(),
  prefix: r.prefix,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

export async function listIntegrationTokens(db: Kysely<DB>): Promise<IntegrationTokenSummary[]> {
  return (await db.selectFrom('integration_tokens').selectAll().orderBy('created_at', 'desc').execute()).map(toSummary);
}

/**
 * Issues a token for a system (a phone system, a CTI connector). Unlike recorder tokens it belongs
 * to no agent: a PBX uploads for every agent, so scopes limit what it may do instead. The raw
 * token is returned once and never stored.
 */
export async function createIntegrationToken(db: Kysely<DB>, label: string, scopes: readonly IntegrationScope[], actor: Actor): Promise<CreatedIntegrationToken> {
  return db.transaction().execute(async (trx) => {
    const token = newSecretToken(INTEGRATION_TOKEN_PREFIX);
    const row = await trx
      .insertInto('integration_tokens')
      .values({ label, scopes: [...new Set(scopes)].sort(), prefix: token.slice(0, INTEGRATION_TOKEN_PREFIX.length + 6), token_hash: sha256Hex(token), created_by: actor.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'integration_token.create', targetType: 'integration_token', targetId: row.id, detail: { label, scopes: row.scopes } });
    return { ...toSummary(row), token };
  });
}

export async function revokeIntegrationToken(db: Kysely<DB>, id: string, actor: Actor): Promise<IntegrationTokenSummary> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('integration_tokens')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now', [])) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFound('Integration token');
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'integration_token.revoke', targetType: 'integration_token', targetId: id, detail: { label: row.label } });
    return toSummary(row);
  });
}

export type IntegrationTokenCheck =
  | { ok: true; tokenId: string; label: string; scopes: IntegrationScope[] }
  | { ok: false; status: 401 | 403; reason: string };

/**
 * Verifies a token a system presents for `scope`. The reason is safe to show to the caller: it
 * says whether the token is unknown, revoked or lacks the scope, never anything about other tokens.
 */
export async function verifyIntegrationToken(db: Kysely<DB>, token: string, scope: IntegrationScope): Promise<IntegrationTokenCheck> {
  if (!token.startsWith(INTEGRATION_TOKEN_PREFIX) || token.length > 200) {
    return { ok: false, status: 401, reason: `not a Duet integration token (they start with "${INTEGRATION_TOKEN_PREFIX}"); an admin issues one under Admin → Integration tokens` };
  }
  const row = await db.selectFrom('integration_tokens').select(['id', 'label', 'scopes', 'revoked_at']).where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  if (!row) return { ok: false, status: 401, reason: 'unknown integration token; ask an admin for a new one' };
  if (row.revoked_at) return { ok: false, status: 401, reason: 'this integration token was revoked; ask an admin for a new one' };
  if (!row.scopes.includes(scope)) {
    return { ok: false, status: 403, reason: `this integration token lacks the "${scope}" scope (it has: ${row.scopes.join(', ')}); ask an admin for a token with it` };
  }
  await db.updateTable('integration_tokens').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  return { ok: true, tokenId: row.id, label: row.label, scopes: row.scopes };
}
