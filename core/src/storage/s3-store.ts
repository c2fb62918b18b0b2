import { pipeline, Readable, Transform } from 'node:stream';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
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
import { attachmentDisposition } from './signing.js';

export interface S3StoreOptions {
  /** For S3-compatible servers (MinIO, s3rver); omit for AWS. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `bucket` in the path instead of the host name; needed by most S3-compatible servers. */
  forcePathStyle?: boolean;
  /** Store name recorded in the DB; default `s3`. */
  name?: string;
  /** Keys per ListObjectsV2 page (S3 caps it at 1000); small values let tests exercise continuation. */
  listPageSize?: number;
}

/** Single PutObject up to here; above it, and for every stream, a multipart upload. */
const SINGLE_PUT_MAX_BYTES = 8 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const PART_QUEUE = 2;

/**
 * Objects in an S3 bucket. All S3 calls of Duet live here (STYLE.md point 5). The SDK is imported
 * on first use so the embedded mode, which never touches S3, never loads it.
 */
export class S3ObjectStore implements ObjectStore {
  readonly driver = 's3' as const;
  readonly persistsContentType = true;
  readonly name: string;
  private readonly opts: S3StoreOptions;
  private sdk: Promise<{ s3: typeof S3Sdk; client: S3Client }> | undefined;

  constructor(opts: S3StoreOptions) {
    this.name = opts.name ?? 's3';
    assertValidStoreName(this.name);
    if (opts.listPageSize !== undefined && !(Number.isSafeInteger(opts.listPageSize) && opts.listPageSize >= 1 && opts.listPageSize <= 1000)) {
      throw new RangeError(`listPageSize must be an integer from 1 to 1000, got ${opts.listPageSize}.`);
    }
    this.opts = opts;
  }

