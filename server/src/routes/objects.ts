import { pipeline } from 'node:stream';
import { Router, type Request, type Response } from 'express';
import { attachmentDisposition, DuetError, keyProblem, parseRange, verifyObjectSignature, type GetResult, type ObjectStore } from '@duet/core';

export interface ObjectsRouterOptions {
  store: ObjectStore;
  /** The secret the filesystem store signs its URLs with. */
  secret: string;
  /** Clock in epoch ms; tests pin it. */
  now?: () => number;
}

/**
 * Serves the filesystem store's signed URLs: `GET|HEAD /objects/*key?exp=..&sig=..[&ct=..][&dn=..]`.
 * Mount it under `/api` (`app.use('/api', objectsRouter(...))`): the store signs `/api/objects/...`.
 *
 * There is no session check here on purpose: the signature is the capability, issued (and audited)
 * by the API after it checked the viewer's rights, exactly like an S3 presigned URL. Media
 * elements and rrweb fetches can then use the URL directly, with HTTP Range for seeking.
 */
export function objectsRouter(opts: ObjectsRouterOptions): Router {
  const { store, secret } = opts;
  const now = opts.now ?? Date.now;
  const router = Router();

  router.get('/objects/*key', async (req: Request<{ key: string[] }>, res: Response) => {
    const key = req.params.key.join('/');
    const problem = keyProblem(key);
    if (problem) return sendError(res, 400, 'invalid_object_key', `Invalid object key: ${problem}.`);

    const nowMs = now();
    const check = verifyObjectSignature(key, req.query, secret, nowMs);
    if (!check.ok) return sendError(res, 403, check.reason === 'expired' ? 'expired_url' : 'bad_signature', check.message);
    const { grant } = check;

    const info = await store.head(key);
    if (!info) return sendError(res, 404, 'object_not_found', 'This recording file no longer exists (it may have been removed by retention).');

    const range = parseRange(req.headers.range, info.size);
    res.setHeader('Accept-Ranges', 'bytes');
    // Never cacheable past the URL's own expiry, and only by the viewer's browser.
    res.setHeader('Cache-Control', `private, max-age=${Math.max(0, grant.exp - Math.floor(nowMs / 1000))}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Recorded pages are untrusted input: even if a browser navigated to one, it gets no script or origin.
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${info.size}`);
      return sendError(res, 416, 'range_not_satisfiable', `The requested range is outside the object (${info.size} bytes).`);
    }

    let result: GetResult;
    try {
      result = await store.get(key, range ?? undefined);
    } catch (err: unknown) {
      // Deleted or shrunk between head and get.
      if (err instanceof DuetError && (err.status === 404 || err.status === 416)) return sendError(res, err.status, err.code, err.message);
      throw err;
    }

    res.status(result.range ? 206 : 200);
    res.setHeader('Content-Type', grant.contentType ?? result.contentType ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(result.contentLength));
    if (result.range) res.setHeader('Content-Range', `bytes ${result.range.start}-${result.range.end}/${result.size}`);
    if (grant.downloadName !== undefined) res.setHeader('Content-Disposition', attachmentDisposition(grant.downloadName));
    res.setHeader('Last-Modified', info.lastModified.toUTCString());

    if (req.method === 'HEAD') {
      result.body.destroy();
      res.end();
      return;
    }
    // pipeline destroys the file stream when the client goes away mid-download (seeking does that a lot).
    pipeline(result.body, res, () => {});
  });

  return router;
}

function sendError(res: Response, status: number, error: string, message: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.json({ error, message });
}
