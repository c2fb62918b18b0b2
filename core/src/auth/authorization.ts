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

// ─── coaching comments ────────────────────────────────────────────────────────────────────────

/** What authorization needs to know about a comment on an interaction. */
export interface CommentScope {
  authorId: string | null;
  visibility: 'private' | 'agent';
}

/**
 * Who may pin a coaching comment to an interaction: the reviewers who may see it (supervisors,
 * QA analysts, trainers, admins), never its own agent (coaching is given, not self-written) and
 * not executives (they listen to curated calls; they do not coach).
 */
export function mayComment(p: Principal, i: InteractionScope): boolean {
  if (i.agentId === p.userId) return false;
  if (!(has(p, 'admin') || has(p, 'supervisor') || has(p, 'qa') || has(p, 'trainer'))) return false;
  return mayAccessInteraction({ ...p, roles: p.roles.filter((r) => r !== 'executive') }, i, 'view');
}

/**
 * Who sees a comment: its author while they may still see the interaction; `agent` comments
 * everyone who may view the interaction; `private` ones only reviewers, never the interaction's
 * agent (whatever other roles the agent holds).
 */
export function mayViewComment(p: Principal, i: InteractionScope, c: CommentScope): boolean {
  if (!mayAccessInteraction(p, i, 'view')) return false;
  if (c.authorId === p.userId || c.visibility === 'agent') return true;
  return mayComment(p, i);
}

/** Only the author edits or deletes a comment, and only while they may still comment there. */
export function mayEditComment(p: Principal, i: InteractionScope, c: CommentScope): boolean {
  return c.authorId === p.userId && mayComment(p, i);
}

// ─── quality scoring ──────────────────────────────────────────────────────────────────────────

/** What authorization needs to know about an evaluation. */
export interface EvaluationScope {
  kind: 'supervisor' | 'self' | 'calibration';
  state: 'draft' | 'submitted' | 'acknowledged' | 'disputed' | 'resolved';
  agentId: string;
  /** the interaction's team */
  teamId: string | null;
  evaluatorId: string;
  /** calibration evaluations: the session's owner, whether it is revealed, who takes part */
  calibration?: { ownerId: string; revealed: boolean; participantIds: readonly string[] };
  /** the reviewer of a dispute on this evaluation, if any */
  reviewerId?: string | null;
}

const interactionOf = (e: { agentId: string; teamId: string | null }): InteractionScope => ({ agentId: e.agentId, teamId: e.teamId, curated: false });

/**
 * May this user start an evaluation of this interaction?
 * - self: only the interaction's own agent
 * - supervisor (supervisors, QA analysts, admins): whoever may score the interaction, but never
 *   their own interaction, which is what self-evaluation is for
 * Calibration participants and session owners need the same as a supervisor evaluation.
 */
export function mayEvaluate(p: Principal, i: InteractionScope, kind: 'supervisor' | 'self' | 'calibration'): boolean {
  if (kind === 'self') return has(p, 'agent') && i.agentId === p.userId;
  return i.agentId !== p.userId && mayAccessInteraction(p, i, 'score');
}

/**
 * Who sees an evaluation:
 * - its evaluator, always (their own work, drafts included)
 * - drafts: nobody else; the agent is told only once it is submitted
 * - calibration: blind until the session is revealed, then its owner, participants and admins;
 *   never the agent (calibration measures evaluators, not the agent)
 * - otherwise: the agent (their own), whoever may view the interaction as supervisor, QA analyst,
 *   trainer or admin, and the reviewer of a dispute on it
 */
export function mayViewEvaluation(p: Principal, e: EvaluationScope): boolean {
  if (e.evaluatorId === p.userId) return true;
  if (e.state === 'draft') return false;
  if (e.kind === 'calibration') {
    const c = e.calibration;
    if (!c?.revealed) return false;
    return has(p, 'admin') || c.ownerId === p.userId || c.participantIds.includes(p.userId);
  }
  if (e.reviewerId && e.reviewerId === p.userId) return true;
  return mayAccessInteraction(p, interactionOf(e), 'view');
}

/** Acknowledge or dispute: only the evaluated agent, and only a supervisor (not self or calibration) evaluation. */
export function mayRespondToEvaluation(p: Principal, e: EvaluationScope): boolean {
  return e.kind === 'supervisor' && e.agentId === p.userId && has(p, 'agent');
}

/**
 * Who may decide a dispute: someone who may score the interaction, other than the evaluator
 * (nobody reviews their own work) and other than the agent.
 */
export function mayResolveDispute(p: Principal, e: EvaluationScope): boolean {
  return p.userId !== e.evaluatorId && p.userId !== e.agentId && mayAccessInteraction(p, interactionOf(e), 'score');
}

/** Scorecards are written by admins and QA analysts; everyone signed in may read them (agents self-evaluate). */
export function mayManageScorecards(p: Principal): boolean {
  return has(p, 'admin') || has(p, 'qa');
}

/** Sampling plans decide who is evaluated how often: admins and QA analysts. */
export function mayManageSampling(p: Principal): boolean {
  return has(p, 'admin') || has(p, 'qa');
}

/** Fairness counts: admins, QA analysts and supervisors, for the teams they may see. */
export function mayViewFairness(p: Principal): boolean {
  return has(p, 'admin') || has(p, 'qa') || has(p, 'supervisor');
}