  async put(key: string, body: ObjectBody, opts: PutOptions = {}): Promise<{ size: number }> {
    assertValidKey(key);
    const { s3, client } = await this.load();
    const { bucket } = this.opts;

    if (isInMemoryBody(body)) {
      if (opts.contentLength !== undefined && body.byteLength !== opts.contentLength) {
        throw new ObjectSizeMismatch(key, opts.contentLength, String(body.byteLength));
      }
      if (body.byteLength <= SINGLE_PUT_MAX_BYTES) {
        await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: opts.contentType }));
      } else {
        await this.multipart(key, body, opts.contentType);
      }
      return { size: body.byteLength };
    }

    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    // An error anywhere upstream destroys `counter`, which fails the upload and aborts it, so a
    // broken or short stream never completes into an object. The callback only swallows the copy
    // of that error the upload already reports.
    if (opts.contentLength !== undefined) pipeline(body, lengthGuard(key, opts.contentLength), counter, () => {});
    else pipeline(body, counter, () => {});
    try {
      await this.multipart(key, counter, opts.contentType);
    } catch (err) {
      // The upload may have stopped reading (network error, S3 refusal): release the caller's source.
      counter.destroy();
      throw err;
    }
    return { size };
  }

  async get(key: string, range?: ByteRange): Promise<GetResult> {
    assertValidKey(key);
    if (range) assertValidByteRange(range);
    const { s3, client } = await this.load();
    let res: S3Sdk.GetObjectCommandOutput;
    try {
      res = await client.send(
        new s3.GetObjectCommand({
          Bucket: this.opts.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFound(key);
      if (httpStatus(err) === 416) throw new RangeNotSatisfiable(key, await this.sizeOf(key));
      throw err;
    }
    if (!(res.Body instanceof Readable)) throw new Error('S3 GetObject returned no Node stream body; is this running outside Node?');
    const contentLength = res.ContentLength ?? 0;
    const served = res.ContentRange ? parseContentRange(res.ContentRange) : null;
    if (range) {
      // A server that ignores or misreads Range sends other bytes than asked for; passing them on
      // would hand the caller the wrong bytes without any sign of it.
      const wantedEnd = served ? Math.min(range.end ?? served.size - 1, served.size - 1) : -1;
      if (!served || served.start !== range.start || served.end !== wantedEnd) {
        res.Body.destroy();
        throw new Error(
          `S3 server answered Range bytes=${range.start}-${range.end ?? ''} of "${key}" with ${res.ContentRange ? `Content-Range ${res.ContentRange}` : 'the whole object'}.`,
        );
      }
    }
    return {
      body: res.Body,
      size: served ? served.size : contentLength,
      contentLength,
      contentType: res.ContentType,
      range: served ? { start: served.start, end: served.end } : undefined,
    };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    const { s3, client } = await this.load();
    try {
      const res = await client.send(new s3.HeadObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return {
        key,
        size: res.ContentLength ?? 0,
        lastModified: res.LastModified ?? new Date(0),
        contentType: res.ContentType,
        etag: res.ETag,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const { s3, client } = await this.load();
    try {
      await client.send(new s3.DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    const { s3, client } = await this.load();
    let token: string | undefined;
    do {
      const page: S3Sdk.ListObjectsV2CommandOutput = await client.send(
        new s3.ListObjectsV2Command({
          Bucket: this.opts.bucket,
          Prefix: prefix === '' ? undefined : prefix,
          ContinuationToken: token,
          MaxKeys: this.opts.listPageSize,
        }),
      );
      for (const item of page.Contents ?? []) {
        // Objects Duet did not write (other tools sharing the bucket) are not ours to hand out.
        if (item.Key === undefined || keyProblem(item.Key) !== null) continue;
        yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0), etag: item.ETag };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async signedReadUrl(key: string, opts: SignedUrlOptions): Promise<string> {
    assertValidKey(key);
    assertValidExpiry(opts.expiresInSeconds);
    const { s3, client } = await this.load();
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const command = new s3.GetObjectCommand({
      Bucket: this.opts.bucket,
      Key: key,
      ResponseContentType: opts.contentType,
      ResponseContentDisposition: opts.downloadName === undefined ? undefined : attachmentDisposition(opts.downloadName),
    });
    return getSignedUrl(client, command, { expiresIn: opts.expiresInSeconds });
  }

  async close(): Promise<void> {
    const loaded = this.sdk;
    this.sdk = undefined;
    if (loaded) (await loaded).client.destroy();
  }

  private load(): Promise<{ s3: typeof S3Sdk; client: S3Client }> {
    this.sdk ??= import('@aws-sdk/client-s3').then((s3) => {
      const o = this.opts;
      const client = new s3.S3Client({
        region: o.region,
        endpoint: o.endpoint,
        forcePathStyle: o.forcePathStyle,
        credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
        // The SDK's default (aws-chunked bodies with trailing checksums) makes some S3-compatible
        // servers, s3rver among them, store a corrupted body for a streamed PutObject without an
        // error. Streams go through lib-storage here, which sends buffered parts, so no path hits
        // it today; these keep a future streaming PutObject from corrupting silently.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      return { s3, client };
    });
    return this.sdk;
  }

  private async multipart(key: string, body: Readable | Uint8Array, contentType: string | undefined): Promise<void> {
    const { client } = await this.load();
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client,
      params: { Bucket: this.opts.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PART_QUEUE,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  private async sizeOf(key: string): Promise<number> {
    return (await this.head(key))?.size ?? 0;
  }
}

/**
 * Passes bytes through and fails the stream as soon as their count cannot match `expected`, so
 * the upload errors (and is aborted) instead of completing into a short or long object.
 */
function lengthGuard(key: string, expected: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > expected) done(new ObjectSizeMismatch(key, expected, `more than ${expected}`));
      else done(null, chunk);
    },
    flush(done) {
      done(seen === expected ? null : new ObjectSizeMismatch(key, expected, String(seen)));
    },
  });
}

/** `bytes 0-99/1234` → {start, end, size}; `*` sizes (unknown) are not expected from S3 for GETs. */
function parseContentRange(header: string): { start: number; end: number; size: number } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) } : null;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  // A missing bucket is a configuration error, not a missing object (HEAD cannot tell them apart).
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404;
}
