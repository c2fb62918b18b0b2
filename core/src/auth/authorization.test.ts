import { describe, expect, it } from 'vitest';
import type { Role } from '@duet/protocol';
import {
  mayAccessInteraction,
  mayEvaluate,
  mayManageSampling,
  mayManageScorecards,
  mayResolveDispute,
  mayRespondToEvaluation,
  mayViewEvaluation,
  mayViewFairness,
  visibleTeamIds,
  type EvaluationScope,
  type InteractionAction,
  type InteractionScope,
  type Principal,
} from './authorization.js';

const TEAM_A = 'team-a';
const TEAM_B = 'team-b';

function who(roles: Role[], rel: Partial<Omit<Principal, 'userId' | 'roles'>> = {}, userId = 'me'): Principal {
  return { userId, roles, memberOfTeamIds: [], supervisesTeamIds: [], trainsTeamIds: [], grantedTeamIds: [], ...rel };
}

const own: InteractionScope = { agentId: 'me', teamId: TEAM_A, curated: false };
const teammate: InteractionScope = { agentId: 'other', teamId: TEAM_A, curated: false };
const otherTeam: InteractionScope = { agentId: 'other', teamId: TEAM_B, curated: false };
const curated: InteractionScope = { agentId: 'other', teamId: TEAM_B, curated: true };

type Row = [string, Principal, InteractionScope, { view: boolean; score: boolean; share: boolean }];

const table: Row[] = [
  ['admin sees all', who(['admin']), otherTeam, { view: true, score: true, share: true }],
  ['agent: own', who(['agent'], { memberOfTeamIds: [TEAM_A] }), own, { view: true, score: true, share: false }],
  ['agent: teammate', who(['agent'], { memberOfTeamIds: [TEAM_A] }), teammate, { view: false, score: false, share: false }],
  ['agent: curated is not theirs', who(['agent']), curated, { view: false, score: false, share: false }],
  ['supervisor: own team', who(['supervisor'], { supervisesTeamIds: [TEAM_A] }), teammate, { view: true, score: true, share: true }],
  ['supervisor: other team', who(['supervisor'], { supervisesTeamIds: [TEAM_A] }), otherTeam, { view: false, score: false, share: false }],
  ['supervisor as member only', who(['supervisor'], { memberOfTeamIds: [TEAM_A] }), teammate, { view: false, score: false, share: false }],
  ['qa: granted team', who(['qa'], { grantedTeamIds: [TEAM_A] }), teammate, { view: true, score: true, share: false }],
  ['qa: no grant', who(['qa']), teammate, { view: false, score: false, share: false }],
  ['trainer: trains team', who(['trainer'], { trainsTeamIds: [TEAM_B] }), otherTeam, { view: true, score: false, share: true }],
  ['trainer: granted team', who(['trainer'], { grantedTeamIds: [TEAM_A] }), teammate, { view: true, score: false, share: true }],
  ['trainer: neither', who(['trainer']), teammate, { view: false, score: false, share: false }],
  ['executive: curated', who(['executive']), curated, { view: true, score: false, share: false }],
  ['executive: not curated', who(['executive']), otherTeam, { view: false, score: false, share: false }],
  ['grant without role gives nothing', who(['agent'], { grantedTeamIds: [TEAM_A], trainsTeamIds: [TEAM_A], supervisesTeamIds: [TEAM_A] }), teammate, { view: false, score: false, share: false }],
  ['agent+supervisor union', who(['agent', 'supervisor'], { supervisesTeamIds: [TEAM_B] }), otherTeam, { view: true, score: true, share: true }],
  ['unassigned interaction: only admin', who(['supervisor', 'qa', 'trainer'], { supervisesTeamIds: [TEAM_A], grantedTeamIds: [TEAM_A] }), { agentId: 'x', teamId: null, curated: false }, { view: false, score: false, share: false }],
];

describe('mayAccessInteraction', () => {
  for (const [name, principal, scope, expected] of table) {
    for (const action of ['view', 'score', 'share'] as InteractionAction[]) {
      it(`${name} → ${action}: ${expected[action] ? 'allowed' : 'denied'}`, () => {
        expect(mayAccessInteraction(principal, scope, action)).toBe(expected[action]);
      });
    }
  }
});

