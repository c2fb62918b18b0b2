import { Router, type CookieOptions, type Request } from 'express';
import type { Kysely } from 'kysely';
import { LoginRequest, type Me } from '@duet/protocol';
import { audit, checkCredentials, createSession, endSession, loadPrincipal, type DB, type LoginThrottle, type SessionPolicy } from '@duet/core';
import { requireAuth, SESSION_COOKIE, type AuthContext } from '../http/auth-context.js';
import { parseInput } from '../http/errors.js';

export interface AuthRouteOptions {
  db: Kysely<DB>;
  policy: SessionPolicy;
  cookieSecure: boolean;
  throttle?: LoginThrottle;
}

function toMe(auth: Pick<AuthContext, 'principal' | 'csrfToken'>): Me {
  const p = auth.principal;
  return {
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    roles: [...p.roles],
    teamIds: [...new Set([...p.memberOfTeamIds, ...p.supervisesTeamIds, ...p.trainsTeamIds, ...p.grantedTeamIds])],
    csrfToken: auth.csrfToken,
  };
}

export const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function authRouter(opts: AuthRouteOptions): Router {
  const router = Router();
  const cookie = (maxAgeMs?: number): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: opts.cookieSecure,
    path: '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  });

  router.post('/auth/login', async (req, res) => {
    const body = parseInput(LoginRequest, req.body);
    const ip = clientIp(req);
    const { userId } = await checkCredentials(opts.db, body.username, body.password, ip, opts.throttle);
    // A fresh session id at every login: a planted cookie cannot be carried into the new session.
    const old = (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE];
    if (old) await endSession(opts.db, old);
    const session = await createSession(opts.db, userId, opts.policy, { ip, userAgent: req.get('user-agent') ?? null });
    await audit(opts.db, { actorId: userId, action: 'auth.login', ip, detail: {} });
    res.cookie(SESSION_COOKIE, session.token, cookie(opts.policy.absoluteHours * 3_600_000));
    res.json(toMe({ principal: await loadPrincipal(opts.db, userId), csrfToken: session.csrfToken }));
  });

  router.post('/auth/logout', async (req, res) => {
    const auth = requireAuth(req);
    await endSession(opts.db, auth.sessionToken);
    await audit(opts.db, { actorId: auth.principal.userId, action: 'auth.logout', ip: clientIp(req), detail: {} });
    res.clearCookie(SESSION_COOKIE, cookie());
    res.status(204).end();
  });

  router.get('/auth/me', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(toMe(requireAuth(req)));
  });

  return router;
}
