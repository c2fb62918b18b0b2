import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { InteractionListQuery, InteractionSummary } from '@duet/protocol';
import { isAdmin, mayAccessInteraction, visibleTeamIds, type Principal } from '../auth/authorization.js';
import type { DB } from '../db/schema.js';
import { InvalidInput, NotFound } from '../errors.js';

type Row = {
  id: string;
  agent_id: string;
  agent_name: string;
  team_id: string | null;
  team_name: string | null;
  call_id: string | null;
  direction: 'inbound' | 'outbound' | null;
  status: InteractionSummary['status'];
  end_reason: 'ended' | 'idle-timeout' | null;
  started_at: Date;
  ended_at: Date | null;
};

const toSummary = (r: Row): InteractionSummary => ({
  id: r.id,
  agentId: r.agent_id,
  agentName: r.agent_name,
  teamId: r.team_id,
  teamName: r.team_name,
  callId: r.call_id,
  direction: r.direction,
  status: r.status,
  endReason: r.end_reason,
  startedAt: r.started_at.toISOString(),
  endedAt: r.ended_at?.toISOString() ?? null,
  durationMs: r.ended_at ? r.ended_at.getTime() - r.started_at.getTime() : null,
});

function base(db: Kysely<DB>) {
  return db
    .selectFrom('interactions as i')
    .innerJoin('users as u', 'u.id', 'i.agent_id')
    .leftJoin('teams as t', 't.id', 'i.team_id')
    .select([
      'i.id',
      'i.agent_id',
      'u.display_name as agent_name',
      'i.team_id',
      't.name as team_name',
      'i.call_id',
      'i.direction',
      'i.status',
      'i.end_reason',
      'i.started_at',
      'i.ended_at',
    ]);
}

/**
 * What a principal may list, as SQL: the same rules as `mayAccessInteraction` for 'view'
 * (agents their own, supervisors/QA/trainers their teams, admins all), pushed into the query so
 * pagination and counts never see rows the user may not.
 */
function visibleTo(p: Principal) {
  return (eb: ExpressionBuilder<DB & { i: DB['interactions'] }, 'i'>) => {
    const ors = [];
    if (p.roles.includes('agent')) ors.push(eb('i.agent_id', '=', p.userId));
    const teams = visibleTeamIds(p) ?? [];
    if (teams.length) ors.push(eb('i.team_id', 'in', teams));
    return ors.length ? eb.or(ors) : eb.val(false);
  };
}

const encodeCursor = (r: Row) => Buffer.from(JSON.stringify([r.started_at.toISOString(), r.id])).toString('base64url');
function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && typeof v[1] === 'string' && /^[0-9a-f-]{36}$/.test(v[1])) {
      return [v[0], v[1]];
    }
  } catch {
    /* fall through */
  }
  throw new InvalidInput('The cursor is not one this server gave out; start again without it.', [{ path: 'cursor', message: 'invalid cursor' }]);
}

/** The filters of the library, as conditions on `interactions as i` (shared by the page and its count). */
function filtered(p: Principal, q: InteractionListQuery) {
  const duration = sql<number>`extract(epoch from (i.ended_at - i.started_at)) * 1000`;
  return (eb: ExpressionBuilder<DB & { i: DB['interactions'] }, 'i'>) => {
    const and = [];
    if (!isAdmin(p)) and.push(visibleTo(p)(eb));
    if (q.agentId) and.push(eb('i.agent_id', '=', q.agentId));
    if (q.teamId) and.push(eb('i.team_id', '=', q.teamId));
    if (q.status) and.push(eb('i.status', '=', q.status));
    if (q.callId) and.push(eb('i.call_id', '=', q.callId));
    if (q.from) and.push(eb('i.started_at', '>=', new Date(q.from)));
    if (q.to) and.push(eb('i.started_at', '<', new Date(q.to)));
    if (q.minDurationMs !== undefined) and.push(eb(duration, '>=', q.minDurationMs));
    if (q.maxDurationMs !== undefined) and.push(eb(duration, '<=', q.maxDurationMs));
    return eb.and(and);
  };
}

/**
 * The interaction library: newest first, keyset-paginated, filtered, scoped to what `p` may see,
 * with the number of interactions matching the filters (all pages) for "1–50 of 1,234".
 */
export async function listInteractions(db: Kysely<DB>, p: Principal, q: InteractionListQuery): Promise<{ interactions: InteractionSummary[]; nextCursor: string | null; total: number }> {
  let query = base(db).where(filtered(p, q)).orderBy('i.started_at', 'desc').orderBy('i.id', 'desc').limit(q.limit + 1);
  if (q.cursor) {
    const [at, id] = decodeCursor(q.cursor);
    query = query.where((eb) => eb.or([eb('i.started_at', '<', new Date(at)), eb.and([eb('i.started_at', '=', new Date(at)), eb('i.id', '<', id)])]));
  }
  const [rows, count] = await Promise.all([
    query.execute() as Promise<Row[]>,
    db.selectFrom('interactions as i').select((eb) => eb.fn.countAll<string>().as('n')).where(filtered(p, q)).executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, q.limit);
  return { interactions: page.map(toSummary), nextCursor: rows.length > q.limit ? encodeCursor(page.at(-1)!) : null, total: Number(count.n) };
}

/**
 * One interaction if `p` may view it. Anything else is "not found", so nobody learns that an
 * interaction they may not see exists.
 */
export async function getInteraction(db: Kysely<DB>, p: Principal, id: string): Promise<InteractionSummary> {
  const row = (await base(db).where('i.id', '=', id).executeTakeFirst()) as Row | undefined;
  if (!row || !mayAccessInteraction(p, { agentId: row.agent_id, teamId: row.team_id, curated: false }, 'view')) throw new NotFound('Interaction');
  return toSummary(row);
}