describe('visibleTeamIds', () => {
  it('is everything for admins and the union of relations for others', () => {
    expect(visibleTeamIds(who(['admin']))).toBeNull();
    expect(visibleTeamIds(who(['agent'], { memberOfTeamIds: [TEAM_A] }))).toEqual([]);
    expect([...(visibleTeamIds(who(['supervisor', 'trainer'], { supervisesTeamIds: [TEAM_A], trainsTeamIds: [TEAM_B] })) ?? [])].sort()).toEqual([TEAM_A, TEAM_B]);
    expect(visibleTeamIds(who(['qa'], { supervisesTeamIds: [TEAM_A] }))).toEqual([]);
  });
});

describe('mayEvaluate', () => {
  type E = [string, Principal, InteractionScope, { supervisor: boolean; self: boolean; calibration: boolean }];
  const rows: E[] = [
    ['admin: any other agent', who(['admin']), otherTeam, { supervisor: true, self: false, calibration: true }],
    ['agent: own interaction, self only', who(['agent'], { memberOfTeamIds: [TEAM_A] }), own, { supervisor: false, self: true, calibration: false }],
    ['agent: teammate, nothing', who(['agent'], { memberOfTeamIds: [TEAM_A] }), teammate, { supervisor: false, self: false, calibration: false }],
    ['supervisor: own team', who(['supervisor'], { supervisesTeamIds: [TEAM_A] }), teammate, { supervisor: true, self: false, calibration: true }],
    ['supervisor: other team', who(['supervisor'], { supervisesTeamIds: [TEAM_A] }), otherTeam, { supervisor: false, self: false, calibration: false }],
    ['qa: granted team', who(['qa'], { grantedTeamIds: [TEAM_A] }), teammate, { supervisor: true, self: false, calibration: true }],
    ['qa: not granted', who(['qa'], { grantedTeamIds: [TEAM_B] }), teammate, { supervisor: false, self: false, calibration: false }],
    ['trainer: views but does not score', who(['trainer'], { trainsTeamIds: [TEAM_A] }), teammate, { supervisor: false, self: false, calibration: false }],
    ['executive: never', who(['executive']), curated, { supervisor: false, self: false, calibration: false }],
    ['supervisor who is also the agent: only self', who(['agent', 'supervisor'], { supervisesTeamIds: [TEAM_A] }), own, { supervisor: false, self: true, calibration: false }],
    ['admin on own interaction without agent role: nothing', who(['admin']), own, { supervisor: false, self: false, calibration: false }],
  ];
  for (const [name, p, i, want] of rows) {
    for (const kind of ['supervisor', 'self', 'calibration'] as const) {
      it(`${name} → ${kind}: ${want[kind] ? 'allowed' : 'denied'}`, () => expect(mayEvaluate(p, i, kind)).toBe(want[kind]));
    }
  }
});

