import { inject } from 'vitest';
import { openDatabase, type Database } from '../../core/src/db/database.js';
import { migrateToLatest } from '../../core/src/db/migrate.js';
import { createTestDatabase } from './postgres.js';

export interface DatabaseDriverCase {
  name: 'pglite' | 'postgres';
  /** Why the case cannot run here, or null when it can. */
  unavailable: string | null;
  /** Opens a fresh, empty database (own PGlite instance, or own PostgreSQL database). */
  open(opts?: { migrate?: boolean }): Promise<Database & { dispose(): Promise<void> }>;
}

/** Both database drivers, for suites that must pass on each (the contract suites). */
export function databaseDrivers(): DatabaseDriverCase[] {
  const adminUrl = inject('postgresAdminUrl');
  return [
    {
      name: 'pglite',
      unavailable: null,
      open: async (opts = {}) => {
        const database = await openDatabase({ pgliteDir: 'memory://' });
        if (opts.migrate !== false) await migrateToLatest(database.db);
        return Object.assign(database, { dispose: () => database.close() });
      },
    },
    {
      name: 'postgres',
      unavailable: adminUrl ? null : 'no PostgreSQL (see the harness warning above)',
      open: async (opts = {}) => {
        const created = await createTestDatabase(adminUrl!);
        const database = await openDatabase({ url: created.url, poolSize: 4 });
        if (opts.migrate !== false) await migrateToLatest(database.db);
        return Object.assign(database, {
          dispose: async () => {
            await database.close();
            await created.drop();
          },
        });
      },
    },
  ];
}
