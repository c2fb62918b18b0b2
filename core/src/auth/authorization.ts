import type { Role } from '@duet/protocol';

/**
 * Who someone is, for authorization: roles plus every team relation that grants access.
 * Loaded once per request; the rules below are pure so they can be tested as a table.
 */
export interface Principal {
  userId: string;
  roles: readonly Role[];
  /** teams the user belongs to as a member (agents) */
  memberOfTeamIds: readonly string[];
  /** teams whose supervisor the user is */
  supervisesTeamIds: readonly string[];
  /** teams whose trainer the user is */
  trainsTeamIds: readonly string[];
  /** teams granted explicitly (QA analysts, trainers) */
  grantedTeamIds: readonly string[];
}

/** What authorization needs to know about an interaction. */
export interface InteractionScope {
  agentId: string;
  /** the agent's team when the interaction was recorded */
  teamId: string | null;
  /** on a playlist or exemplar list curated for executives */
  curated: boolean;
}

export type InteractionAction = 'view' | 'score' | 'share';

const has = (p: Principal, role: Role) => p.roles.includes(role);
const inTeams = (teamId: string | null, teams: readonly string[]) => teamId !== null && teams.includes(teamId);

/**
 * May this user view, score or share this interaction? Each role adds what it may do; holding
 * several roles gives the union.
 * - admin: everything
 * - agent: view and self-score their own; never share (sharing is a coaching decision)
 * - supervisor: view, score and share interactions of the teams they supervise
 * - qa: view and score interactions of teams granted to them
 * - trainer: view and share (clips) interactions of teams they train or are granted
 * - executive: view curated interactions only
 */
export function mayAccessInteraction(p: Principal, i: InteractionScope, action: InteractionAction): boolean {
  if (has(p, 'admin')) return true;
  if (has(p, 'agent') && i.agentId === p.userId && (action === 'view' || action === 'score')) return true;
  if (has(p, 'supervisor') && inTeams(i.teamId, p.supervisesTeamIds)) return true;
  if (has(p, 'qa') && inTeams(i.teamId, p.grantedTeamIds) && (action === 'view' || action === 'score')) return true;
  if (has(p, 'trainer') && (inTeams(i.teamId, p.trainsTeamIds) || inTeams(i.teamId, p.grantedTeamIds)) && (action === 'view' || action === 'share')) {
    return true;
  }
  if (has(p, 'executive') && i.curated && action === 'view') return true;
  return false;
}

/** Teams whose interactions a principal may list (null = all teams). Agents list only their own. */
export function visibleTeamIds(p: Principal): readonly string[] | null {
  if (has(p, 'admin')) return null;
  const teams = new Set<string>();
  if (has(p, 'supervisor')) p.supervisesTeamIds.forEach((t) => teams.add(t));
  if (has(p, 'qa')) p.grantedTeamIds.forEach((t) => teams.add(t));
  if (has(p, 'trainer')) [...p.trainsTeamIds, ...p.grantedTeamIds].forEach((t) => teams.add(t));
  return [...teams];
}

export function isAdmin(p: Principal): boolean {
  return has(p, 'admin');
}