describe('evaluation visibility, responses and disputes', () => {
  const ev = (over: Partial<EvaluationScope> = {}): EvaluationScope => ({
    kind: 'supervisor',
    state: 'submitted',
    agentId: 'agent-1',
    teamId: TEAM_A,
    evaluatorId: 'sup-1',
    ...over,
  });
  const agent = who(['agent'], { memberOfTeamIds: [TEAM_A] }, 'agent-1');
  const otherAgent = who(['agent'], { memberOfTeamIds: [TEAM_A] }, 'agent-2');
  const evaluator = who(['supervisor'], { supervisesTeamIds: [TEAM_A] }, 'sup-1');
  const otherSupervisor = who(['supervisor'], { supervisesTeamIds: [TEAM_A] }, 'sup-2');
  const farSupervisor = who(['supervisor'], { supervisesTeamIds: [TEAM_B] }, 'sup-3');
  const qa = who(['qa'], { grantedTeamIds: [TEAM_A] }, 'qa-1');
  const trainer = who(['trainer'], { trainsTeamIds: [TEAM_A] }, 'tr-1');
  const admin = who(['admin'], {}, 'admin-1');
  const exec = who(['executive'], {}, 'ex-1');
  const calib = (revealed: boolean) => ev({ kind: 'calibration', evaluatorId: 'qa-1', calibration: { ownerId: 'sup-2', revealed, participantIds: ['qa-1', 'sup-1'] } });

  type V = [string, Principal, EvaluationScope, boolean];
  const view: V[] = [
    ['evaluator sees own draft', evaluator, ev({ state: 'draft' }), true],
    ['agent does not see a draft', agent, ev({ state: 'draft' }), false],
    ['another supervisor does not see a draft', otherSupervisor, ev({ state: 'draft' }), false],
    ['admin does not see someone else\'s draft', admin, ev({ state: 'draft' }), false],
    ['agent sees own submitted', agent, ev(), true],
    ['agent sees own after dispute', agent, ev({ state: 'disputed' }), true],
    ['other agent never', otherAgent, ev(), false],
    ['team supervisor', otherSupervisor, ev(), true],
    ['supervisor of another team', farSupervisor, ev(), false],
    ['qa with grant', qa, ev(), true],
    ['trainer of the team', trainer, ev(), true],
    ['executive', exec, ev(), false],
    ['admin', admin, ev(), true],
    ['dispute reviewer from another team', farSupervisor, ev({ state: 'disputed', reviewerId: 'sup-3' }), true],
    ['self-evaluation submitted: supervisor sees it', otherSupervisor, ev({ kind: 'self', evaluatorId: 'agent-1' }), true],
    ['self-evaluation draft: supervisor does not', otherSupervisor, ev({ kind: 'self', evaluatorId: 'agent-1', state: 'draft' }), false],
    ['calibration before reveal: own', qa, calib(false), true],
    ['calibration before reveal: other participant', evaluator, calib(false), false],
    ['calibration before reveal: owner', otherSupervisor, calib(false), false],
    ['calibration before reveal: admin', admin, calib(false), false],
    ['calibration revealed: other participant', evaluator, calib(true), true],
    ['calibration revealed: owner', otherSupervisor, calib(true), true],
    ['calibration revealed: admin', admin, calib(true), true],
    ['calibration revealed: the agent never', agent, calib(true), false],
    ['calibration revealed: team supervisor not in it', farSupervisor, calib(true), false],
  ];
  for (const [name, p, e, want] of view) it(`view: ${name} → ${want}`, () => expect(mayViewEvaluation(p, e)).toBe(want));

  const respond: V[] = [
    ['the agent', agent, ev(), true],
    ['another agent', otherAgent, ev(), false],
    ['the evaluator', evaluator, ev(), false],
    ['admin', admin, ev(), false],
    ['the agent on a self-evaluation', agent, ev({ kind: 'self', evaluatorId: 'agent-1' }), false],
    ['the agent on a calibration', agent, calib(true), false],
  ];
  for (const [name, p, e, want] of respond) it(`respond: ${name} → ${want}`, () => expect(mayRespondToEvaluation(p, e)).toBe(want));

  const resolve: V[] = [
    ['another supervisor of the team', otherSupervisor, ev(), true],
    ['qa with grant', qa, ev(), true],
    ['admin', admin, ev(), true],
    ['the evaluator', evaluator, ev(), false],
    ['the agent', agent, ev(), false],
    ['a supervisor of another team', farSupervisor, ev(), false],
    ['a trainer', trainer, ev(), false],
    ['an admin who evaluated it', who(['admin'], {}, 'sup-1'), ev(), false],
  ];
  for (const [name, p, e, want] of resolve) it(`resolve dispute: ${name} → ${want}`, () => expect(mayResolveDispute(p, e)).toBe(want));

  it('scorecards and sampling: admins and QA; fairness also supervisors', () => {
    expect([admin, qa, evaluator, agent, trainer, exec].map(mayManageScorecards)).toEqual([true, true, false, false, false, false]);
    expect([admin, qa, evaluator, agent, trainer, exec].map(mayManageSampling)).toEqual([true, true, false, false, false, false]);
    expect([admin, qa, evaluator, agent, trainer, exec].map(mayViewFairness)).toEqual([true, true, true, false, false, false]);
  });
});
