import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Conflict } from '../../core/src/errors.js';
import {
  createObjectStore,
  InvalidObjectKey,
  ObjectNotFound,
  ObjectSizeMismatch,
  RangeNotSatisfiable,
  verifyObjectSignature,
  type ObjectInfo,
  type ObjectStore,
} from '../../core/src/storage/index.js';
import { startS3, type S3TestServer } from '../harness/s3.js';

/**
 * One contract for every ObjectStore driver (ARCHITECTURE.md: both drivers of each port pass one
 * shared suite). Every test works under its own random prefix, so tests never see each other's
 * objects and nothing is wiped globally.
 */

const MiB = 1024 * 1024;
const SECRET = 'contract-secret-0123456789abcdef0123456789';

interface StoreFixture {
  store: ObjectStore;
  /** Reads a signedReadUrl result the way its consumer would, returning the body bytes. */
  readSigned(url: string, key: string): Promise<{ body: Buffer; contentType: string | null; disposition: string | null }>;
}

interface ContractOptions {
  /**
   * Deviations of a test server from real S3, each skipping the one assertion it breaks.
   * `list-order`: s3rver lists by walking its directories sorted by file name, so `a/b` comes
   * before `a-c`, and `x-1` before `x` (its files are named `<key>._S3rver_object`); real S3 and
   * MinIO list in byte order of keys.
   * `range-end-zero`: s3rver reads `bytes=0-0` as `bytes=0-` (it tests the end with `||`).
   */
  quirks?: ('list-order' | 'range-end-zero')[];
}

/** mulberry32: tiny, seeded and fast enough to produce 20 MiB in a few tens of ms. */
function* seededBytes(seed: number, total: number, chunkSize = 256 * 1024): Generator<Buffer> {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  for (let done = 0; done < total; ) {
    const size = Math.min(chunkSize, total - done);
    const chunk = Buffer.allocUnsafe(size);
    let i = 0;
    for (; i + 4 <= size; i += 4) chunk.writeUInt32LE(next(), i);
    for (; i < size; i++) chunk[i] = next() & 0xff;
    done += size;
    yield chunk;
  }
}

function sha256(chunks: Iterable<Buffer>): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

async function streamSha256(body: Readable): Promise<{ hash: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hash: h.digest('hex'), bytes };
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await collect(store.list(prefix))).map((i) => i.key);
}

/** Byte order, the order S3 lists keys in (keys are ASCII, so code-unit order is byte order). */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function putMany(store: ObjectStore, keys: string[], concurrency = 16): Promise<void> {
  const queue = [...keys];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) await store.put(key, Buffer.from(key));
    }),
  );
}

const failingStream = (goodBytes: number): Readable =>
  Readable.from(
    (function* () {
      yield Buffer.alloc(goodBytes, 7);
      throw new Error('client went away mid-upload');
    })(),
  );

