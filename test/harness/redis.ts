import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  origin: 'found' | 'started';
  stop(): Promise<void>;
}

/** Finds Redis on its usual port, or starts a private redis-server on a random port. */
export async function findOrStartRedis(): Promise<RedisServer | { unavailable: string }> {
  const candidates = [process.env.DUET_TEST_REDIS_URL, 'redis://127.0.0.1:6379'].filter((u): u is string => !!u);
  for (const url of candidates) {
    const u = new URL(url);
    if (await ping(u.hostname, Number(u.port || 6379))) return { url, origin: 'found', stop: async () => {} };
  }
  return startPrivateRedis();
}

/** A private redis-server on a random port, persisting nothing; or why it cannot start. */
export async function startPrivateRedis(): Promise<RedisServer | { unavailable: string }> {
  let bin: string;
  try {
    bin = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    return { unavailable: 'no Redis answered on 127.0.0.1:6379 and redis-server is not installed' };
  }
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-redis-'));
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  while (!(await ping('127.0.0.1', port))) {
    if (Date.now() > deadline) throw new Error(`private redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    origin: 'started',
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A raw RESP PING, so the harness needs no client library to probe. */
function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
