import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Conflict } from '../errors.js';
import { assertValidKey, assertValidPrefix, keyProblem } from './keys.js';
import {
  assertValidByteRange,
  assertValidExpiry,
  assertValidStoreName,
  isInMemoryBody,
  ObjectNotFound,
  ObjectSizeMismatch,
  RangeNotSatisfiable,
} from './object-store.js';
import type { ByteRange, GetResult, ObjectBody, ObjectInfo, ObjectStore, PutOptions, SignedUrlOptions } from './object-store.js';
import { assertUsableSecret, signedObjectPath } from './signing.js';

export interface FilesystemStoreOptions {
  /** Directory holding the objects (embedded mode: `./data/objects`); created when missing. */
  root: string;
  /** Signs `signedReadUrl` URLs; the server's objects route verifies them with the same secret. */
  secret: string;
  /** Store name recorded in the DB; default `fs`. */
  name?: string;
  /** Prefix of signed URLs; default `/api/objects`, where the server mounts the objects route. */
  urlPathPrefix?: string;
}

/**
 * Objects as plain files under `root`, one file per key (`a/b/c` → `root/a/b/c`).
 *
 * - Writes go to a temp file in the target directory, are fsynced and then renamed over the key,
 *   so a crash leaves either the old or the new object, never half of one. Temp names contain `~`,
 *   which keys cannot, so they can never collide with a key and `list` skips them.
 * - The content type is not persisted (`persistsContentType: false`): a sidecar file would make
 *   every write two writes with no atomicity between them. Callers keep the type in the DB and pass
 *   it to `signedReadUrl`, which signs it into the URL.
 */
export class FilesystemObjectStore implements ObjectStore {
  readonly driver = 'filesystem' as const;
  readonly persistsContentType = false;
  readonly name: string;
  private readonly root: string;
  private readonly secret: string;
  private readonly urlPathPrefix: string | undefined;

  constructor(opts: FilesystemStoreOptions) {
    this.name = opts.name ?? 'fs';
    assertValidStoreName(this.name);
    assertUsableSecret(opts.secret);
    this.root = path.resolve(opts.root);
    this.secret = opts.secret;
    this.urlPathPrefix = opts.urlPathPrefix;
  }

