import type { Kysely } from 'kysely';
import type { Directory } from '@duet/protocol';
import { visibleTeamIds, type Principal } from '../auth/authorization.js';
import type { DB } from '../db/schema.js';

/**
 * The agents and teams `p` may filter interactions by: the same scope the library query uses, so
 * a filter never offers someone whose calls the viewer cannot open. An agent (with no team role)
 * gets only themselves; disabled users stay listed because their past calls are still there.
 */
export async function directoryFor(db: Kysely<DB>, p: Principal): Promise<Directory> {
  const scope = visibleTeamIds(p); // null: every team
  const teams =
    scope !== null && scope.length === 0
      ? []
      : await db
          .selectFrom('teams')
          .select(['id', 'name'])
          .$if(scope !== null, (q) => q.where('id', 'in', [...scope!]))
          .orderBy('name')
          .execute();
  const teamIds = teams.map((t) => t.id);
  const members = teamIds.length
    ? await db
        .selectFrom('team_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .innerJoin('user_roles as r', (j) => j.onRef('r.user_id', '=', 'u.id').on('r.role', '=', 'agent'))
        .select(['u.id', 'u.display_name', 'm.team_id'])
        .where('m.team_id', 'in', teamIds)
        .execute()
    : [];
  const agents = new Map<string, { id: string; displayName: string; teamIds: string[] }>();
  for (const m of members) {
    const a = agents.get(m.id) ?? { id: m.id, displayName: m.display_name, teamIds: [] };
    a.teamIds.push(m.team_id);
    agents.set(m.id, a);
  }
  if (p.roles.includes('agent') && !agents.has(p.userId)) {
    const me = await db.selectFrom('users').select(['id', 'display_name']).where('id', '=', p.userId).executeTakeFirst();
    if (me) agents.set(me.id, { id: me.id, displayName: me.display_name, teamIds: [] });
  }
  return { agents: [...agents.values()].sort((a, b) => a.displayName.localeCompare(b.displayName)), teams };
}