export function objectStoreContract(
  name: string,
  makeStore: (opts?: { listPageSize?: number }) => Promise<StoreFixture>,
  options: ContractOptions = {},
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: ObjectStore;
    let p: string;
    let started = 0;

    beforeAll(async () => {
      started = Date.now();
      fx = await makeStore();
      store = fx.store;
    });
    afterAll(async () => {
      await store?.close();
      console.log(`[contract] ${name}: ${Date.now() - started} ms`);
    });
    beforeEach(() => {
      p = `t-${randomBytes(6).toString('hex')}/`;
    });

    it('put a buffer, get it back byte-exact, with its size', async () => {
      const data = randomBytes(100_000);
      await expect(store.put(`${p}obj.bin`, data)).resolves.toEqual({ size: data.length });
      const got = await store.get(`${p}obj.bin`);
      expect(got.size).toBe(data.length);
      expect(got.contentLength).toBe(data.length);
      expect(got.range).toBeUndefined();
      expect((await readAll(got.body)).equals(data)).toBe(true);
    });

    it('put a Uint8Array and an empty body', async () => {
      await store.put(`${p}u8`, new Uint8Array([1, 2, 3]));
      expect([...(await readAll((await store.get(`${p}u8`)).body))]).toEqual([1, 2, 3]);
      await expect(store.put(`${p}empty`, Buffer.alloc(0))).resolves.toEqual({ size: 0 });
      const empty = await store.get(`${p}empty`);
      expect(empty.size).toBe(0);
      expect((await readAll(empty.body)).length).toBe(0);
      expect(await store.head(`${p}empty`)).toMatchObject({ size: 0 });
      await expect(store.put(`${p}empty-stream`, Readable.from([]))).resolves.toEqual({ size: 0 });
      expect(await store.head(`${p}empty-stream`)).toMatchObject({ size: 0 });
    });

    it('put a ~20 MiB stream (multipart on S3) and get it back byte-exact', async () => {
      const total = 20 * MiB + 12_345;
      const expected = sha256(seededBytes(42, total));
      const put = await store.put(`${p}big.bin`, Readable.from(seededBytes(42, total)), { contentType: 'application/octet-stream' });
      expect(put.size).toBe(total);
      const got = await store.get(`${p}big.bin`);
      expect(got.size).toBe(total);
      expect(got.contentLength).toBe(total);
      expect(await streamSha256(got.body)).toEqual({ hash: expected, bytes: total });
      expect(await store.head(`${p}big.bin`)).toMatchObject({ size: total });
    });

    it('put a buffer over 8 MiB (multipart on S3) byte-exact', async () => {
      const data = Buffer.concat([...seededBytes(11, 9 * MiB + 1)]);
      expect(await store.put(`${p}big-buffer.bin`, data)).toEqual({ size: data.length });
      expect(await streamSha256((await store.get(`${p}big-buffer.bin`)).body)).toEqual({ hash: sha256([data]), bytes: data.length });
    });

    it('put a small stream byte-exact', async () => {
      const total = 300_001;
      const expected = Buffer.concat([...seededBytes(7, total, 4096)]);
      expect(await store.put(`${p}small.bin`, Readable.from(seededBytes(7, total, 4096)))).toEqual({ size: total });
      expect((await readAll((await store.get(`${p}small.bin`)).body)).equals(expected)).toBe(true);
    });

    it('get with a range returns exactly those bytes and the whole size', async () => {
      const data = Buffer.concat([...seededBytes(3, 10_000)]);
      const key = `${p}ranged.bin`;
      await store.put(key, data);

      const mid = await store.get(key, { start: 100, end: 199 });
      expect(mid).toMatchObject({ size: 10_000, contentLength: 100, range: { start: 100, end: 199 } });
      expect((await readAll(mid.body)).equals(data.subarray(100, 200))).toBe(true);

      const tail = await store.get(key, { start: 9_000 });
      expect(tail).toMatchObject({ size: 10_000, contentLength: 1_000, range: { start: 9_000, end: 9_999 } });
      expect((await readAll(tail.body)).equals(data.subarray(9_000))).toBe(true);

      if (options.quirks?.includes('range-end-zero')) {
        // The driver must notice that the server sent other bytes than asked for, not pass them on.
        await expect(store.get(key, { start: 0, end: 0 })).rejects.toThrow(/answered Range bytes=0-0/);
      } else {
        const one = await store.get(key, { start: 0, end: 0 });
        expect(one).toMatchObject({ contentLength: 1, range: { start: 0, end: 0 } });
        expect((await readAll(one.body)).equals(data.subarray(0, 1))).toBe(true);
      }

      const clamped = await store.get(key, { start: 9_990, end: 50_000 });
      expect(clamped).toMatchObject({ size: 10_000, contentLength: 10, range: { start: 9_990, end: 9_999 } });
      expect((await readAll(clamped.body)).equals(data.subarray(9_990))).toBe(true);
    });

    it('a range starting past the end is RangeNotSatisfiable; a malformed range is refused', async () => {
      await store.put(`${p}r`, Buffer.from('0123456789'));
      await expect(store.get(`${p}r`, { start: 10 })).rejects.toBeInstanceOf(RangeNotSatisfiable);
      await expect(store.get(`${p}r`, { start: 50, end: 60 })).rejects.toMatchObject({ status: 416, size: 10 });
      await expect(store.get(`${p}r`, { start: 5, end: 4 })).rejects.toMatchObject({ status: 400 });
      await expect(store.get(`${p}r`, { start: -1 })).rejects.toMatchObject({ status: 400 });
    });

    it('head of an existing and a missing object', async () => {
      const before = Date.now();
      await store.put(`${p}h.json`, Buffer.from('{"a":1}'), { contentType: 'application/json' });
      const info = await store.head(`${p}h.json`);
      expect(info).toMatchObject({ key: `${p}h.json`, size: 7 });
      expect(info!.lastModified).toBeInstanceOf(Date);
      // Second resolution on S3; a little slack for clocks.
      expect(info!.lastModified.getTime()).toBeGreaterThan(before - 5_000);
      expect(await store.head(`${p}missing`)).toBeNull();
    });

    it('content type round-trips on drivers that persist it, and is absent otherwise', async () => {
      await store.put(`${p}a.ogg`, Buffer.from('OggS'), { contentType: 'audio/ogg' });
      const expected = store.persistsContentType ? 'audio/ogg' : undefined;
      expect((await store.head(`${p}a.ogg`))?.contentType).toBe(expected);
      const got = await store.get(`${p}a.ogg`);
      got.body.destroy();
      expect(got.contentType).toBe(expected);
    });

    it('get of a missing object throws ObjectNotFound (404)', async () => {
      const err = await store.get(`${p}nope`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectNotFound);
      expect(err).toMatchObject({ status: 404, code: 'object_not_found', key: `${p}nope` });
      await expect(store.get(`${p}nope`, { start: 0, end: 1 })).rejects.toBeInstanceOf(ObjectNotFound);
    });

    it('a "folder" of other keys is not an object', async () => {
      await store.put(`${p}dir/file`, Buffer.from('x'));
      expect(await store.head(`${p}dir`)).toBeNull();
      await expect(store.get(`${p}dir`)).rejects.toBeInstanceOf(ObjectNotFound);
    });

    it('delete removes; deleting a missing key is fine', async () => {
      await store.put(`${p}d`, Buffer.from('x'));
      await store.delete(`${p}d`);
      expect(await store.head(`${p}d`)).toBeNull();
      await expect(store.get(`${p}d`)).rejects.toBeInstanceOf(ObjectNotFound);
      await expect(store.delete(`${p}d`)).resolves.toBeUndefined();
      await expect(store.delete(`${p}never/was/here`)).resolves.toBeUndefined();
    });

    it('delete then put again under the same folder works', async () => {
      await store.put(`${p}f/one`, Buffer.from('1'));
      await store.delete(`${p}f/one`);
      await store.put(`${p}f/two`, Buffer.from('2'));
      expect(await listKeys(store, `${p}f/`)).toEqual([`${p}f/two`]);
    });

    it('overwriting a key replaces its content', async () => {
      await store.put(`${p}o`, Buffer.from('first version, longer'));
      await store.put(`${p}o`, Buffer.from('second'));
      const got = await store.get(`${p}o`);
      expect(got.size).toBe(6);
      expect((await readAll(got.body)).toString()).toBe('second');
      await store.put(`${p}o`, Readable.from([Buffer.from('third, by stream')]));
      expect((await readAll((await store.get(`${p}o`)).body)).toString()).toBe('third, by stream');
      expect(await listKeys(store, p)).toEqual([`${p}o`]);
    });

    it('a failing stream stores nothing and keeps the previous version', async () => {
      await store.put(`${p}keep`, Buffer.from('good'));
      await expect(store.put(`${p}keep`, failingStream(64 * 1024))).rejects.toThrow(/client went away/);
      await expect(store.put(`${p}new`, failingStream(1024))).rejects.toThrow(/client went away/);
      expect((await readAll((await store.get(`${p}keep`)).body)).toString()).toBe('good');
      expect(await listKeys(store, p)).toEqual([`${p}keep`]);
    });

    it('a body that differs from contentLength is refused and stores nothing', async () => {
      await expect(store.put(`${p}a`, Buffer.from('abc'), { contentLength: 4 })).rejects.toBeInstanceOf(ObjectSizeMismatch);
      await expect(store.put(`${p}b`, Readable.from([Buffer.from('abcde')]), { contentLength: 4 })).rejects.toMatchObject({
        code: 'object_size_mismatch',
      });
      await expect(store.put(`${p}c`, Readable.from([Buffer.from('abc')]), { contentLength: 4 })).rejects.toMatchObject({
        code: 'object_size_mismatch',
      });
      expect(await listKeys(store, p)).toEqual([]);
      await expect(store.put(`${p}ok`, Readable.from([Buffer.from('abcd')]), { contentLength: 4 })).resolves.toEqual({ size: 4 });
    });

    it('list returns exactly the keys under a prefix, sorted, with sizes', async () => {
      const keys = [`${p}b/2`, `${p}a/1`, `${p}a/3`, `${p}a/2`, `${p}a2`, `${p}c`];
      await putMany(store, keys);
      await store.put(`${p.slice(0, -1)}-sibling/x`, Buffer.from('not under p'));
      try {
        const all = await collect(store.list(p));
        expect(all.map((i) => i.key)).toEqual([...keys].sort(byteOrder));
        for (const info of all) {
          expect(info.size).toBe(Buffer.byteLength(info.key));
          expect(info.lastModified).toBeInstanceOf(Date);
        }
        expect(await listKeys(store, `${p}a/`)).toEqual([`${p}a/1`, `${p}a/2`, `${p}a/3`]);
        // A prefix is a plain string prefix, as in S3, not a folder.
        expect(await listKeys(store, `${p}a`)).toEqual([`${p}a/1`, `${p}a/2`, `${p}a/3`, `${p}a2`]);
        expect(await listKeys(store, `${p}c`)).toEqual([`${p}c`]);
        expect(await listKeys(store, `${p}zzz`)).toEqual([]);
        expect(await listKeys(store, `${p}nothing/here/`)).toEqual([]);
      } finally {
        await store.delete(`${p.slice(0, -1)}-sibling/x`);
      }
    });

    it('list is in byte order across folders (a-c < a.b < a/b < a= < a_)', async () => {
      const keys = ['A', 'a/b', 'a/b-x', 'a-c', 'a.b', 'a=', 'a_', 'b'].map((k) => p + k);
      await putMany(store, keys);
      const listed = await listKeys(store, p);
      // s3rver walks folders in name order (real S3 and MinIO do not): there, only the set is checked.
      if (options.quirks?.includes('list-order')) expect([...listed].sort(byteOrder)).toEqual([...keys].sort(byteOrder));
      else expect(listed).toEqual([...keys].sort(byteOrder));
    });

    it('list follows continuation across small pages', async () => {
      const paged = await makeStore({ listPageSize: 7 });
      try {
        const keys = Array.from({ length: 50 }, (_, i) => `${p}k${String(i).padStart(3, '0')}`);
        await putMany(paged.store, keys);
        expect(await listKeys(paged.store, p)).toEqual(keys);
        expect(await listKeys(paged.store, `${p}k01`)).toEqual(keys.slice(10, 20));
      } finally {
        await paged.store.close();
      }
    });

    const badKeys = ['../escape', 'a/../../escape', '/abs', 'a//b', 'a/./b', 'ctl\u0001x', 'nul\u0000x', 'new\nline', 'back\\slash', '..\\..\\win', '', 'sp ace', '%2e%2e'];
    it.each(badKeys.map((k) => [JSON.stringify(k), k] as const))('refuses key %s everywhere, writing nothing', async (_title, bad) => {
      const before = await listKeys(store, '');
      const key = bad.startsWith('/') || bad === '' ? bad : `${p}${bad}`;
      await expect(store.put(key, Buffer.from('evil'))).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.put(key, Readable.from([Buffer.from('evil')]))).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidObjectKey);
      await expect(store.signedReadUrl(key, { expiresInSeconds: 60 })).rejects.toBeInstanceOf(InvalidObjectKey);
      // '' is the valid "whole store" prefix; every other bad key is a bad prefix too.
      if (key !== '') await expect(listKeys(store, key)).rejects.toBeInstanceOf(InvalidObjectKey);
      expect(await listKeys(store, '')).toEqual(before);
    });

    it('signedReadUrl gives the bytes, with the requested type and download name', async () => {
      const data = randomBytes(5_000);
      await store.put(`${p}s/audio.ogg`, data, { contentType: 'audio/ogg' });
      const url = await store.signedReadUrl(`${p}s/audio.ogg`, { expiresInSeconds: 60 });
      const plain = await fx.readSigned(url, `${p}s/audio.ogg`);
      expect(plain.body.equals(data)).toBe(true);

      const dl = await store.signedReadUrl(`${p}s/audio.ogg`, { expiresInSeconds: 60, contentType: 'audio/ogg', downloadName: 'call 1.ogg' });
      const got = await fx.readSigned(dl, `${p}s/audio.ogg`);
      expect(got.body.equals(data)).toBe(true);
      expect(got.contentType).toBe('audio/ogg');
      expect(got.disposition).toMatch(/^attachment; filename="call 1\.ogg"/);
    });

    it('signedReadUrl refuses expiries outside 1 s..7 days', async () => {
      await expect(store.signedReadUrl(`${p}x`, { expiresInSeconds: 0 })).rejects.toMatchObject({ status: 400 });
      await expect(store.signedReadUrl(`${p}x`, { expiresInSeconds: 8 * 86_400 })).rejects.toMatchObject({ status: 400 });
    });

    it('has a DB-safe name and says which driver it is', () => {
      expect(store.name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      expect(['filesystem', 's3']).toContain(store.driver);
    });

    // Last, so the other tests' whole-store listings stay small.
    it('list of more than 1000 keys (one more page than S3 returns at once)', { timeout: 60_000 }, async () => {
      const keys = Array.from({ length: 1100 }, (_, i) => `${p}${String(i).padStart(4, '0')}`);
      await putMany(store, keys, 32);
      expect(await listKeys(store, p)).toEqual(keys);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Filesystem driver

let fsDir: string;
beforeAll(async () => {
  fsDir = await mkdtemp(path.join(os.tmpdir(), 'duet-fs-store-'));
});
afterAll(async () => {
  if (fsDir) await rm(fsDir, { recursive: true, force: true });
});

objectStoreContract('filesystem', async () => {
  const store = createObjectStore({ kind: 'filesystem', root: path.join(fsDir, 'objects'), secret: SECRET });
  return {
    store,
    // The server's objects route does exactly this (tested over HTTP in objects-route.test.ts).
    readSigned: async (url, key) => {
      expect(url).toMatch(/^\/api\/objects\/[^?]+\?exp=\d+&sig=[A-Za-z0-9_-]{43}(&ct=[^&]+)?(&dn=[^&]+)?$/);
      const parsed = new URL(url, 'http://duet.test');
      const pathKey = parsed.pathname.slice('/api/objects/'.length).split('/').map(decodeURIComponent).join('/');
      expect(pathKey).toBe(key);
      const check = verifyObjectSignature(pathKey, Object.fromEntries(parsed.searchParams), SECRET);
      if (!check.ok) throw new Error(`signature check failed: ${check.reason}`);
      const exp = check.grant.exp - Math.floor(Date.now() / 1000);
      expect(exp).toBeGreaterThan(50);
      expect(exp).toBeLessThanOrEqual(60);
      const got = await store.get(pathKey);
      return {
        body: await readAll(got.body),
        contentType: check.grant.contentType ?? null,
        disposition: check.grant.downloadName ? `attachment; filename="${check.grant.downloadName}"` : null,
      };
    },
  };
});

describe('filesystem driver specifics', () => {
  let root: string;
  let store: ObjectStore;
  beforeAll(async () => {
    root = path.join(fsDir, 'specifics', 'objects');
    store = createObjectStore({ kind: 'filesystem', root, secret: SECRET });
  });

  async function walk(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, e.name);
      out.push(path.relative(path.dirname(root), full) + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) out.push(...(await walk(full)));
    }
    return out.sort();
  }

  it('stores a key as a plain file under root and nothing outside it', async () => {
    await store.put('i/1/audio.opus', Buffer.from('x'));
    await expect(store.put('../outside', Buffer.from('evil'))).rejects.toBeInstanceOf(InvalidObjectKey);
    expect(await walk(path.dirname(root))).toEqual(['objects/', 'objects/i/', 'objects/i/1/', 'objects/i/1/audio.opus']);
  });

  it('leaves no temp file behind after a failed write, and list skips foreign or temp files', async () => {
    await expect(store.put('i/2/x', failingStream(1000))).rejects.toThrow();
    expect((await walk(path.dirname(root))).filter((f) => f.includes('~'))).toEqual([]);
    // What a crash mid-write would leave: a temp file, plus a file some other tool dropped.
    await store.put('i/2/y', Buffer.from('y'));
    await writeFile(path.join(root, 'i', '2', '~deadbeef.tmp'), 'half');
    await writeFile(path.join(root, 'i', '2', 'weird name'), 'foreign');
    expect(await listKeys(store, 'i/2/')).toEqual(['i/2/y']);
  });

  it('prunes folders emptied by delete', async () => {
    await store.put('prune/a/b/c', Buffer.from('x'));
    await store.delete('prune/a/b/c');
    expect((await walk(path.dirname(root))).filter((f) => f.startsWith('objects/prune'))).toEqual([]);
  });

  it('refuses a key nested under another key (S3 allows it, a filesystem cannot) with 409', async () => {
    await store.put('nest/a', Buffer.from('file'));
    await expect(store.put('nest/a/b', Buffer.from('under a file'))).rejects.toBeInstanceOf(Conflict);
    await store.put('nest/c/d', Buffer.from('x'));
    await expect(store.put('nest/c', Buffer.from('over a folder'))).rejects.toBeInstanceOf(Conflict);
    expect(await listKeys(store, 'nest/')).toEqual(['nest/a', 'nest/c/d']);
  });
});

// ---------------------------------------------------------------------------------------------
// S3 driver, over HTTP against s3rver

let s3: S3TestServer | undefined;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

objectStoreContract(
  's3 (s3rver)',
  async (opts) => {
    if (!s3) throw new Error('s3rver did not start');
    const store = createObjectStore({
      kind: 's3',
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      listPageSize: opts?.listPageSize,
    });
    return {
      store,
      readSigned: async (url) => {
        expect(url.startsWith(`${s3!.endpoint}/${s3!.bucket}/`)).toBe(true);
        expect(url).toMatch(/X-Amz-Expires=60(&|$)/);
        const res = await fetch(url);
        expect(res.status).toBe(200);
        return {
          body: Buffer.from(await res.arrayBuffer()),
          contentType: res.headers.get('content-type'),
          disposition: res.headers.get('content-disposition'),
        };
      },
    };
  },
  { quirks: ['list-order', 'range-end-zero'] },
);
