import { describe, expect, it } from 'vitest';
import type { Role } from '@duet/protocol';
import { mayAccessInteraction, visibleTeamIds, type InteractionAction, type InteractionScope, type Principal } from './authorization.js';

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
