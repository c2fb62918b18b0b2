import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { TooManyRequests, Unauthenticated } from '../errors.js';
import { dummyHash, verifyPassword } from './passwords.js';

export interface LoginThrottle {
  windowMinutes: number;
  maxFailuresPerUser: number;
  maxFailuresPerIp: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottle = { windowMinutes: 15, maxFailuresPerUser: 5, maxFailuresPerIp: 30 };

/**
 * Rate limiting lives in the database so it holds across several server processes. Failures
 * count within the window and, per user, only since that user's last successful login.
 */
async function assertNotThrottled(db: Kysely<DB>, username: string, ip: string, t: LoginThrottle): Promise<void> {
  const since = new Date(Date.now() - t.windowMinutes * 60_000);
  const lastSuccess = await db
    .selectFrom('login_attempts')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('username', '=', username)
    .where('success', '=', true)
    .where('at', '>', since)
    .executeTakeFirst();
  const userSince = lastSuccess?.at && new Date(lastSuccess.at) > since ? new Date(lastSuccess.at) : since;
  const [byUser, byIp] = await Promise.all([
    db.selectFrom('login_attempts').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('at').as('first')])
      .where('username', '=', username).where('success', '=', false).where('at', '>', userSince).executeTakeFirst(),
    db.selectFrom('login_attempts').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('at').as('first')])
      .where('ip', '=', ip).where('success', '=', false).where('at', '>', since).executeTakeFirst(),
  ]);
  for (const [count, limit, what] of [
    [byUser, t.maxFailuresPerUser, 'this account'],
    [byIp, t.maxFailuresPerIp, 'your address'],
  ] as const) {
    if (Number(count?.n ?? 0) >= limit) {
      const first = count?.first ? new Date(count.first).getTime() : Date.now();
      const retry = Math.max(1, Math.ceil((first + t.windowMinutes * 60_000 - Date.now()) / 1000));
      throw new TooManyRequests(
        `Too many failed sign-in attempts for ${what}. Try again in ${Math.ceil(retry / 60)} minute(s) or ask an admin to reset the password.`,
        retry,
      );
    }
  }
}

/**
 * Checks a username and password. Unknown users, disabled users and wrong passwords get the
 * same answer (and the same hashing cost), so the endpoint does not reveal who has an account.
 */
export async function checkCredentials(
  db: Kysely<DB>,
  username: string,
  password: string,
  ip: string,
  throttle: LoginThrottle = DEFAULT_LOGIN_THROTTLE,
): Promise<{ userId: string }> {
  const name = username.trim().toLowerCase();
  await assertNotThrottled(db, name, ip, throttle);
  const user = await db.selectFrom('users').select(['id', 'password_hash', 'disabled']).where('username', '=', name).executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
  const success = !!user && ok && !user.disabled;
  await db.insertInto('login_attempts').values({ username: name, ip, success }).execute();
  if (!success) throw new Unauthenticated('Wrong username or password.');
  return { userId: user.id };
}
