import type { Readable } from 'node:stream';
import { DuetError, InvalidInput } from '../errors.js';

/**
 * The object store port. Both drivers (filesystem, S3) pass one contract suite
 * (test/contracts/object-store.test.ts); code above this port never knows which one it has.
 *
 * Keys are built by the server from ids (see `objectKey` in keys.ts) and validated on every call.
 * A key must not also be a "folder" of another key (`a/b` and `a/b/c`): S3 allows it, a
 * filesystem cannot, so the filesystem driver refuses it with a 409.
 */

/** A whole object in memory, or a Node stream that is read to its end exactly once. */
export type ObjectBody = Buffer | Uint8Array | NodeJS.ReadableStream;

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  /** Only drivers with `persistsContentType` return it. */
  contentType?: string;
  etag?: string;
}

export interface PutOptions {
  contentType?: string;
  /** When given, the body must have exactly this many bytes, or the put fails and stores nothing. */
  contentLength?: number;
}

/** Inclusive byte range; `end` past the last byte is clamped, as HTTP does. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface GetResult {
  body: Readable;
  /** Size of the whole object, not of the range. */
  size: number;
  /** Bytes that `body` will yield. */
  contentLength: number;
  contentType?: string;
  /** The inclusive range actually served, present only when a range was asked for. */
  range?: { start: number; end: number };
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  /** Content-Type the response must carry (signed into the URL). */
  contentType?: string;
  /** When set, the response is an attachment with this file name (signed into the URL). */
  downloadName?: string;
}

export interface ObjectStore {
  readonly driver: 'filesystem' | 's3';
  /** Stored in the DB next to keys; never a path or URL. */
  readonly name: string;
  /**
   * Whether `head`/`get` return the content type given at `put`. The filesystem driver does not
   * keep one: callers that need it keep it in the DB or pass it to `signedReadUrl`.
   */
  readonly persistsContentType: boolean;
  /** Stores the body under `key`, replacing any previous object; readers never see half a body. */
  put(key: string, body: ObjectBody, opts?: PutOptions): Promise<{ size: number }>;
  /** @throws ObjectNotFound when missing; RangeNotSatisfiable when `range.start` is past the end. */
  get(key: string, range?: ByteRange): Promise<GetResult>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /**
   * Every object whose key starts with `prefix` (plain string prefix, as S3), in ascending byte
   * order of keys. `''` lists the whole store.
   */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * A URL that reads the object without a session until it expires. S3: a presigned GET;
   * filesystem: a relative app URL `/api/objects/<key>?exp=..&sig=..` served by the server.
   */
  signedReadUrl(key: string, opts: SignedUrlOptions): Promise<string>;
  close(): Promise<void>;
}

export class ObjectNotFound extends DuetError {
  constructor(readonly key: string) {
    super(404, 'object_not_found', `Object "${key}" was not found in the object store.`);
  }
}

export class RangeNotSatisfiable extends DuetError {
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super(416, 'range_not_satisfiable', `The requested range starts past the end of "${key}" (${size} bytes).`);
  }
}

/** A put whose body length differs from `PutOptions.contentLength`: nothing was stored. */
export class ObjectSizeMismatch extends DuetError {
  constructor(key: string, expected: number, actual: string) {
    super(400, 'object_size_mismatch', `Object "${key}" was declared as ${expected} bytes but the body had ${actual}; nothing was stored.`);
  }
}

// Helpers shared by the drivers; core's index does not re-export them.

/** Store names end up in DB rows and logs, so they are short identifiers, never paths or URLs. */
export function assertValidStoreName(name: string): void {
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) {
    throw new InvalidInput(`Object store name "${name}" must be 1-63 lower-case letters, digits, "-" or "_".`);
  }
}

/** Driver-independent checks of a caller's range, so both drivers reject the same mistakes. */
export function assertValidByteRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidInput(`Byte range start must be a non-negative integer, got ${start}.`);
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new InvalidInput(`Byte range end must be an integer >= start (${start}), got ${end}.`);
  }
}

/** Signed URL lifetimes: whole seconds, 1 s to 7 days. */
export function assertValidExpiry(expiresInSeconds: number): void {
  // S3 refuses presigned URLs valid for more than 7 days; the filesystem driver keeps the same limit.
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > 604_800) {
    throw new InvalidInput(`expiresInSeconds must be an integer from 1 to 604800 (7 days), got ${expiresInSeconds}.`);
  }
}

/** Buffers are Uint8Arrays, so this one check covers both in-memory body types. */
export function isInMemoryBody(body: ObjectBody): body is Buffer | Uint8Array {
  return body instanceof Uint8Array;
}
