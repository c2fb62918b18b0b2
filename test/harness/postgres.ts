import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, chown, readdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface PostgresServer {
  /** URL of the maintenance database; tests create their own databases from it. */
  adminUrl: string;
  /** 'found' when an existing server answered, 'started' when the harness started a private one. */
  origin: 'found' | 'started';
  stop(): Promise<void>;
}

/** Tries the usual local server first, then starts a private one from Debian's binaries. */
export async function findOrStartPostgres(): Promise<PostgresServer | { unavailable: string }> {
  const candidates = [
    process.env.DUET_TEST_DATABASE_URL,
    'postgres://postgres@127.0.0.1:5432/postgres',
  ].filter((u): u is string => !!u);
  for (const url of candidates) {
    if (await canConnect(url)) return { adminUrl: url, origin: 'found', stop: async () => {} };
  }
  const bin = await findPgBin();
  if (!bin) return { unavailable: 'no PostgreSQL answered on 127.0.0.1:5432 and no initdb/pg_ctl binaries were found' };
  return startPrivatePostgres(bin);
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function findPgBin(): Promise<string | null> {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = (await readdir(root)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  }
  return null;
}

export interface PrivatePostgresOptions {
  /**
   * Server settings passed as `-c name=value` (after the defaults, so they win). Without them the
   * server runs with fsync off (test data only); a benchmark passes `{ fsync: 'on', … }`.
   */
  settings?: Record<string, string>;
  /** the server's stdout/stderr (its log, with checkpoint messages) go to this file */
  logFile?: string;
}

/** A throwaway PostgreSQL of our own (fsync off unless `settings` say otherwise) on a random port. */
export async function startPrivatePostgres(bin: string, opts: PrivatePostgresOptions = {}): Promise<PostgresServer & { pid: number; dataDir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-pg-'));
  const port = await freePort();
  // initdb refuses to run as root: then run initdb and the server as the postgres system user
  // (spawned with uid/gid directly, so signals reach the server itself).
  let ids: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
    ids = { uid, gid };
  }
  await run(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], ids);
  const settings = Object.entries({ fsync: 'off', ...opts.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const log = opts.logFile ? await open(opts.logFile, 'a') : undefined;
  const child = spawn(
    path.join(bin, 'postgres'),
    ['-D', path.join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...settings],
    { stdio: log ? ['ignore', log.fd, log.fd] : 'ignore', ...ids },
  );
  await log?.close();
  let exited = false;
  child.once('exit', () => (exited = true));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port)) || !(await canConnect(adminUrl))) {
    if (exited || Date.now() > deadline) throw new Error(`private PostgreSQL did not start on port ${port}${opts.logFile ? ` (see ${opts.logFile})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    adminUrl,
    origin: 'started',
    pid: child.pid!,
    dataDir: path.join(dir, 'data'),
    stop: async () => {
      if (!exited) {
        child.kill('SIGINT');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** A fresh database per test file: real isolation without flushing anything shared. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `duet_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