  async put(key: string, body: ObjectBody, opts: PutOptions = {}): Promise<{ size: number }> {
    const file = this.pathOf(key);
    if (isInMemoryBody(body) && opts.contentLength !== undefined && body.byteLength !== opts.contentLength) {
      throw new ObjectSizeMismatch(key, opts.contentLength, String(body.byteLength));
    }
    const dir = path.dirname(file);
    const temp = path.join(dir, `~${randomBytes(8).toString('hex')}.tmp`);
    const handle = await this.createTemp(key, dir, temp);
    let size: number;
    try {
      size = isInMemoryBody(body) ? await writeAll(handle, body) : await writeStream(handle, body, key, opts.contentLength);
      // The ingest path acks a chunk once put() resolves, so the bytes must be on disk by then.
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw err;
    }
    await handle.close();
    try {
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => {});
      if (errno(err) === 'EISDIR' || errno(err) === 'ENOTEMPTY' || errno(err) === 'EEXIST') throw keyIsFolder(key);
      throw err;
    }
    await syncDir(dir);
    return { size };
  }

  async get(key: string, range?: ByteRange): Promise<GetResult> {
    const file = this.pathOf(key);
    if (range) assertValidByteRange(range);
    // Open first, then stat the handle: a concurrent put renames a new file over the key, and the
    // handle keeps reading the version whose size we report.
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFound(key);
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ObjectNotFound(key);
      const size = info.size;
      if (!range) {
        return { body: handle.createReadStream(), size, contentLength: size };
      }
      if (range.start >= size) throw new RangeNotSatisfiable(key, size);
      const end = Math.min(range.end ?? size - 1, size - 1);
      return {
        body: handle.createReadStream({ start: range.start, end }),
        size,
        contentLength: end - range.start + 1,
        range: { start: range.start, end },
      };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.pathOf(key);
    try {
      const info = await stat(file);
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      if (isMissing(err)) return;
      if (errno(err) === 'EISDIR' || errno(err) === 'EPERM') return; // a "folder" of other keys is not an object
      throw err;
    }
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    // Start at the deepest directory the prefix names; the rest of the prefix filters names.
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash === -1 ? '' : prefix.slice(0, slash);
    yield* this.walk(baseKey, prefix);
  }

  async signedReadUrl(key: string, opts: SignedUrlOptions): Promise<string> {
    assertValidKey(key);
    assertValidExpiry(opts.expiresInSeconds);
    return signedObjectPath(key, this.secret, opts.expiresInSeconds, {
      contentType: opts.contentType,
      downloadName: opts.downloadName,
      pathPrefix: this.urlPathPrefix,
    });
  }

  async close(): Promise<void> {}

  /** Absolute path of a key, refusing (as defence in depth after key validation) anything outside root. */
  private pathOf(key: string): string {
    assertValidKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    const rel = path.relative(this.root, file);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new Error(`Object key "${key}" resolved outside the store root; refusing it.`);
    }
    return file;
  }

  /** Opens the temp file, creating directories; retries when a concurrent delete prunes them first. */
  private async createTemp(key: string, dir: string, temp: string): Promise<FileHandle> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dir, { recursive: true });
      } catch (err) {
        if (errno(err) === 'EEXIST' || errno(err) === 'ENOTDIR') throw keyIsFolder(key);
        throw err;
      }
      try {
        return await open(temp, 'wx');
      } catch (err) {
        if (errno(err) !== 'ENOENT' || attempt >= 3) throw err;
      }
    }
  }

  /** Removes directories left empty by a delete, so retention does not leave a forest of them. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir !== this.root && dir.startsWith(this.root + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop
      }
      dir = path.dirname(dir);
    }
  }

  /**
   * Depth-first walk in S3 key order. Sorting directory "x" as "x/" makes per-directory order equal
   * to the byte order of whole keys: `x-y` (0x2d) sorts before `x/z` (0x2f), as in S3.
   */
  private async *walk(dirKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    const dir = dirKey === '' ? this.root : path.join(this.root, ...dirKey.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    const named = entries
      // Temp files and anything not written by this store are not objects; symlinks are not followed.
      .filter((e) => (e.isFile() || e.isDirectory()) && keyProblem(e.name) === null)
      .map((e) => ({ entry: e, key: dirKey === '' ? e.name : `${dirKey}/${e.name}` }))
      .map((x) => ({ ...x, order: x.entry.isDirectory() ? `${x.key}/` : x.key }))
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));

    for (const { entry, key, order } of named) {
      if (entry.isDirectory()) {
        if (order.startsWith(prefix) || prefix.startsWith(order)) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        try {
          const info = await stat(path.join(dir, entry.name));
          yield { key, size: info.size, lastModified: info.mtime };
        } catch (err) {
          if (!isMissing(err)) throw err; // deleted while listing: it is simply not there
        }
      }
    }
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(err: unknown): boolean {
  return errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR';
}

function keyIsFolder(key: string): Conflict {
  return new Conflict(
    `Object key "${key}" collides with another key on the filesystem store (one key is a folder of the other, e.g. "a/b" and "a/b/c"); keys must not nest.`,
  );
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<number> {
  for (let offset = 0; offset < bytes.byteLength; ) {
    offset += (await handle.write(bytes, offset)).bytesWritten;
  }
  return bytes.byteLength;
}

/** Copies a stream with its natural backpressure (one write in flight), checking the length as it goes. */
async function writeStream(handle: FileHandle, body: NodeJS.ReadableStream, key: string, expected: number | undefined): Promise<number> {
  let size = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.byteLength;
    if (expected !== undefined && size > expected) throw new ObjectSizeMismatch(key, expected, `more than ${expected}`);
    await writeAll(handle, bytes);
  }
  if (expected !== undefined && size !== expected) throw new ObjectSizeMismatch(key, expected, String(size));
  return size;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; some platforms cannot fsync a directory, which is fine there.
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}
