import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Role } from '@duet/protocol';
import { Forbidden, loadPrincipal, resolveSession, safeEqualStrings, Unauthenticated, type DB, type Principal, type SessionPolicy } from '@duet/core';

export const SESSION_COOKIE = 'duet_session';

export interface AuthContext {
  principal: Principal & { username: string; displayName: string };
  csrfToken: string;
  sessionToken: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

/** Resolves the session cookie, if any, into `req.auth`. Never fails the request by itself. */
export function sessionMiddleware(db: Kysely<DB>, policy: SessionPolicy): RequestHandler {
  return async (req, _res, next) => {
    const token = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
    if (token) {
      const session = await resolveSession(db, token, policy);
      if (session) req.auth = { principal: await loadPrincipal(db, session.userId), csrfToken: session.csrfToken, sessionToken: token };
    }
    next();
  };
}

export function requireAuth(req: Request): AuthContext {
  if (!req.auth) throw new Unauthenticated('Your session is missing or has expired. Sign in again.');
  return req.auth;
}

/** Route guard: the signed-in user must hold at least one of these roles. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const auth = requireAuth(req);
    if (!roles.some((r) => auth.principal.roles.includes(r))) {
      throw new Forbidden(`This needs the ${roles.join(' or ')} role.`);
    }
    next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF defence for cookie-authenticated requests: state changes need the session's token in
 * `X-CSRF-Token` (a cross-site page cannot read it), must be JSON (a cross-site form cannot
 * send that without a CORS preflight), and a present Origin must be our own.
 */
export function csrfProtection(opts: { exempt: string[]; allowedOrigins: () => string[] }): RequestHandler {
  return (req, _res, next) => {
    if (!UNSAFE.has(req.method)) return next();
    const origin = req.get('origin');
    if (origin && origin !== 'null') {
      const own = `${req.protocol}://${req.get('host')}`;
      if (origin !== own && !opts.allowedOrigins().includes(origin)) {
        throw new Forbidden(`Cross-site request from ${origin} refused.`, 'bad_origin');
      }
    }
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is('application/json')) {
      throw new Forbidden('State-changing requests must send Content-Type: application/json.', 'bad_content_type');
    }
    if (opts.exempt.includes(req.path)) return next();
    const auth = requireAuth(req);
    const sent = req.get('x-csrf-token');
    if (!sent) throw new Forbidden('Missing X-CSRF-Token header: send the csrfToken from /api/auth/me with every change.', 'csrf_missing');
    if (!safeEqualStrings(sent, auth.csrfToken)) throw new Forbidden('The X-CSRF-Token does not match your session; reload the page.', 'csrf_mismatch');
    next();
  };
}
