/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against any schema version */
import { sql, type Kysely } from 'kysely';

/**
 * Runs DDL one statement at a time: PGlite's extended query protocol refuses several commands
 * in one prepared statement, so migrations are written as lists of single statements.
 */
export async function runStatements(db: Kysely<any>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
