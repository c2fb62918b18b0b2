import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/src/db/database.js';
import { migrateDown, migrateToLatest, migrationStatus } from '../../core/src/db/migrate.js';
import { migrations } from '../../core/src/db/migrations/index.js';
import { databaseDrivers } from '../harness/databases.js';

for (const driver of databaseDrivers()) {
  describe.skipIf(driver.unavailable)(`database contract: ${driver.name}`, () => {
    let database: Database & { dispose(): Promise<void> };
    beforeAll(async () => {
      database = await driver.open({ migrate: false });
    });
    afterAll(async () => database?.dispose());

    it('migrates up, all the way down, and up again', async () => {
      const names = Object.keys(migrations);
      expect(await migrateToLatest(database.db)).toEqual(names);
      expect(await migrationStatus(database.db)).toEqual({ applied: names, pending: [] });
      for (let i = 0; i < names.length; i++) await migrateDown(database.db);
      const tables = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.tables
        where table_schema = 'public' and table_name not like 'duet_migrations%'`.execute(database.db);
      expect(tables.rows[0]?.n).toBe(0);
      expect(await migrateToLatest(database.db)).toEqual(names);
      expect(await migrateToLatest(database.db)).toEqual([]);
    });

    it('generates ids, stores timestamps as Dates and identity ids as strings', async () => {
      const user = await database.db
        .insertInto('users')
        .values({ username: 'contract', display_name: 'C', password_hash: 'x', employment_type: 'part_time' })
        .returningAll()
        .executeTakeFirstOrThrow();
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(user.created_at).toBeInstanceOf(Date);
      expect(user.disabled).toBe(false);
      const row = await database.db
        .insertInto('audit_log')
        .values({ action: 'test.event', detail: JSON.stringify({ a: 1 }) })
        .returning(['id', 'detail'])
        .executeTakeFirstOrThrow();
      expect(typeof row.id === 'string' || typeof row.id === 'number').toBe(true);
      expect(row.detail).toEqual({ a: 1 });
    });

    it('enforces uniqueness and checks', async () => {
      await expect(
        database.db.insertInto('users').values({ username: 'contract', display_name: 'D', password_hash: 'x', employment_type: null }).execute(),
      ).rejects.toThrow(/duplicate key|unique/i);
      await expect(
        sql`insert into users (username, display_name, password_hash, employment_type) values ('z', 'z', 'x', 'contractor')`.execute(database.db),
      ).rejects.toThrow(/check constraint/i);
    });

    it('rolls a failed transaction back completely', async () => {
      await expect(
        database.db.transaction().execute(async (trx) => {
          await trx.insertInto('teams').values({ name: 'rolled back' }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const teams = await database.db.selectFrom('teams').select('name').where('name', '=', 'rolled back').execute();
      expect(teams).toEqual([]);
    });

    it('keeps the audit log append-only', async () => {
      await database.db.insertInto('audit_log').values({ action: 'keep.me', detail: '{}' }).execute();
      await expect(database.db.updateTable('audit_log').set({ action: 'changed' }).execute()).rejects.toThrow(/append-only/);
      await expect(database.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      await expect(sql`truncate audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
      const left = await database.db.selectFrom('audit_log').select('action').where('action', '=', 'keep.me').execute();
      expect(left).toHaveLength(1);
    });
  });
}
