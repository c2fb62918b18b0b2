import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { InteractionListQuery, InteractionSort, InteractionSummary } from '@duet/protocol';
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
  duration_ms: string | number | null;
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
      'i.duration_ms',
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

/**
 * The library's orders, each a list of sort keys ending in the id (unique, so the order is total
 * and a cursor names exactly one place). Every order has an index that starts with its keys
 * (migration 20261123T180000), so a page is an index range scan from the cursor.
 */
type KeyType = 'date' | 'number' | 'text' | 'uuid';
type SortKey = { expr: RawBuilder<unknown>; dir: 'asc' | 'desc'; type: KeyType; of: (r: Row) => string | number };
// Durations still unknown (recording) sort last in both directions: the indexes hold the same expressions.
const LONGEST = sql`coalesce(i.duration_ms, -1)`;
const SHORTEST = sql`coalesce(i.duration_ms, 9007199254740991)`;
const durationOr = (fallback: number) => (r: Row) => (r.duration_ms === null ? fallback : Number(r.duration_ms));
const SORTS: Record<InteractionSort, SortKey[]> = {
  newest: [
    { expr: sql`i.started_at`, dir: 'desc', type: 'date', of: (r) => r.started_at.toISOString() },
    { expr: sql`i.id`, dir: 'desc', type: 'uuid', of: (r) => r.id },
  ],
  oldest: [
    { expr: sql`i.started_at`, dir: 'asc', type: 'date', of: (r) => r.started_at.toISOString() },
    { expr: sql`i.id`, dir: 'asc', type: 'uuid', of: (r) => r.id },
  ],
  longest: [
    { expr: LONGEST, dir: 'desc', type: 'number', of: durationOr(-1) },
    { expr: sql`i.id`, dir: 'desc', type: 'uuid', of: (r) => r.id },
  ],
  shortest: [
    { expr: SHORTEST, dir: 'asc', type: 'number', of: durationOr(9007199254740991) },
    { expr: sql`i.id`, dir: 'asc', type: 'uuid', of: (r) => r.id },
  ],
  agent: [
    { expr: sql`u.display_name`, dir: 'asc', type: 'text', of: (r) => r.agent_name },
    { expr: sql`i.agent_id`, dir: 'asc', type: 'uuid', of: (r) => r.agent_id },
    { expr: sql`i.started_at`, dir: 'desc', type: 'date', of: (r) => r.started_at.toISOString() },
    { expr: sql`i.id`, dir: 'desc', type: 'uuid', of: (r) => r.id },
  ],
};

const encodeCursor = (sort: InteractionSort, r: Row) => Buffer.from(JSON.stringify([sort, ...SORTS[sort].map((k) => k.of(r))])).toString('base64url');

const fits: Record<KeyType, (v: unknown) => boolean> = {
  date: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  number: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  text: (v) => typeof v === 'string' && v.length <= 500,
  uuid: (v) => typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v),
};

function decodeCursor(sort: InteractionSort, cursor: string): unknown[] {
  const keys = SORTS[sort];
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  if (Array.isArray(v) && v[0] !== sort && typeof v[0] === 'string' && v[0] in SORTS) {
    throw new InvalidInput(`This cursor is for the "${String(v[0])}" order, not "${sort}": start the "${sort}" list again without a cursor.`, [{ path: 'cursor', message: 'belongs to another sort' }]);
  }
  if (Array.isArray(v) && v.length === keys.length + 1 && keys.every((k, n) => fits[k.type](v[n + 1]))) {
    return keys.map((k, n) => (k.type === 'date' ? new Date(v[n + 1] as string) : v[n + 1]));
  }
  throw new InvalidInput('The cursor is not one this server gave out; start again without it.', [{ path: 'cursor', message: 'invalid cursor' }]);
}

/**
 * "After the cursor" in a lexicographic order whose keys may change direction (agent A→Z, then
 * newest first): each run of keys in one direction is a row comparison, which PostgreSQL turns
 * into an index bound; the first key's own bound is repeated so the scan starts at the cursor.
 */
