import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import type { DB } from './schema.js';

export type DatabaseDriver = 'pglite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  readonly driver: DatabaseDriver;
  /** e.g. "PostgreSQL 15.19" or "PGlite (PostgreSQL 17.5)" */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent, the embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  poolSize?: number;
  /** told about connection errors of idle PostgreSQL clients (they are replaced automatically) */
  onIdleError?: (err: Error) => void;
}

/**
 * Opens the system of record. The same Kysely queries run on both drivers; only the dialect
 * differs. PGlite has no cross-process locking, so the embedded database takes a lock file and
 * a second process gets a clear error instead of a corrupted data directory.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.poolSize ?? 10, opts.onIdleError ?? (() => {}));
  return openPglite(opts.pgliteDir ?? 'memory://');
}

async function openPostgres(url: string, poolSize: number, onIdleError: (err: Error) => void): Promise<Database> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (server restart, failover, a terminated backend) must not crash the
  // process: the pool drops that client and the next query opens a fresh connection.
  pool.on('error', (err) => onIdleError(err));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new Error(`Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}. Check DATABASE_URL.`, {
      cause: err,
    });
  }
  return {
    db,
    driver: 'postgres',
    serverVersion: async () => {
      const r = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
      return `PostgreSQL ${r.rows[0]?.v ?? '?'}`;
    },
    close: () => db.destroy(),
  };
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const inMemory = dir.startsWith('memory://');
  let releaseLock = async () => {};
  if (!inMemory) {
    await mkdir(dir, { recursive: true });
    releaseLock = await takeLock(`${path.resolve(dir)}.lock`);
  }
  let pglite;
  try {
    pglite = await PGlite.create(inMemory ? undefined : dir);
  } catch (err) {
    await releaseLock();
    throw err;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    driver: 'pglite',
    serverVersion: async () => {
      const r = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
      return `PGlite (PostgreSQL ${r.rows[0]?.v ?? '?'})`;
    },
    close: async () => {
      await db.destroy();
      await releaseLock();
    },
  };
}

/** An O_EXCL lock file holding our pid; a stale lock (dead pid) is taken over. */
async function takeLock(file: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `The embedded database is in use by process ${pid} (lock ${file}). PGlite allows one process; ` +
            'stop the other Duet or set DATABASE_URL to use PostgreSQL.',
          { cause: err },
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new Error(`Could not take the database lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
