import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, signedObjectPath, type ObjectStore } from '../../core/src/storage/index.js';
import { objectsRouter } from '../../server/src/routes/objects.js';

/**
 * The filesystem store's signed URLs served over real HTTP by the objects router, mounted under
 * /api as the server does.
 */

const SECRET = 'route-secret-0123456789abcdef0123456789abcd';
const DATA = randomBytes(10_000);
const KEY = 'interactions/3f1c/audio.ogg';

let dir: string;
let store: ObjectStore;
let server: http.Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duet-objects-route-'));
  store = createObjectStore({ kind: 'filesystem', root: path.join(dir, 'objects'), secret: SECRET });
  await store.put(KEY, DATA);
  // A file next to the store root: a path traversal would reach it.
  await writeFile(path.join(dir, 'secret.txt'), 'outside the store');
  const app = express();
  app.use('/api', objectsRouter({ store, secret: SECRET }));
  server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Sends the path exactly as written: fetch would normalise `..` away before it left the client. */
function rawGet(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/`, { path: pathAndQuery, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const signed = (key = KEY, seconds = 300, opts: Parameters<typeof signedObjectPath>[3] = {}): string => signedObjectPath(key, SECRET, seconds, opts);

describe('GET /api/objects/*key', () => {
  it('serves the whole object for a valid signature', async () => {
    const res = await fetch(base + signed());
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(DATA)).toBe(true);
    expect(res.headers.get('content-length')).toBe('10000');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBeNull();
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(290);
    expect(maxAge).toBeLessThanOrEqual(300);
  });

  it('uses the signed content type and download name', async () => {
    const res = await fetch(base + signed(KEY, 60, { contentType: 'audio/ogg', downloadName: 'Call 3f1c.ogg' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/ogg');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Call 3f1c.ogg"; filename*=UTF-8''Call%203f1c.ogg`);
    await res.arrayBuffer();
  });

  it.each([
    ['bytes=100-199', 100, 199],
    ['bytes=9990-', 9990, 9999],
    ['bytes=-500', 9500, 9999],
    ['bytes=0-0', 0, 0],
    ['bytes=9000-20000', 9000, 9999],
  ])('answers Range %s with 206 and exactly those bytes', async (range, start, end) => {
    const res = await fetch(base + signed(), { headers: { Range: range } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/10000`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await res.arrayBuffer()).equals(DATA.subarray(start, end + 1))).toBe(true);
  });

  it('answers several ranges or a malformed one with the whole object', async () => {
    for (const range of ['bytes=0-1,5-6', 'bytes=5-1', 'pages=1-2']) {
      const res = await fetch(base + signed(), { headers: { Range: range } });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(10_000);
    }
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const res = await fetch(base + signed(), { headers: { Range: 'bytes=10000-' } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */10000');
    expect(await res.json()).toMatchObject({ error: 'range_not_satisfiable' });
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(base + signed(), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('10000');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses an expired URL with 403 expired_url', async () => {
    const res = await fetch(base + signed(KEY, 60, { nowMs: Date.now() - 120_000 }));
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('expired_url');
    expect(body.message).toMatch(/expired/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['a later expiry', (u: URL) => u.searchParams.set('exp', String(Number(u.searchParams.get('exp')) + 3600))],
    ['another signature', (u: URL) => u.searchParams.set('sig', 'A'.repeat(43))],
    ['another key', (u: URL) => (u.pathname = u.pathname.replace('audio.ogg', 'screen.json'))],
    ['an added content type', (u: URL) => u.searchParams.set('ct', 'text/html')],
    ['an added download name', (u: URL) => u.searchParams.set('dn', 'x.html')],
    ['no signature', (u: URL) => u.searchParams.delete('sig')],
    ['no expiry', (u: URL) => u.searchParams.delete('exp')],
  ])('refuses a URL with %s with 403 bad_signature', async (_what, tamper) => {
    const u = new URL(base + signed());
    tamper(u);
    const res = await fetch(u);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'bad_signature', message: expect.stringMatching(/new one/) });
  });

  it.each([
    '/api/objects/interactions/3f1c/../../../secret.txt',
    '/api/objects/../secret.txt',
    '/api/objects/interactions/%2e%2e/%2e%2e/%2e%2e/secret.txt',
    '/api/objects/interactions%2f..%2f..%2f..%2fsecret.txt',
    '/api/objects/a%5c..%5csecret.txt',
    '/api/objects/a%00b',
  ])('refuses the traversal %s with 400 invalid_object_key', async (p) => {
    const sig = new URL(base + signed()).search;
    const res = await rawGet(p + sig);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ error: 'invalid_object_key' });
    expect(res.body.toString()).not.toContain('outside the store');
  });

  it('says 404 for a validly signed URL of a deleted object', async () => {
    await store.put('gone/soon', Buffer.from('x'));
    const url = base + signed('gone/soon');
    await store.delete('gone/soon');
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'object_not_found' });
  });

  it('serves keys whose characters need no escaping, byte-exact', async () => {
    const key = 'a=1/b_2/c-3.d';
    await store.put(key, Buffer.from('odd but valid'));
    const res = await fetch(base + signed(key));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('odd but valid');
  });
});
