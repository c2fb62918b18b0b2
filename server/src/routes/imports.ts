import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ImportAudioQuery } from '@duet/protocol';
import {
  ACCEPTED_AUDIO,
  ACCEPTED_CONTENT_TYPES,
  audit,
  containerName,
  containerOfContentType,
  containerOfFilename,
  DuetError,
  Forbidden,
  getImportStatus,
  InvalidInput,
  isAdmin,
  recordImport,
  resolveImportAgent,
  safeEqualStrings,
  SNIFF_BYTES,
  sniffAudio,
  Unauthenticated,
  verifyIntegrationToken,
  type AppJobQueue,
  type DB,
  type ImportCaller,
  type ObjectStore,
} from '@duet/core';
import type { Kysely } from 'kysely';
import { parseInput } from '../http/errors.js';
import { clientIp } from './auth.js';

export interface ImportsRouterOptions {
  db: Kysely<DB>;
  store: ObjectStore;
  jobs: AppJobQueue;
  maxBytes: number;
  /** origins besides our own that may send cookie-authenticated changes (PUBLIC_URL) */
  allowedOrigins: () => string[];
}

const IdParam = z.object({ id: z.uuid('must be a UUID') });

class PayloadTooLarge extends DuetError {
  constructor(maxBytes: number) {
    super(413, 'file_too_large', `The file is larger than the ${Math.round(maxBytes / 1_048_576)} MB import limit (IMPORT_MAX_MB). Split the recording or ask an admin to raise the limit.`);
  }
}
class UnsupportedMedia extends DuetError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
const emptyBody = () => new InvalidInput('The request body is empty: send the audio file itself as the body (not a form), with its Content-Type.', [{ path: '(body)', message: 'empty' }]);

/**
 * Who is calling. A phone system sends `Authorization: Bearer duet_it_…`; cookies play no part
 * then, so there is nothing for CSRF to abuse. An admin may upload by hand with a session, and
 * then the session's CSRF token and a same-site Origin are required as for every change. (This
 * route is mounted before the JSON-only CSRF guard because its body is audio, not JSON; the custom
 * X-CSRF-Token header is what a cross-site form cannot send.)
 */
async function importCaller(req: Request, opts: ImportsRouterOptions, forWrite: boolean): Promise<ImportCaller> {
  const header = req.get('authorization');
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new Unauthenticated('The Authorization header must be "Bearer <integration token>".');
    const check = await verifyIntegrationToken(opts.db, m[1]!, 'import');
    if (!check.ok) {
      if (check.status === 403) throw new Forbidden(`Import refused: ${check.reason}.`, 'missing_scope');
      throw new Unauthenticated(`Import refused: ${check.reason}.`);
    }
    return { kind: 'token', tokenId: check.tokenId, ip: clientIp(req) };
  }
  if (!req.auth) {
    throw new Unauthenticated('Send Authorization: Bearer <token> with an integration token that has the "import" scope, or sign in as an admin.');
  }
  const principal = req.auth.principal;
  if (forWrite) {
    if (!isAdmin(principal)) throw new Forbidden('Only admins may upload call recordings by hand; phone systems use an integration token with the "import" scope.');
    const origin = req.get('origin');
    if (origin && origin !== 'null' && origin !== `${req.protocol}://${req.get('host')}` && !opts.allowedOrigins().includes(origin)) {
      throw new Forbidden(`Cross-site request from ${origin} refused.`, 'bad_origin');
    }
    const sent = req.get('x-csrf-token');
    if (!sent) throw new Forbidden('Missing X-CSRF-Token header: send the csrfToken from /api/auth/me with every change.', 'csrf_missing');
    if (!safeEqualStrings(sent, req.auth.csrfToken)) throw new Forbidden('The X-CSRF-Token does not match your session; reload the page.', 'csrf_mismatch');
  }
  return { kind: 'user', principal, ip: clientIp(req) };
}

/**
 * Streams the body to a temp file, hashing and counting as it goes: never buffered whole, and
 * stopped as soon as it passes the limit. Keeps the first bytes for the magic-byte check.
 */
async function receiveBody(req: Request, file: string, maxBytes: number): Promise<{ bytes: number; sha256: string; head: Buffer }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new PayloadTooLarge(maxBytes));
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(req, meter, createWriteStream(file, { flags: 'wx' }));
  return { bytes, sha256: hash.digest('hex'), head };
}

