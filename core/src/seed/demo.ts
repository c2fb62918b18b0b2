import type { Kysely } from 'kysely';
import type { Role } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { hashPassword } from '../auth/passwords.js';
import type { DB } from '../db/schema.js';
import { ensureExampleScorecard } from '../scoring/scorecards.js';

/** One password for every demo login; printed at start so a newcomer can sign in at once. */
export const DEMO_PASSWORD = 'welcome-to-duet';

export interface DemoLogin {
  username: string;
  displayName: string;
  roles: Role[];
  note: string;
}

const PEOPLE: (DemoLogin & { employment?: 'full_time' | 'part_time'; team?: 'North' | 'South' })[] = [
  { username: 'admin', displayName: 'Ada Okafor', roles: ['admin'], note: 'users, teams, recorder tokens, audit' },
  { username: 'sofia', displayName: 'Sofia Reyes', roles: ['supervisor'], note: 'supervises North and South' },
  { username: 'quinn', displayName: 'Quinn Li', roles: ['qa'], note: 'QA analyst, granted both teams' },
  { username: 'tess', displayName: 'Tess Morgan', roles: ['trainer'], note: 'trains both teams' },
  { username: 'evan', displayName: 'Evan Brooks', roles: ['executive'], note: 'executive, curated calls only' },
  { username: 'alex', displayName: 'Alex Kim', roles: ['agent'], employment: 'full_time', team: 'North', note: 'agent, North, full-time' },
  { username: 'blair', displayName: 'Blair Patel', roles: ['agent'], employment: 'part_time', team: 'North', note: 'agent, North, part-time' },
  { username: 'casey', displayName: 'Casey Novak', roles: ['agent'], employment: 'full_time', team: 'South', note: 'agent, South, full-time' },
  { username: 'devon', displayName: 'Devon Shah', roles: ['agent'], employment: 'full_time', team: 'South', note: 'agent, South, full-time' },
];

export const DEMO_LOGINS: readonly DemoLogin[] = PEOPLE.map(({ username, displayName, roles, note }) => ({ username, displayName, roles, note }));

/**
 * Seeds the demo organisation when the database has no users yet; returns whether it did.
 * Idempotent by construction: a second call finds users and does nothing.
 */
export async function seedDemoOrganisation(db: Kysely<DB>): Promise<boolean> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return db.transaction().execute(async (trx) => {
    const any = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    const ids = new Map<string, string>();
    for (const p of PEOPLE) {
      const row = await trx
        .insertInto('users')
        .values({ username: p.username, display_name: p.displayName, password_hash: passwordHash, employment_type: p.employment ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(p.username, row.id);
      await trx.insertInto('user_roles').values(p.roles.map((role) => ({ user_id: row.id, role }))).execute();
    }
    for (const name of ['North', 'South'] as const) {
      const team = await trx
        .insertInto('teams')
        .values({ name, supervisor_id: ids.get('sofia')!, trainer_id: ids.get('tess')! })
        .returning('id')
        .executeTakeFirstOrThrow();
      const members = PEOPLE.filter((p) => p.team === name).map((p) => ({ team_id: team.id, user_id: ids.get(p.username)! }));
      await trx.insertInto('team_members').values(members).execute();
      await trx.insertInto('access_grants').values({ user_id: ids.get('quinn')!, team_id: team.id, created_by: null }).execute();
    }
    // The built-in BE SURE example scorecard (PRACTICES.md), published, so scoring works at once.
    await ensureExampleScorecard(trx, null);
    await audit(trx, { actorId: null, action: 'system.seed_demo', detail: { users: PEOPLE.length, teams: 2 } });
    return true;
  });
}

/**
 * Production bootstrap: with no users at all and ADMIN_PASSWORD set, creates one admin so the
 * operator can sign in and create everyone else. Never seeds demo people in production.
 */
export async function bootstrapAdmin(db: Kysely<DB>, username: string, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) return false;
    const row = await trx
      .insertInto('users')
      .values({ username, display_name: 'Administrator', password_hash: passwordHash, employment_type: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('user_roles').values({ user_id: row.id, role: 'admin' }).execute();
    await audit(trx, { actorId: null, action: 'system.bootstrap_admin', targetType: 'user', targetId: row.id, detail: { username } });
    return true;
  });
}
