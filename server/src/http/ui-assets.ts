import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { RequestHandler } from 'express';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text assets worth compressing (5–10× for minified JS and CSS); source maps are left to the static handler. */
const COMPRESSIBLE: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};
/** The build names every file under assets/ by its content hash: a name never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

type Encoded = { br: Buffer; gzip: Buffer; identity: Buffer };

/**
 * Serves the review UI's hashed build assets (`/assets/*`) compressed (Brotli or gzip, as the
 * browser accepts) and cacheable for a year: a new build has new names, and index.html (never
 * cached, see app.ts) names them. Each file is compressed once, on first request, and kept: the
 * whole build is a few MB. Anything else (or a file that does not exist) falls through to the
 * static handler.
 */
export function uiAssets(uiDir: string): RequestHandler {
  const assetsDir = path.join(uiDir, 'assets');
  const cache = new Map<string, Promise<Encoded | null>>();
  const load = (file: string) =>
    readFile(file).then(
      async (identity) => {
        const [br, gzipped] = await Promise.all([brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }), gz(identity, { level: 9 })]);
        return { br, gzip: gzipped, identity };
      },
      () => null,
    );
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.startsWith('/assets/') ? req.path.slice('/assets/'.length) : null;
    const type = name ? COMPRESSIBLE[path.extname(name)] : undefined;
    // Names from the build only: one path segment, no way out of the folder.
    if (!name || !type || name.includes('/') || name.includes('\\') || name.startsWith('.')) return next();
    const file = path.join(assetsDir, name);
    let entry = cache.get(file);
    if (!entry) {
      entry = load(file);
      cache.set(file, entry);
    }
    entry.then(
      (encoded) => {
        if (!encoded) {
          cache.delete(file);
          return next();
        }
        // Brotli first whatever order the browser lists them in (Chrome: "gzip, deflate, br, zstd").
        const coding = req.acceptsEncodings('br') === 'br' ? 'br' : req.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : 'identity';
        const body = encoded[coding];
        res.setHeader('Content-Type', type);
        res.setHeader('Cache-Control', IMMUTABLE);
        res.setHeader('Vary', 'Accept-Encoding');
        if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
        res.setHeader('Content-Length', String(body.byteLength));
        if (req.method === 'HEAD') return res.end();
        res.end(body);
      },
      (error: unknown) => next(error),
    );
  };
}
