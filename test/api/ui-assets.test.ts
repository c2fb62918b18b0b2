import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/app.js';

describe('the review UI build: hashed assets compressed and cached for a year, index.html never cached', () => {
  let server: TestServer;
  let root: string;
  let uiDir: string;
  const script = `export const answer = ${JSON.stringify('x'.repeat(5000))};\n`;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'duet-ui-'));
    uiDir = path.join(root, 'dist');
    await mkdir(path.join(uiDir, 'assets'), { recursive: true });
    await writeFile(path.join(uiDir, 'index.html'), '<!doctype html><script type="module" src="/assets/main-abc123.js"></script>');
    await writeFile(path.join(uiDir, 'assets', 'main-abc123.js'), script);
    await writeFile(path.join(root, 'secret.js'), 'not an asset');
    server = await startTestServer({ env: { UI_DIR: uiDir } });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  // Node's fetch would decompress for us and hide what was sent: ask with node's own http instead.
  async function raw(url: string, encoding: string) {
    const { request } = await import('node:http');
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      request(server.url + url, { headers: { 'accept-encoding': encoding } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      })
        .on('error', reject)
        .end();
    });
  }

  it('sends Brotli, gzip or the plain file as the browser accepts, with a year of immutable caching', async () => {
    const br = await raw('/assets/main-abc123.js', 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.byteLength).toBeLessThan(script.length / 10);

    const gz = await raw('/assets/main-abc123.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    const plain = await raw('/assets/main-abc123.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('keeps index.html uncached, and serves nothing from outside the build', async () => {
    const page = await raw('/interactions/abc', 'br');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body.toString()).toContain('/assets/main-abc123.js');
    for (const url of ['/assets/..%2F..%2Fsecret.js', '/assets/%2E%2E/%2E%2E/secret.js', '/assets/missing-000.js']) {
      const r = await raw(url, 'br');
      expect(r.headers['cache-control'], url).not.toMatch(/immutable/);
      expect(r.body.toString(), url).not.toContain('not an asset');
    }
  });
});
