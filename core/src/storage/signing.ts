import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInput } from '../errors.js';
import { assertValidKey } from './keys.js';
import { assertValidExpiry } from './object-store.js';

/**
 * Signed URLs for the filesystem driver: the server streams the object itself (server/src/routes/objects.ts),
 * so the URL carries an expiry and an HMAC-SHA256 over everything that shapes the response. Like
 * an S3 presigned GET, it is a bearer capability: short-lived, issued only after an authorization
 * check (and an audit entry) by the API that hands it out.
 */

/** Where the server mounts the objects router; fs signed URLs are relative to the app origin. */
export const OBJECTS_PATH_PREFIX = '/api/objects';

const MIN_SECRET_LENGTH = 32;

/** What a signature grants: reading `key` until `exp`, with these response headers. */
export interface ObjectGrant {
  key: string;
  /** Expiry, epoch seconds; the URL is valid up to and including this second. */
  exp: number;
  contentType?: string;
  downloadName?: string;
}

export interface SignedPathOptions {
  contentType?: string;
  downloadName?: string;
  /** Clock in epoch ms; tests pin it. */
  nowMs?: number;
  /** Defaults to OBJECTS_PATH_PREFIX. */
  pathPrefix?: string;
}

export type SignatureCheck =
  | { ok: true; grant: ObjectGrant }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; message: string };

export function assertUsableSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new InvalidInput(`The object URL signing secret must be at least ${MIN_SECRET_LENGTH} characters (SECRET_KEY).`);
  }
}

function mac(grant: ObjectGrant, secret: string): Buffer {
  // A JSON array is an unambiguous encoding (no delimiter can be smuggled inside a field), and the
  // leading tag keeps these MACs apart from anything else signed with the same SECRET_KEY.
  const payload = JSON.stringify(['duet-object-url-v1', grant.key, grant.exp, grant.contentType ?? null, grant.downloadName ?? null]);
  return createHmac('sha256', secret).update(payload).digest();
}

/** The base64url signature of `grant`. */
export function signObjectGrant(grant: ObjectGrant, secret: string): string {
  assertUsableSecret(secret);
  assertValidKey(grant.key);
  return mac(grant, secret).toString('base64url');
}

/** Percent-encodes each segment; valid keys need none today, but the URL must not depend on that. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * `/api/objects/<key>?exp=..&sig=..[&ct=..][&dn=..]`, valid for `expiresInSeconds` from now.
 * @throws InvalidObjectKey, InvalidInput (expiry out of 1 s..7 days, weak secret)
 */
export function signedObjectPath(key: string, secret: string, expiresInSeconds: number, opts: SignedPathOptions = {}): string {
  assertValidExpiry(expiresInSeconds);
  const exp = Math.floor((opts.nowMs ?? Date.now()) / 1000) + expiresInSeconds;
  const grant: ObjectGrant = { key, exp, contentType: opts.contentType, downloadName: opts.downloadName };
  const query = new URLSearchParams({ exp: String(exp), sig: signObjectGrant(grant, secret) });
  if (opts.contentType !== undefined) query.set('ct', opts.contentType);
  if (opts.downloadName !== undefined) query.set('dn', opts.downloadName);
  return `${opts.pathPrefix ?? OBJECTS_PATH_PREFIX}/${encodeKeyPath(key)}?${query.toString()}`;
}

/** Query parameters as they arrive (any may be missing or repeated). */
export interface SignedQuery {
  exp?: unknown;
  sig?: unknown;
  ct?: unknown;
  dn?: unknown;
}

/**
 * Checks a signed URL for `key`. The signature is checked before the expiry so that "expired" is
 * only ever said about a URL this server really issued.
 */
export function verifyObjectSignature(key: string, query: SignedQuery, secret: string, nowMs = Date.now()): SignatureCheck {
  assertUsableSecret(secret);
  const { exp, sig, ct, dn } = query;
  if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof sig !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(sig)) {
    return { ok: false, reason: 'malformed', message: 'This link is missing its expiry or signature; ask for a new one.' };
  }
  if ((ct !== undefined && typeof ct !== 'string') || (dn !== undefined && typeof dn !== 'string')) {
    return { ok: false, reason: 'malformed', message: 'This link has repeated parameters; ask for a new one.' };
  }
  const grant: ObjectGrant = { key, exp: Number(exp), contentType: ct, downloadName: dn };
  const expected = mac(grant, secret);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature', message: 'This link was altered or was not issued by this server; ask for a new one.' };
  }
  if (Math.floor(nowMs / 1000) > grant.exp) {
    return { ok: false, reason: 'expired', message: 'This link has expired; reload the page to get a new one.' };
  }
  return { ok: true, grant };
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback and the RFC 6266/8187 UTF-8 name, so
 * any download name is safe in the header (no quotes or CR/LF can break out).
 */
export function attachmentDisposition(downloadName: string): string {
  const fallback = downloadName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(downloadName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
