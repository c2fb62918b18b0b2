import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

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
 * Runs in the child. s3rver is started with port 0 so the OS picks a free port (no race between
 * choosing and binding), reports it on stdout, and exits when the parent's stdin pipe closes, so
 * a crashed test run never leaves it behind.
 */
const CHILD_SCRIPT = `
const S3rver = require(process.env.S3RVER_PATH);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.S3RVER_DIR,
  configureBuckets: [{ name: process.env.S3RVER_BUCKET, configs: [] }],
});
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * An S3-compatible server of its own for one test file: s3rver in a child process on a port the OS
 * picks, data in a fresh temp directory, one bucket with a random name. Nothing is shared between
 * files, so test files can run in parallel and no shared server needs cleaning.
 *
 * Why a child process: s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which
 * OpenSSL 3 (Node >= 17) only offers through its legacy provider, so any truncated listing is a
 * 500 InternalError unless the process runs with `--openssl-legacy-provider`.
 *
 * s3rver knows one access key (`S3RVER`/`S3RVER`, hard-coded in lib/models/account.js) and does
 * not verify SigV4 signatures at all: a tampered presigned URL still works against it.
 */
export async function startS3(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'duet-s3rver-'));
  const bucket = `duet-test-${randomBytes(6).toString('hex')}`;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT], {
    env: {
      ...process.env,
      S3RVER_PATH: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIR: directory,
      S3RVER_BUCKET: bucket,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no port reported within 15 s')), 15_000);
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch {
          reject(new Error(`unexpected output: ${line}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}`));
      });
      child.once('error', reject);
    });
  } catch (err) {
    await stop();
    throw new Error(`Could not start s3rver for the S3 tests: ${(err as Error).message}\n${stderr}`, { cause: err });
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: stop,
  };
}
