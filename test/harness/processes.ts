import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A built Duet entry point (server or workers) running as its own process. */
export interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export function startProcess(entry: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(ROOT, entry)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** Polls until `fn` gives a value; on timeout the error carries every process's output. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, procs: Proc[], timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${procs.map((p) => p.output.join('')).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The environment of the production topology, against the given services; a fresh queue prefix. */
export function productionEnv(services: { databaseUrl: string; redisUrl: string; s3: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string } }) {
  return {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    JOB_QUEUE_PREFIX: `topo-${randomBytes(4).toString('hex')}`,
    S3_ENDPOINT: services.s3.endpoint,
    S3_REGION: services.s3.region,
    S3_BUCKET: services.s3.bucket,
    S3_ACCESS_KEY_ID: services.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
    SECRET_KEY: randomBytes(32).toString('hex'),
    DATA_DIR: path.join(ROOT, 'data', 'unused-by-topology'),
  };
}

/** Removes a test's own BullMQ keys (by prefix) from the shared Redis; nothing else is touched. */
export async function removeRedisKeys(url: string, keyPrefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