function after(keys: SortKey[], values: unknown[]): RawBuilder<boolean> {
  const runs: { dir: 'asc' | 'desc'; exprs: RawBuilder<unknown>[]; values: unknown[] }[] = [];
  keys.forEach((k, n) => {
    const last = runs.at(-1);
    if (last && last.dir === k.dir) {
      last.exprs.push(k.expr);
      last.values.push(values[n]);
    } else runs.push({ dir: k.dir, exprs: [k.expr], values: [values[n]] });
  });
  const row = (xs: unknown[]) => sql`(${sql.join(xs.map((x) => (isRaw(x) ? x : sql.val(x))))})`;
  const build = (i: number): RawBuilder<boolean> => {
    const r = runs[i]!;
    const past = sql<boolean>`${row(r.exprs)} ${sql.raw(r.dir === 'asc' ? '>' : '<')} ${row(r.values)}`;
    if (i === runs.length - 1) return past;
    return sql<boolean>`(${past} OR (${row(r.exprs)} = ${row(r.values)} AND ${build(i + 1)}))`;
  };
  const first = keys[0]!;
  return sql<boolean>`${first.expr} ${sql.raw(first.dir === 'asc' ? '>=' : '<=')} ${values[0]} AND ${build(0)}`;
}
const isRaw = (x: unknown): x is RawBuilder<unknown> => typeof x === 'object' && x !== null && 'toOperationNode' in x;

/** The filters of the library, as conditions on `interactions as i` (shared by the page and its count). */
function filtered(p: Principal, q: InteractionListQuery) {
  return (eb: ExpressionBuilder<DB & { i: DB['interactions'] }, 'i'>) => {
    const and = [];
    if (!isAdmin(p)) and.push(visibleTo(p)(eb));
    if (q.agentId) and.push(eb('i.agent_id', '=', q.agentId));
    if (q.teamId) and.push(eb('i.team_id', '=', q.teamId));
    if (q.status) and.push(eb('i.status', '=', q.status));
    if (q.callId) and.push(eb('i.call_id', '=', q.callId));
    if (q.from) and.push(eb('i.started_at', '>=', new Date(q.from)));
    if (q.to) and.push(eb('i.started_at', '<', new Date(q.to)));
    // Each duration bound is also said of the two sort expressions (which it implies), so a
    // duration-sorted page starts its index scan at the bound instead of filtering up to it.
    if (q.minDurationMs !== undefined) and.push(eb('i.duration_ms', '>=', q.minDurationMs), eb(LONGEST, '>=', q.minDurationMs), eb(SHORTEST, '>=', q.minDurationMs));
    if (q.maxDurationMs !== undefined) and.push(eb('i.duration_ms', '<=', q.maxDurationMs), eb(LONGEST, '<=', q.maxDurationMs));
    return eb.and(and);
  };
}

/**
 * The library's two queries, unexecuted: the page (in the asked order, after the cursor, one row
 * more than the limit to know whether another page follows) and the count of everything matching
 * the filters. Separate so tests can EXPLAIN exactly what the API runs.
 */
export function libraryQueries(db: Kysely<DB>, p: Principal, q: InteractionListQuery) {
  const keys = SORTS[q.sort];
  let page = base(db).where(filtered(p, q)).limit(q.limit + 1);
  for (const k of keys) page = page.orderBy(k.expr, k.dir);
  if (q.cursor) {
    const condition = after(keys, decodeCursor(q.sort, q.cursor));
    page = page.where(() => condition);
  }
  const count = db.selectFrom('interactions as i').select((eb) => eb.fn.countAll<string>().as('n')).where(filtered(p, q));
  return { page, count };
}

/**
 * The interaction library: in the asked order, keyset-paginated, filtered, scoped to what `p` may
 * see, with the number of interactions matching the filters (all pages) for "1–50 of 1,234".
 */
export async function listInteractions(db: Kysely<DB>, p: Principal, q: InteractionListQuery): Promise<{ interactions: InteractionSummary[]; nextCursor: string | null; total: number }> {
  const { page: pageQuery, count: countQuery } = libraryQueries(db, p, q);
  const [rows, count] = await Promise.all([pageQuery.execute() as Promise<Row[]>, countQuery.executeTakeFirstOrThrow()]);
  const page = rows.slice(0, q.limit);
  return { interactions: page.map(toSummary), nextCursor: rows.length > q.limit ? encodeCursor(q.sort, page.at(-1)!) : null, total: Number(count.n) };
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