/**
 * `POST /api/interactions/import`: a call recording from a phone system, as the raw request body
 * (`Content-Type: audio/wav|audio/mpeg|audio/ogg|audio/webm|application/octet-stream`) with its
 * metadata in the query (`callId`, `agent`, `startedAt`, optional `direction`, `filename`).
 * A raw body keeps the upload a single stream with no multipart parser; query parameters carry
 * the few short fields. Answers 202 with the import's status URL; the same file for the same
 * call and agent answers 200 with the same import.
 */
export function importsRouter(opts: ImportsRouterOptions): Router {
  const router = Router();

  router.post('/interactions/import', async (req, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const caller = await importCaller(req, opts, true);
    const refused = async (err: unknown, detail: Record<string, unknown> = {}) => {
      // Refusals of known callers are audited too: a phone system sending junk is worth seeing.
      if (err instanceof DuetError) {
        await audit(opts.db, {
          actorId: caller.kind === 'user' ? caller.principal.userId : null,
          ip: caller.ip,
          action: 'import.refused',
          targetType: 'import',
          detail: { status: err.status, code: err.code, reason: err.message, ...(caller.kind === 'token' ? { integrationTokenId: caller.tokenId } : {}), ...detail },
        });
        // The body may be unread: close the connection instead of reading up to the limit for nothing.
        if (!req.complete) res.setHeader('Connection', 'close');
      }
      return err;
    };
    let query: ImportAudioQuery;
    try {
      query = parseInput(ImportAudioQuery, req.query, 'query');
    } catch (err) {
      throw await refused(err, { query: redactQuery(req.query) });
    }
    const meta = { callId: query.callId, agent: query.agent };
    const contentType = req.get('content-type') ?? '';
    const declared = containerOfContentType(contentType);
    const byName = query.filename ? containerOfFilename(query.filename) : null;
    const declaredLength = req.get('content-length');
    let tmp: string | undefined;
    try {
      if (!contentType || declared === 'unsupported') {
        throw new UnsupportedMedia(`Content-Type ${contentType ? `"${contentType}" is not accepted` : 'is missing'}: send the audio file as the raw body with Content-Type ${ACCEPTED_CONTENT_TYPES}. Accepted audio: ${ACCEPTED_AUDIO}.`);
      }
      if (byName === 'unsupported') throw new UnsupportedMedia(`The file name "${query.filename}" is not an audio file Duet imports; accepted: ${ACCEPTED_AUDIO}.`);
      if (declaredLength !== undefined && Number(declaredLength) > opts.maxBytes) throw new PayloadTooLarge(opts.maxBytes);
      if (declaredLength === '0') throw emptyBody();
      const agent = await resolveImportAgent(opts.db, query.agent);

      tmp = await mkdtemp(path.join(os.tmpdir(), 'duet-import-'));
      const file = path.join(tmp, 'upload');
      const got = await receiveBody(req, file, opts.maxBytes);
      if (got.bytes === 0) throw emptyBody();
      const sniffed = sniffAudio(got.head);
      if (!sniffed.ok) throw new UnsupportedMedia(`Refused: ${sniffed.reason}. Send ${ACCEPTED_AUDIO}.`);
      for (const [claim, by] of [[declared, `Content-Type "${contentType}"`], [byName, `file name "${query.filename}"`]] as const) {
        if (claim && claim !== sniffed.container) {
          throw new UnsupportedMedia(`Refused: the ${by} says ${containerName(claim)} but the content is ${containerName(sniffed.container)}. Send the file with the type and name that match what it is.`);
        }
      }
      const accepted = await recordImport(opts, caller, {
        agentId: agent.id,
        callId: query.callId,
        startedAt: new Date(query.startedAt),
        direction: query.direction ?? null,
        container: sniffed.container,
        contentType: contentType.split(';')[0]!.trim().toLowerCase(),
        filename: query.filename ?? null,
        bytes: got.bytes,
        sha256: got.sha256,
        body: () => createReadStream(file),
      });
      res.setHeader('Location', accepted.statusUrl);
      res.status(accepted.duplicate ? 200 : 202).json(accepted);
    } catch (err) {
      throw await refused(err, meta);
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  router.get('/interactions/imports/:id', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const caller = await importCaller(req, opts, false);
    const { id } = parseInput(IdParam, req.params, 'path');
    const viewer = caller.kind === 'token' ? { kind: 'token' as const, tokenId: caller.tokenId } : { kind: 'user' as const, principal: caller.principal };
    res.json(await getImportStatus(opts.db, viewer, id));
  });

  return router;
}

/** Query values as strings of bounded length, for the audit log. */
function redactQuery(q: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((q ?? {}) as Record<string, unknown>).slice(0, 10)) out[k.slice(0, 40)] = String(v).slice(0, 200);
  return out;
}
