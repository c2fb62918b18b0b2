import type { Kysely } from 'kysely';
import type { EvaluatorOption } from '@duet/protocol';
import { mayEvaluate, mayViewFairness, type Principal } from '../auth/authorization.js';
import { loadPrincipal } from '../auth/principal.js';
import type { DB } from '../db/schema.js';
import { Forbidden } from '../errors.js';
import { visibleInteraction } from './common.js';

const EVALUATOR_ROLES = ['admin', 'qa', 'supervisor'] as const;

/**
 * The people a calibration session or a sampling plan may name: active users with the
 * supervisor, QA or admin role. With an interaction, only those who may score it (the same rule
 * `createCalibration` applies), so the picker never offers someone the server would refuse.
 * Asked by the people who run calibration and sampling (the same roles); the user list itself
 * stays an admin page.
 */
export async function listEvaluators(db: Kysely<DB>, p: Principal, opts: { interactionId?: string } = {}): Promise<EvaluatorOption[]> {
  if (!mayViewFairness(p)) throw new Forbidden('Choosing evaluators is for supervisors, QA analysts and admins.');
  const interaction = opts.interactionId ? await visibleInteraction(db, p, opts.interactionId) : null;
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.display_name', 'r.role'])
    .where('u.disabled', '=', false)
    .where('r.role', 'in', [...EVALUATOR_ROLES])
    .orderBy('u.display_name')
    .execute();
  const byId = new Map<string, EvaluatorOption>();
  for (const r of rows) {
    const e = byId.get(r.id) ?? { id: r.id, displayName: r.display_name, roles: [] };
    e.roles.push(r.role);
    byId.set(r.id, e);
  }
  const all = [...byId.values()];
  if (!interaction) return all;
  const allowed = await Promise.all(all.map(async (e) => mayEvaluate(await loadPrincipal(db, e.id), interaction, 'calibration')));
  return all.filter((_, i) => allowed[i]);
}
