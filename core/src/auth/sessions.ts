import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { newSecretToken, sha256Hex } from './tokens.js';

export interface SessionPolicy {
  /** A session unused for this long ends. */
  idleMinutes: number;
  /** A session ends this long after login, however active. */
  absoluteHours: number;
}

export interface SessionInfo {
  userId: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Creates a session; the raw token goes to the cookie only, the DB keeps its hash. */
export async function createSession(
  db: Kysely<DB>,
  userId: string,
  policy: SessionPolicy,
  client: { ip: string | null; userAgent: string | null },
): Promise<{ token: string } & SessionInfo> {
  const token = newSecretToken();
  const csrfToken = newSecretToken();
  const expiresAt = new Date(Date.now() + policy.idleMinutes * 60_000);
  await db
    .insertInto('sessions')
    .values({
      id: sha256Hex(token),
      user_id: userId,
      csrf_token: csrfToken,
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
      expires_at: expiresAt,
    })
    .execute();
  return { token, userId, csrfToken, expiresAt };
}

/**
 * Resolves a cookie token to a live session of an enabled user, sliding the idle expiry
 * forward (at most once a minute, to keep reads cheap) but never past the absolute limit.
 */
export async function resolveSession(db: Kysely<DB>, token: string, policy: SessionPolicy): Promise<SessionInfo | null> {
  if (!token || token.length > 200) return null;
  const id = sha256Hex(token);
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.user_id', 's.csrf_token', 's.expires_at', 's.created_at', 's.last_seen_at', 'u.disabled'])
    .where('s.id', '=', id)
    .executeTakeFirst();
  const now = Date.now();
  if (!row || row.disabled || row.expires_at.getTime() <= now) return null;
  let expiresAt = row.expires_at;
  if (now - row.last_seen_at.getTime() > 60_000) {
    const cap = row.created_at.getTime() + policy.absoluteHours * 3_600_000;
    expiresAt = new Date(Math.min(now + policy.idleMinutes * 60_000, cap));
    await db.updateTable('sessions').set({ last_seen_at: new Date(now), expires_at: expiresAt }).where('id', '=', id).execute();
  }
  return { userId: row.user_id, csrfToken: row.csrf_token, expiresAt };
}

export async function endSession(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sha256Hex(token)).execute();
}
