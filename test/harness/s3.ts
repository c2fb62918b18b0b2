import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import S3rverModule from 's3rver';

/** The slice of s3rver (untyped CommonJS) this harness uses. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
const S3rver = S3rverModule as unknown as new (options: Record<string, unknown>) => S3rverInstance;

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`; use with `forcePathStyle: true`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server and deletes its data directory. */
  close(): Promise<void>;
}

/**
 * An S3-compatible server of its own for one test file: s3rver on a port the OS picks, data in a
 * fresh temp directory, one bucket with a random name. Nothing is shared between files, so test
 * files can run in parallel and no cleanup of a shared server is needed.
 *
 * s3rver knows exactly one access key (`S3RVER`/`S3RVER`, hard-coded in lib/models/account.js)
 * and does not check SigV4 signatures at all, so a tampered presigned URL still works against it.
 */
export async function startS3(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'duet-s3rver-'));
  const bucket = `duet-test-${randomBytes(6).toString('hex')}`;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (err) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(`Could not start s3rver for the S3 contract tests: ${(err as Error).message}`, { cause: err });
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: async () => {
      // Clients keep sockets alive; without this, close() waits for them to time out.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
