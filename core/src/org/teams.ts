import type { Kysely } from 'kysely';
import type { CreateTeamRequest, GrantSummary, Role, TeamSummary, UpdateTeamRequest } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import type { DB } from '../db/schema.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { Actor } from './users.js';

export async function listTeams(db: Kysely<DB>): Promise<TeamSummary[]> {
  const [teams, members] = await Promise.all([
    db.selectFrom('teams').selectAll().orderBy('name').execute(),
    db.selectFrom('team_members').select(['team_id', 'user_id']).execute(),
  ]);
  return teams.map((t) => ({
    id: t.id,
    name: t.name,
    supervisorId: t.supervisor_id,
    trainerId: t.trainer_id,
    memberIds: members.filter((m) => m.team_id === t.id).map((m) => m.user_id).sort(),
  }));
}

async function getTeam(db: Kysely<DB>, id: string): Promise<TeamSummary> {
  const team = (await listTeams(db)).find((t) => t.id === id);
  if (!team) throw new NotFound('Team');
  return team;
}

/** A team's supervisor must hold the supervisor role, its trainer the trainer role. */
async function assertHasRole(db: Kysely<DB>, userId: string | null | undefined, role: Role, field: string): Promise<void> {
  if (!userId) return;
  const row = await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).where('role', '=', role).executeTakeFirst();
  if (!row) throw new InvalidInput(`${field} must be a user with the ${role} role.`, [{ path: field, message: `not a ${role}` }]);
}

export async function createTeam(db: Kysely<DB>, input: CreateTeamRequest, actor: Actor): Promise<TeamSummary> {
  const id = await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('teams').select('id').where('name', '=', input.name).executeTakeFirst()) {
      throw new Conflict(`A team named "${input.name}" exists already.`);
    }
    await assertHasRole(trx, input.supervisorId, 'supervisor', 'supervisorId');
    await assertHasRole(trx, input.trainerId, 'trainer', 'trainerId');
    const team = await trx
      .insertInto('teams')
      .values({ name: input.name, supervisor_id: input.supervisorId, trainer_id: input.trainerId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'team.create', targetType: 'team', targetId: team.id, detail: { ...input } });
    return team.id;
  });
  return getTeam(db, id);
}

export async function updateTeam(db: Kysely<DB>, id: string, input: UpdateTeamRequest, actor: Actor): Promise<TeamSummary> {
  await db.transaction().execute(async (trx) => {
    const team = await trx.selectFrom('teams').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!team) throw new NotFound('Team');
    if (input.name) {
      const clash = await trx.selectFrom('teams').select('id').where('name', '=', input.name).where('id', '!=', id).executeTakeFirst();
      if (clash) throw new Conflict(`A team named "${input.name}" exists already.`);
    }
    await assertHasRole(trx, input.supervisorId, 'supervisor', 'supervisorId');
    await assertHasRole(trx, input.trainerId, 'trainer', 'trainerId');
    await trx
      .updateTable('teams')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.supervisorId !== undefined ? { supervisor_id: input.supervisorId } : {}),
        ...(input.trainerId !== undefined ? { trainer_id: input.trainerId } : {}),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'team.update', targetType: 'team', targetId: id, detail: { ...input } });
  });
  return getTeam(db, id);
}

const toGrant = (g: { id: string; user_id: string; team_id: string; created_at: Date }): GrantSummary => ({
  id: g.id,
  userId: g.user_id,
  teamId: g.team_id,
  createdAt: g.created_at.toISOString(),
});

export async function listGrants(db: Kysely<DB>): Promise<GrantSummary[]> {
  const rows = await db.selectFrom('access_grants').selectAll().orderBy('created_at').execute();
  return rows.map(toGrant);
}

/** QA analysts and trainers see a team's interactions only through a grant. */
export async function createGrant(db: Kysely<DB>, userId: string, teamId: string, actor: Actor): Promise<GrantSummary> {
  return db.transaction().execute(async (trx) => {
    const roles = await trx.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute();
    if (!roles.some((r) => r.role === 'qa' || r.role === 'trainer')) {
      throw new InvalidInput('Grants are for QA analysts and trainers; give the user one of those roles first.');
    }
    if (!(await trx.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst())) throw new NotFound('Team');
    const existing = await trx.selectFrom('access_grants').selectAll().where('user_id', '=', userId).where('team_id', '=', teamId).executeTakeFirst();
    if (existing) return toGrant(existing);
    const row = await trx
      .insertInto('access_grants')
      .values({ user_id: userId, team_id: teamId, created_by: actor.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'grant.create', targetType: 'grant', targetId: row.id, detail: { userId, teamId } });
    return toGrant(row);
  });
}

export async function deleteGrant(db: Kysely<DB>, id: string, actor: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('access_grants').where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new NotFound('Grant');
    await audit(trx, { actorId: actor.id, ip: actor.ip, action: 'grant.delete', targetType: 'grant', targetId: id, detail: { userId: row.user_id, teamId: row.team_id } });
  });
}
