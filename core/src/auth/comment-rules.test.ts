import { describe, expect, it } from 'vitest';
import type { Role } from '@duet/protocol';
import { mayComment, mayEditComment, mayViewComment, type CommentScope, type InteractionScope, type Principal } from './authorization.js';

const TEAM = 'team-a';
function who(roles: Role[], rel: Partial<Omit<Principal, 'userId' | 'roles'>> = {}, userId = 'me'): Principal {
  return { userId, roles, memberOfTeamIds: [], supervisesTeamIds: [], trainsTeamIds: [], grantedTeamIds: [], ...rel };
}
const call: InteractionScope = { agentId: 'agent-1', teamId: TEAM, curated: false };
const curated: InteractionScope = { ...call, curated: true };
const mine = (visibility: CommentScope['visibility']): CommentScope => ({ authorId: 'me', visibility });
const theirs = (visibility: CommentScope['visibility']): CommentScope => ({ authorId: 'someone-else', visibility });

// [who, interaction, may comment, sees another's private, sees another's agent-visible]
const table: [string, Principal, InteractionScope, boolean, boolean, boolean][] = [
  ['supervisor of the team', who(['supervisor'], { supervisesTeamIds: [TEAM] }), call, true, true, true],
  ['supervisor of another team', who(['supervisor'], { supervisesTeamIds: ['team-b'] }), call, false, false, false],
  ['QA analyst granted the team', who(['qa'], { grantedTeamIds: [TEAM] }), call, true, true, true],
  ['trainer of the team', who(['trainer'], { trainsTeamIds: [TEAM] }), call, true, true, true],
  ['admin', who(['admin']), call, true, true, true],
  ['the agent of the call', who(['agent'], { memberOfTeamIds: [TEAM] }, 'agent-1'), call, false, false, true],
  ['the agent, also supervising the team', who(['agent', 'supervisor'], { supervisesTeamIds: [TEAM] }, 'agent-1'), call, false, false, true],
  ['a teammate agent', who(['agent'], { memberOfTeamIds: [TEAM] }), call, false, false, false],
  ['executive on a curated call', who(['executive']), curated, false, false, true],
];

describe('comment rules', () => {
  it.each(table)('%s', (_name, p, i, comment, seesPrivate, seesVisible) => {
    expect(mayComment(p, i)).toBe(comment);
    expect(mayViewComment(p, i, theirs('private'))).toBe(seesPrivate);
    expect(mayViewComment(p, i, theirs('agent'))).toBe(seesVisible);
    expect(mayEditComment(p, i, theirs('agent'))).toBe(false);
  });

  it('the author sees and edits their own only while they may still comment on the call', () => {
    const sofia = who(['supervisor'], { supervisesTeamIds: [TEAM] });
    expect(mayEditComment(sofia, call, mine('private'))).toBe(true);
    expect(mayViewComment(sofia, call, mine('private'))).toBe(true);
    const moved = who(['supervisor'], { supervisesTeamIds: ['team-b'] });
    expect(mayEditComment(moved, call, mine('private'))).toBe(false);
    expect(mayViewComment(moved, call, mine('private'))).toBe(false);
  });
});
