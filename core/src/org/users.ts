import type { Kysely } from 'kysely';
import type { CreateUserRequest, Role, UpdateUserRequest, UserSummary } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { hashPassword } from '../auth/passwords.js';
import type { DB } from '../db/schema.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';

export interface Actor {
  id: string | null;
  ip?: string | null;
}

/** Users with their roles and team memberships, in the API's shape. */
export async function listUsers(db: Kysely<DB>, ids?: string[]): Promise<UserSummary[]> {
  let q = db.selectFrom('users').selectAll().orderBy('username');
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('id', 'in', ids);
  }
  const users = await q.execute();
  if (users.length === 0) return [];
  const userIds = users.map((u) => u.id);
  const [roles, members] = await Promise.all([
    db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', userIds).execute(),
    db.selectFrom('team_members').select(['user_id', 'team_id']).where('user_id', 'in', userIds).execute(),
  ]);
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    roles: roles.filter((r) => r.user_id === u.id).map((r) => r.role).sort(),
    employmentType: u.employment_type,
    teamIds: members.filter((m) => m.user_id === u.id).map((m) => m.team_id).sort(),
    disabled: u.disabled,
    createdAt: u.created_at.toISOString(),
  }));
}

export async function getUser(db: Kysely<DB>, id: string): Promise<UserSummary> {
  const [user] = await listUsers(db, [id]);
  if (!user) throw new NotFound('User');
  return user;
}

async function assertTeamsExist(db: Kysely<DB>, teamIds: string[]): Promise<void> {
  if (teamIds.length === 0) return;
  const found = await db.selectFrom('teams').select('id').where('id', 'in', teamIds).execute();
  const missing = teamIds.filter((t) => !found.some((f) => f.id === t));
  if (missing.length) throw new InvalidInput(`Unknown team id(s): ${missing.join(', ')}. Create the team first or fix the id.`);
}

async function setRoles(db: Kysely<DB>, userId: string, roles: Role[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  const unique = [...new Set(roles)];
  if (unique.length) await db.insertInto('user_roles').values(unique.map((role) => ({ user_id: userId, role }))).execute();
}

async function setTeams(db: Kysely<DB>, userId: string, teamIds: string[]): Promise<void> {
  await db.deleteFrom('team_members').where('user_id', '=', userId).execute();
  const unique = [...new Set(teamIds)];
  if (unique.length) await db.insertInto('team_members').values(unique.map((team_id) => ({ team_id, user_id: userId }))).execute();
}

export async function createUser(db: Kysely<DB>, input: CreateUserRequest, actor: Actor): Promise<UserSummary> {
  const passwordHash = await hashPassword(input.password);
  const id = await db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (taken) throw new Conflict(`The username "${input.username}" is taken; choose another.`);
    await assertTeamsExist(trx, input.teamIds);
    const user = await trx
      .insertInto('users')
      .values({
        username: input.username,
        display_name: input.displayName,
        password_hash: passwordHash,
        employment_type: input.employmentType ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setRoles(trx, user.id, input.roles);
    await setTeams(trx, user.id, input.teamIds);
    await audit(trx, {
      actorId: actor.id,
      ip: actor.ip,
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      detail: { username: input.username, roles: input.roles, teamIds: input.teamIds },
    });
    return user.id;
  });
  return getUser(db, id);
}

export async function updateUser(db: Kysely<DB>, id: string, input: UpdateUserRequest, actor: Actor): Promise<UserSummary> {
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!existing) throw new NotFound('User');
    if (actor.id === id && (input.disabled === true || (input.roles && !input.roles.includes('admin')))) {
      const isAdmin = await trx.selectFrom('user_roles').select('role').where('user_id', '=', id).where('role', '=', 'admin').executeTakeFirst();
      if (isAdmin) throw new InvalidInput('You cannot disable yourself or remove your own admin role; ask another admin.');
    }
    const set: Record<string, unknown> = {};
    if (input.displayName !== undefined) set.display_name = input.displayName;
    if (passwordHash) set.password_hash = passwordHash;
    if (input.employmentType !== undefined) set.employment_type = input.employmentType;
    if (input.disabled !== undefined) set.disabled = input.disabled;
    await trx.updateTable('users').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    if (input.roles) await setRoles(trx, id, input.roles);
    if (input.teamIds) {
      await assertTeamsExist(trx, input.teamIds);
      await setTeams(trx, id, input.teamIds);
    }
    // Changing the password or disabling ends every session of that user.
    if (passwordHash || input.disabled === true) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    const { password: _password, ...shown } = input;
    await audit(trx, {
      actorId: actor.id,
      ip: actor.ip,
      action: 'user.update',
      targetType: 'user',
      targetId: id,
      detail: { ...shown, ...(passwordHash ? { passwordChanged: true } : {}) },
    });
  });
  return getUser(db, id);
}
