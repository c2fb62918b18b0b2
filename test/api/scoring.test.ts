import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CalibrationHistory, CalibrationSessionView, EvaluationComparison, EvaluationDetail, Evaluation, ScorecardSummary, ScoringQueue } from '@duet/protocol';
import { signedInAs, startTestServer, type ApiClient, type TestServer } from '../harness/app.js';

/**
 * Quality scoring end to end through the REST API, on PGlite and on PostgreSQL: scorecards and
 * versions, the evaluation life cycle, disputes, self-evaluation, calibration, and the refusals
 * (each leaves every scoring table and the audit log exactly as they were).
 */

const SCORING_TABLES = [
  'scorecards',
  'scorecard_versions',
  'evaluations',
  'evaluation_events',
  'disputes',
  'calibration_sessions',
  'calibration_participants',
  'sampling_plans',
  'sampling_assignments',
];

/** Every row of every scoring table plus the non-login audit entries, for before/after comparisons. */
async function snapshot(server: TestServer): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of SCORING_TABLES) {
    const r = await sql<{ r: unknown }>`select to_jsonb(x) as r from ${sql.table(t)} x`.execute(server.core.db);
    out[t] = r.rows.map((x) => JSON.stringify(x.r)).sort();
  }
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log where action not like 'auth.%'`.execute(server.core.db);
  out.audit = [String(audit.rows[0]!.n)];
  return out;
}

const PERFECT = {
  'accurate-information': { value: true },
  'relevant-options': { value: 5 },
  ownership: { value: 5 },
  'extra-step': { value: true },
  'active-listening': { value: 5 },
  'acknowledged-feelings': { value: true },
  'confirmed-need': { value: true },
  'set-expectations': { value: 'clear' },
  courteous: { value: true },
  'no-blame': { value: true },
  resolution: { value: 'first-contact' },
  'verified-identity': { na: true },
};

async function seedInteractions(server: TestServer) {
  const db = server.core.db;
  const users = await db.selectFrom('users').select(['id', 'username']).execute();
  const members = await db.selectFrom('team_members').select(['user_id', 'team_id']).execute();
  const id = (u: string) => users.find((x) => x.username === u)!.id;
  const teamOf = (u: string) => members.find((m) => m.user_id === id(u))!.team_id;
  const calls: Record<string, string[]> = {};
  const base = Date.parse('2026-11-16T09:00:00Z');
  let n = 0;
  for (const agent of ['alex', 'blair', 'casey', 'devon']) {
    calls[agent] = [];
    for (let k = 0; k < 4; k++) {
      const iid = randomUUID();
      calls[agent].push(iid);
      const startedAt = new Date(base + n++ * 3_600_000);
      await db
        .insertInto('interactions')
        .values({
          id: iid,
          agent_id: id(agent),
          team_id: teamOf(agent),
          call_id: `PBX-${n}`,
          direction: 'inbound',
          status: k === 3 ? 'recording' : 'ready',
          end_reason: k === 3 ? null : 'ended',
          started_at: startedAt,
          ended_at: k === 3 ? null : new Date(startedAt.getTime() + 600_000),
          timeline_ms: k === 3 ? null : 600_000,
        })
        .execute();
    }
  }
  return { id, calls };
}

const pgUrl = inject('postgresAdminUrl');
/** The harness client has no PUT shorthand. */
const put = (c: ApiClient, url: string, body: unknown) => c.request('PUT', url, body);

for (const database of ['pglite', 'postgres'] as const) {
  describe.skipIf(database === 'postgres' && !pgUrl)(`scoring API on ${database}`, () => {
    let server: TestServer;
    let userId: (u: string) => string;
    let calls: Record<string, string[]>;
    let beSure: string;
    const as = signedInAs(() => server.url);
    /** Runs a request that must be refused, and checks that it changed nothing. */
    const refused = async (req: () => Promise<{ status: number; body: { error: string; message: string; issues?: { path: string }[] } }>, status: number) => {
      const before = await snapshot(server);
      const r = await req();
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.message.length).toBeGreaterThan(10);
      expect(await snapshot(server)).toEqual(before);
      return r.body;
    };

    beforeAll(async () => {
      server = await startTestServer({ database });
      ({ id: userId, calls } = await seedInteractions(server));
      const cards = (await (await as('quinn')).get('/api/scoring/scorecards')).body.scorecards;
      beSure = cards.find((c: { builtIn: string | null }) => c.builtIn === 'be-sure').id;
    });
    afterAll(async () => server?.stop());

    it('seeds the BE SURE example, published, readable by everyone, managed by admins and QA only', async () => {
      const alex = await as('alex');
      const card = (await alex.get(`/api/scoring/scorecards/${beSure}`)).body;
      ScorecardSummary.parse(card);
      expect(card).toMatchObject({ name: 'BE SURE (example)', status: 'active', publishedVersion: 1, draftVersion: null, builtIn: 'be-sure' });
      expect(card.versions[0].definition.sections.map((s: { title: string }) => s.title[0])).toEqual(['B', 'E', 'S', 'U', 'R', 'E']);
      await refused(() => alex.post('/api/scoring/scorecards', { definition: card.versions[0].definition }), 403);
      await refused(() => put(alex, `/api/scoring/scorecards/${beSure}`, { definition: card.versions[0].definition }), 403);
      // Adding the example again finds the first.
      expect((await (await as('admin')).post('/api/scoring/scorecards/examples/be-sure', {})).status).toBe(200);
    });

    it('versions scorecards: a published version never changes, edits make a new version, evaluations keep theirs', async () => {
      const quinn = await as('quinn');
      const sofia = await as('sofia');
      const def = (name: string, weight: number) => ({
        name,
        sections: [{ id: 'basics', title: 'Basics', questions: [{ id: 'greeting', text: 'Greeted the customer', type: 'yes_no', weight }, { id: 'tone', text: 'Tone', type: 'scale', scale: { min: 1, max: 5 }, weight: 10 }] }],
      });
      const bad = await refused(() => quinn.post('/api/scoring/scorecards', { definition: { name: 'x', sections: [{ id: 's', title: 'S', questions: [{ id: 'q', text: 'Q', type: 'scale', weight: 1 }] }] } }), 400);
      expect(bad.issues!.map((i) => i.path)).toContain('definition.sections.0.questions.0.scale');
      const created = await quinn.post('/api/scoring/scorecards', { definition: def('Short card', 10) });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ publishedVersion: null, draftVersion: 1 });
      const cardId = created.body.id;
      // Not published yet: nobody can evaluate with it.
      const unpublished = await refused(() => sofia.post('/api/scoring/evaluations', { interactionId: calls.alex![0], scorecardId: cardId }), 409);
      expect(unpublished.message).toMatch(/no published version yet/);
      expect((await quinn.post(`/api/scoring/scorecards/${cardId}/publish`)).body).toMatchObject({ publishedVersion: 1, draftVersion: null });
      await refused(() => quinn.post(`/api/scoring/scorecards/${cardId}/publish`), 409);
      const e1 = await sofia.post('/api/scoring/evaluations', { interactionId: calls.alex![0], scorecardId: cardId });
      expect(e1.status).toBe(201);
      expect(e1.body).toMatchObject({ scorecardVersion: 1, state: 'draft', kind: 'supervisor' });
      // Editing the published scorecard saves version 2 as a draft; saving again replaces that draft.
      expect((await put(quinn, `/api/scoring/scorecards/${cardId}`, { definition: def('Short card', 20) })).body).toMatchObject({ publishedVersion: 1, draftVersion: 2 });
      expect((await put(quinn, `/api/scoring/scorecards/${cardId}`, { definition: def('Short card v2', 30) })).body).toMatchObject({ name: 'Short card v2', draftVersion: 2 });
      await quinn.post(`/api/scoring/scorecards/${cardId}/publish`);
      const e2 = await sofia.post('/api/scoring/evaluations', { interactionId: calls.blair![0], scorecardId: cardId });
      expect(e2.body.scorecardVersion).toBe(2);
      const again = await sofia.get(`/api/scoring/evaluations/${e1.body.id}`);
      expect(again.body.scorecardVersion).toBe(1);
      expect(again.body.definition.sections[0].questions[0].weight).toBe(10);
      // The database itself refuses to change a published version.
      await expect(sql`update scorecard_versions set definition = '{}'::jsonb where scorecard_id = ${cardId} and version = 1`.execute(server.core.db)).rejects.toThrow(/published and cannot change/);
      // Archived scorecards take no new evaluations.
      await quinn.post(`/api/scoring/scorecards/${cardId}/archive`);
      await refused(() => sofia.post('/api/scoring/evaluations', { interactionId: calls.casey![0], scorecardId: cardId }), 409);
    });

    it('runs an evaluation: start once, autosave with live score, stale saves refused, submit once, the agent is told and sees it', async () => {
      const sofia = await as('sofia');
      const alex = await as('alex');
      const start = await sofia.post('/api/scoring/evaluations', { interactionId: calls.alex![1], scorecardId: beSure });
      expect(start.status).toBe(201);
      const id = start.body.id;
      expect((await sofia.post('/api/scoring/evaluations', { interactionId: calls.alex![1], scorecardId: beSure })).body.id).toBe(id);
      // The agent does not see a draft.
      expect((await alex.get(`/api/scoring/evaluations/${id}`)).status).toBe(404);
      const draft = await put(sofia, `/api/scoring/evaluations/${id}/draft`, {
        answers: { courteous: { value: true, comment: 'Warm greeting', moments: [{ atMs: 12_000, note: 'greeting' }] }, ownership: { value: 3 } },
        revision: 0,
      });
      expect(draft.status).toBe(200);
      expect(draft.body).toMatchObject({ revision: 1, state: 'draft', score: { percent: 75, unanswered: expect.arrayContaining(['resolution']) } });
      // A stale tab's autosave is refused rather than merged.
      const stale = await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: {}, revision: 0 }), 409);
      expect(stale.message).toMatch(/revision 1, not 0/);
      // Incomplete: refused with the questions to answer.
      const incomplete = await refused(() => sofia.post(`/api/scoring/evaluations/${id}/submit`, {}), 400);
      expect(incomplete.issues!.map((i) => i.path)).toContain('answers.resolution');
      const submitted = await sofia.post(`/api/scoring/evaluations/${id}/submit`, { answers: { ...PERFECT, ownership: { value: 3 } }, comment: 'Solid call', revision: 1 });
      expect(submitted.status).toBe(200);
      expect(submitted.body).toMatchObject({ state: 'submitted', score: { percent: 94.1, criticalFailed: false } });
      const twice = await refused(() => sofia.post(`/api/scoring/evaluations/${id}/submit`, {}), 409);
      expect(twice.message).toMatch(/already submitted/);
      await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: {} }), 409);
      // The agent's queue tells them; opening it marks it seen in the history.
      const queue = (await alex.get('/api/scoring/queue')).body;
      expect(queue.toRespond).toEqual([expect.objectContaining({ evaluationId: id, percent: 94.1, seen: false })]);
      const seen = await alex.get(`/api/scoring/evaluations/${id}`);
      expect(seen.status).toBe(200);
      expect(seen.body.history.map((h: { kind: string }) => h.kind)).toEqual(['created', 'submitted', 'seen_by_agent']);
      // What the server sends is what the wire contracts say (the UI relies on them).
      EvaluationDetail.parse(seen.body);
      ScoringQueue.parse(queue);
      Evaluation.array().parse((await alex.get('/api/scoring/evaluations')).body.evaluations);
      expect((await alex.get('/api/scoring/queue')).body.toRespond[0].seen).toBe(true);
      // Teammates never see it; the team's QA and trainer do.
      expect((await (await as('blair')).get(`/api/scoring/evaluations/${id}`)).status).toBe(404);
      expect((await (await as('quinn')).get(`/api/scoring/evaluations/${id}`)).status).toBe(200);
      expect((await (await as('tess')).get(`/api/scoring/evaluations/${id}`)).status).toBe(200);
      expect((await (await as('evan')).get(`/api/scoring/evaluations/${id}`)).status).toBe(404);
      expect((await alex.get('/api/scoring/evaluations')).body.evaluations.map((e: { id: string }) => e.id)).toContain(id);
      expect((await (await as('blair')).get('/api/scoring/evaluations')).body.evaluations.map((e: { id: string }) => e.id)).not.toContain(id);
      const audits = await server.core.db.selectFrom('audit_log').select('action').where('target_id', '=', id).orderBy('id').execute();
      expect(audits.map((a) => a.action)).toEqual(['evaluation.start', 'evaluation.save_draft', 'evaluation.submit']);
      // Acknowledging ends it; a dispute afterwards is refused.
      expect((await alex.post(`/api/scoring/evaluations/${id}/acknowledge`, { comment: 'Thanks' })).body.state).toBe('acknowledged');
      await refused(() => alex.post(`/api/scoring/evaluations/${id}/dispute`, { reason: 'changed my mind' }), 409);
      // A self-evaluation of the same call defaults to the supervisor's scorecard.
      const self = await alex.post('/api/scoring/evaluations', { interactionId: calls.alex![1], kind: 'self' });
      expect(self.status).toBe(201);
      expect(self.body).toMatchObject({ kind: 'self', scorecardId: beSure, evaluatorId: userId('alex'), agentId: userId('alex') });
    });

    it('refuses bad answers, unseen interactions and the wrong people, changing nothing', async () => {
      const sofia = await as('sofia');
      const start = await sofia.post('/api/scoring/evaluations', { interactionId: calls.blair![1], scorecardId: beSure });
      const id = start.body.id;
      const outside = await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: { ownership: { value: 7 } } }), 400);
      expect(outside.issues).toEqual([{ path: 'answers.ownership.value', message: expect.stringMatching(/scored 1 to 5.*7 is outside the scale/) }]);
      const na = await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: { courteous: { na: true } } }), 400);
      expect(na.issues!.map((i) => i.path)).toEqual(['answers.courteous.na']);
      const choice = await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: { resolution: { value: 'maybe' } } }), 400);
      expect(choice.message).toMatch(/takes one of "first-contact"/);
      const unknown = await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: { 'made-up': { value: true } } }), 400);
      expect(unknown.issues!.map((i) => i.path)).toEqual(['answers.made-up']);
      const late = await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: { courteous: { value: true, moments: [{ atMs: 900_000 }] } } }), 400);
      expect(late.issues!.map((i) => i.path)).toEqual(['answers.courteous.moments.0.atMs']);
      await refused(() => put(sofia, `/api/scoring/evaluations/${id}/draft`, { answers: { courteous: { na: true, value: true } } }), 400);
      // Someone else's draft: not even visible.
      await refused(() => (async () => put(await as('quinn'), `/api/scoring/evaluations/${id}/draft`, { answers: {} }))(), 404);
      // An interaction one may not see is "not found", the same as one that does not exist.
      const hidden = await refused(async () => (await as('alex')).post('/api/scoring/evaluations', { interactionId: calls.blair![0], kind: 'self', scorecardId: beSure }), 404);
      const missing = await refused(async () => (await as('alex')).post('/api/scoring/evaluations', { interactionId: randomUUID(), kind: 'self', scorecardId: beSure }), 404);
      expect(hidden).toEqual(missing);
      // A trainer sees the interaction but does not score; an agent never evaluates their own as a supervisor.
      await refused(async () => (await as('tess')).post('/api/scoring/evaluations', { interactionId: calls.casey![0], scorecardId: beSure }), 403);
      const ownAsSupervisor = await refused(async () => (await as('alex')).post('/api/scoring/evaluations', { interactionId: calls.alex![0], scorecardId: beSure }), 403);
      expect(ownAsSupervisor.message).toMatch(/self-evaluation/);
      await refused(() => sofia.post('/api/scoring/evaluations', { interactionId: calls.casey![3], scorecardId: beSure }), 409);
      const noCard = await refused(() => sofia.post('/api/scoring/evaluations', { interactionId: calls.casey![0] }), 400);
      expect(noCard.issues!.map((i) => i.path)).toEqual(['scorecardId']);
      await refused(() => sofia.post('/api/scoring/evaluations', { interactionId: 'nope', scorecardId: beSure }), 400);
      // Everything N/A: nothing to score.
      const qa = await as('quinn');
      const card = await qa.post('/api/scoring/scorecards', { publish: true, definition: { name: 'NA card', sections: [{ id: 's', title: 'S', questions: [{ id: 'q', text: 'Q', type: 'yes_no', weight: 1, allowNa: true }] }] } });
      const e = await sofia.post('/api/scoring/evaluations', { interactionId: calls.blair![2], scorecardId: card.body.id });
      const nothing = await refused(() => sofia.post(`/api/scoring/evaluations/${e.body.id}/submit`, { answers: { q: { na: true } } }), 400);
      expect(nothing.message).toMatch(/nothing to score/);
    });

    it('disputes: only the agent raises one, a reviewer other than the evaluator decides, history keeps before and after', async () => {
      const sofia = await as('sofia');
      const alex = await as('alex');
      const quinn = await as('quinn');
      const start = await sofia.post('/api/scoring/evaluations', { interactionId: calls.alex![2], scorecardId: beSure });
      const id = start.body.id;
      await sofia.post(`/api/scoring/evaluations/${id}/submit`, { answers: { ...PERFECT, ownership: { value: 2 }, courteous: { value: false } } });
      expect((await sofia.get(`/api/scoring/evaluations/${id}`)).body.score).toMatchObject({ percent: 0, criticalFailed: true, criticalFailures: [{ questionId: 'courteous' }] });
      // Not the agent: the evaluator, a QA analyst, another agent (who cannot even see it).
      const byEvaluator = await refused(() => sofia.post(`/api/scoring/evaluations/${id}/dispute`, { reason: 'I disagree with myself' }), 403);
      expect(byEvaluator.message).toMatch(/Only the agent who was evaluated/);
      await refused(() => quinn.post(`/api/scoring/evaluations/${id}/dispute`, { reason: 'x' }), 403);
      await refused(async () => (await as('blair')).post(`/api/scoring/evaluations/${id}/dispute`, { reason: 'x' }), 404);
      const noReason = await refused(() => alex.post(`/api/scoring/evaluations/${id}/dispute`, {}), 400);
      expect(noReason.issues!.map((i) => i.path)).toEqual(['reason']);
      await refused(() => alex.post(`/api/scoring/evaluations/${id}/dispute`, { questions: [{ questionId: 'nope', reason: 'x' }] }), 400);
      const disputed = await alex.post(`/api/scoring/evaluations/${id}/dispute`, {
        reason: 'The customer shouted first; I stayed calm.',
        questions: [{ questionId: 'courteous', reason: 'Listen at 02:10: I never raised my voice.' }],
      });
      expect(disputed.status).toBe(200);
      // Sofia supervises the team but evaluated it, so the team's QA analyst reviews.
      expect(disputed.body).toMatchObject({ state: 'disputed', dispute: { state: 'open', reviewerId: userId('quinn'), raisedBy: userId('alex') } });
      expect((await quinn.get('/api/scoring/queue')).body.disputes).toEqual([expect.objectContaining({ evaluationId: id })]);
      await refused(() => alex.post(`/api/scoring/evaluations/${id}/dispute`, { reason: 'again' }), 409);
      const own = await refused(() => sofia.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'upheld', comment: 'I stand by it' }), 403);
      expect(own.message).toMatch(/someone else must decide/);
      await refused(() => alex.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'upheld', comment: 'mine' }), 403);
      await refused(() => quinn.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'changed', comment: 'x' }), 400);
      await refused(() => quinn.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'changed', comment: 'x', answers: { courteous: { value: false } } }), 400);
      await refused(() => quinn.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'changed', comment: 'x', answers: { ownership: { value: 9 } } }), 400);
      const resolved = await quinn.post(`/api/scoring/evaluations/${id}/dispute/resolve`, {
        outcome: 'changed',
        comment: 'Agreed: the agent stayed courteous.',
        answers: { courteous: { value: true, comment: 'Changed on dispute' } },
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({ state: 'resolved', score: { criticalFailed: false, percent: 91.2 }, dispute: { state: 'changed', resolvedBy: userId('quinn') } });
      const change = resolved.body.history.find((h: { kind: string }) => h.kind === 'answers_changed');
      expect(change.detail).toMatchObject({ before: { courteous: { value: false } }, after: { courteous: { value: true } }, percentBefore: 0, percentAfter: 91.2 });
      expect(resolved.body.history.map((h: { kind: string }) => h.kind)).toEqual(['created', 'submitted', 'seen_by_agent', 'disputed', 'answers_changed', 'dispute_changed']);
      await refused(() => quinn.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'upheld', comment: 'again' }), 409);
      await refused(() => alex.post(`/api/scoring/evaluations/${id}/acknowledge`, {}), 409);
    });

    it('self-evaluation on the same scorecard, side by side with the supervisor', async () => {
      const casey = await as('casey');
      const sofia = await as('sofia');
      const interactionId = calls.casey![1];
      const self = await casey.post('/api/scoring/evaluations', { interactionId, kind: 'self', scorecardId: beSure });
      expect(self.status).toBe(201);
      await casey.post(`/api/scoring/evaluations/${self.body.id}/submit`, { answers: PERFECT });
      await refused(async () => (await as('devon')).post('/api/scoring/evaluations', { interactionId, kind: 'self', scorecardId: beSure }), 404);
      await refused(() => sofia.post('/api/scoring/evaluations', { interactionId, kind: 'self', scorecardId: beSure }), 403);
      // Self-evaluations are not acknowledged or disputed.
      await refused(() => casey.post(`/api/scoring/evaluations/${self.body.id}/acknowledge`, {}), 403);
      const sup = await sofia.post('/api/scoring/evaluations', { interactionId, scorecardId: beSure });
      await sofia.post(`/api/scoring/evaluations/${sup.body.id}/submit`, { answers: { ...PERFECT, 'active-listening': { value: 3 }, 'set-expectations': { value: 'partial' } } });
      for (const who of ['casey', 'sofia']) {
        const cmp = (await (await as(who)).get(`/api/scoring/interactions/${interactionId}/comparison`)).body;
        expect(cmp.self.id).toBe(self.body.id);
        expect(cmp.supervisor.id).toBe(sup.body.id);
        expect(cmp.questions.filter((q: { differs: boolean }) => q.differs).map((q: { questionId: string }) => q.questionId)).toEqual(['active-listening', 'set-expectations']);
        expect(cmp.totalDifference).toBe(8.8);
        EvaluationComparison.parse(cmp);
      }
      expect((await (await as('devon')).get(`/api/scoring/interactions/${interactionId}/comparison`)).status).toBe(404);
    });

    it('calibration: blind until all submit, then agreement, spread and distance to the reference; history per evaluator', async () => {
      const quinn = await as('quinn');
      const sofia = await as('sofia');
      const admin = await as('admin');
      const interactionId = calls.devon![0];
      await refused(() => quinn.post('/api/scoring/calibrations', { title: 'x', interactionId, scorecardId: beSure, evaluatorIds: [userId('sofia'), userId('alex')] }), 400);
      await refused(async () => (await as('alex')).post('/api/scoring/calibrations', { title: 'x', interactionId, scorecardId: beSure, evaluatorIds: [userId('sofia'), userId('quinn')] }), 403);
      const created = await quinn.post('/api/scoring/calibrations', { title: 'Irate customer', interactionId, scorecardId: beSure, evaluatorIds: [userId('sofia'), userId('quinn'), userId('admin')] });
      expect(created.status).toBe(201);
      const sid = created.body.id;
      await put(quinn, `/api/scoring/calibrations/${sid}/reference`, { answers: PERFECT });
      const mine = async (who: string) => (await (await as(who)).post(`/api/scoring/calibrations/${sid}/evaluation`)).body.id as string;
      const sofiaEval = await mine('sofia');
      await sofia.post(`/api/scoring/evaluations/${sofiaEval}/submit`, { answers: { ...PERFECT, ownership: { value: 3 } } });
      // Blind: nobody else sees Sofia's scores yet, not the owner and not an admin; the reference stays hidden from participants.
      expect((await quinn.get(`/api/scoring/evaluations/${sofiaEval}`)).status).toBe(404);
      expect((await admin.get(`/api/scoring/evaluations/${sofiaEval}`)).status).toBe(404);
      const blind = (await sofia.get(`/api/scoring/calibrations/${sid}`)).body;
      expect(blind).toMatchObject({ state: 'open', results: null, reference: null, myEvaluationId: sofiaEval });
      expect(blind.participants.find((x: { userId: string }) => x.userId === userId('sofia')).submitted).toBe(true);
      expect((await (await as('alex')).get(`/api/scoring/calibrations/${sid}`)).status).toBe(404);
      const adminEval = await mine('admin');
      await admin.post(`/api/scoring/evaluations/${adminEval}/submit`, { answers: { ...PERFECT, ownership: { value: 1 }, 'set-expectations': { value: 'none' } } });
      const quinnEval = await mine('quinn');
      await quinn.post(`/api/scoring/evaluations/${quinnEval}/submit`, { answers: PERFECT });
      const revealed = (await sofia.get(`/api/scoring/calibrations/${sid}`)).body;
      expect(revealed.state).toBe('revealed');
      CalibrationSessionView.parse(revealed);
      CalibrationSessionView.parse(blind);
      const r = revealed.results;
      expect(r.referencePercent).toBe(100);
      expect(r.totals).toMatchObject({ min: 82.4, max: 100, range: 17.6 });
      const by = (u: string) => r.evaluators.find((e: { evaluatorId: string }) => e.evaluatorId === userId(u));
      expect(by('quinn')).toMatchObject({ percent: 100, distanceToReference: 0, differenceToReference: 0 });
      expect(by('sofia')).toMatchObject({ percent: 94.1, distanceToReference: 4.2, differenceToReference: -5.9 });
      expect(by('admin').distanceToReference).toBe(16.7);
      const q = (id: string) => r.questions.find((x: { questionId: string }) => x.questionId === id);
      expect(q('ownership')).toMatchObject({ agreement: 0.333, spread: 100, matchesReference: 1 });
      expect(q('courteous')).toMatchObject({ agreement: 1, spread: 0, matchesReference: 3 });
      expect((await quinn.get(`/api/scoring/evaluations/${sofiaEval}`)).status).toBe(200);
      expect((await (await as('alex')).get(`/api/scoring/evaluations/${sofiaEval}`)).status).toBe(404);
      // Late scores are refused once revealed.
      await refused(() => put(sofia, `/api/scoring/evaluations/${sofiaEval}/draft`, { answers: {} }), 409);

      // A second session closed early by its owner: the one who did not submit is left out.
      const s2 = (await quinn.post('/api/scoring/calibrations', { title: 'Second', interactionId: calls.devon![1], scorecardId: beSure, evaluatorIds: [userId('sofia'), userId('admin')] })).body.id;
      await refused(() => quinn.post(`/api/scoring/calibrations/${s2}/reveal`), 409);
      const e2 = (await sofia.post(`/api/scoring/calibrations/${s2}/evaluation`)).body.id;
      await sofia.post(`/api/scoring/evaluations/${e2}/submit`, { answers: { ...PERFECT, resolution: { value: 'unresolved' } } });
      const adminDraft = (await admin.post(`/api/scoring/calibrations/${s2}/evaluation`)).body.id;
      await refused(() => sofia.post(`/api/scoring/calibrations/${s2}/reveal`), 403);
      await put(quinn, `/api/scoring/calibrations/${s2}/reference`, { answers: PERFECT });
      const closed = (await quinn.post(`/api/scoring/calibrations/${s2}/reveal`)).body;
      expect(closed.results.notSubmitted).toEqual([userId('admin')]);
      await refused(() => admin.post(`/api/scoring/evaluations/${adminDraft}/submit`, { answers: PERFECT }), 409);
      const history = (await sofia.get(`/api/scoring/calibrations/evaluators/${userId('sofia')}/history`)).body;
      expect(history.sessions.map((s: { title: string; distanceToReference: number }) => [s.title, s.distanceToReference])).toEqual([
        ['Irate customer', 4.2],
        ['Second', 8.3],
      ]);
      expect(history.meanDistance).toBe(6.3);
      CalibrationHistory.parse(history);
      await refused(async () => (await as('alex')).get(`/api/scoring/calibrations/evaluators/${userId('sofia')}/history`), 403);
      // Calibration scores never count as evaluations of the agent.
      const devonsOwn = (await (await as('devon')).get('/api/scoring/evaluations')).body.evaluations;
      expect(devonsOwn).toEqual([]);
    });
  });
}
