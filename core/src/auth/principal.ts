import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Principal } from './authorization.js';

/** Loads a principal in four small indexed queries. */
export async function loadPrincipal(db: Kysely<DB>, userId: string): Promise<Principal & { username: string; displayName: string }> {
  const [user, roles, members, led, grants] = await Promise.all([
    db.selectFrom('users').select(['username', 'display_name']).where('id', '=', userId).executeTakeFirstOrThrow(),
    db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute(),
    db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute(),
    db.selectFrom('teams').select(['id', 'supervisor_id', 'trainer_id'])
      .where((eb) => eb.or([eb('supervisor_id', '=', userId), eb('trainer_id', '=', userId)])).execute(),
    db.selectFrom('access_grants').select('team_id').where('user_id', '=', userId).execute(),
  ]);
  return {
    userId,
    username: user.username,
    displayName: user.display_name,
    roles: roles.map((r) => r.role).sort(),
    memberOfTeamIds: members.map((m) => m.team_id),
    supervisesTeamIds: led.filter((t) => t.supervisor_id === userId).map((t) => t.id),
    trainsTeamIds: led.filter((t) => t.trainer_id === userId).map((t) => t.id),
    grantedTeamIds: grants.map((g) => g.team_id),
  };
}
