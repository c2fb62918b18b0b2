import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluationDetail, EvaluationListItem, NotificationList } from '@duet/protocol';
import { ApiClient, signedInAs, startTestServer, type TestServer } from '../harness/app.js';

/**
 * Notifications of the evaluation life cycle (the agent when an evaluation is submitted and when
 * their dispute is decided, the reviewer when a dispute is raised), the names evaluation lists and
 * details carry for the UI, and marking read: one's own only, bad input refused with nothing changed.
 */
const ANSWERS = {
  'accurate-information': { value: true },
  'relevant-options': { value: 5 },
  ownership: { value: 4 },
  'extra-step': { value: true },
  'active-listening': { value: 5 },
  'acknowledged-feelings': { value: false },
  'confirmed-need': { value: true },
  'set-expectations': { value: 'clear' },
  courteous: { value: true },
  'no-blame': { value: true },
  resolution: { value: 'first-contact' },
  'verified-identity': { na: true },
};

describe('notifications and evaluation names', () => {
  let server: TestServer;
  let interactionId: string;
  let beSure: string;
  const as = signedInAs(() => server.url);
  const unreadRows = async () => (await server.core.db.selectFrom('notifications').select(['id', 'read_at']).execute()).map((r) => `${r.id}:${r.read_at ? 'read' : 'unread'}`).sort();

  beforeAll(async () => {
    server = await startTestServer({ database: 'pglite' });
    const db = server.core.db;
    const alex = await db.selectFrom('users').select('id').where('username', '=', 'alex').executeTakeFirstOrThrow();
    const team = await db.selectFrom('team_members').select('team_id').where('user_id', '=', alex.id).executeTakeFirstOrThrow();
    interactionId = randomUUID();
    const startedAt = new Date('2026-11-16T09:00:00Z');
    await db
      .insertInto('interactions')
      .values({ id: interactionId, agent_id: alex.id, team_id: team.team_id, call_id: 'PBX-77', direction: 'inbound', status: 'ready', end_reason: 'ended', started_at: startedAt, ended_at: new Date(startedAt.getTime() + 600_000), timeline_ms: 600_000 })
      .execute();
    const cards = (await (await as('quinn')).get('/api/scoring/scorecards')).body.scorecards;
    beSure = cards.find((c: { builtIn: string | null }) => c.builtIn === 'be-sure').id;
  });
  afterAll(async () => server?.stop());

  it('tells the agent, then the reviewer, then the agent again, each with a link to the evaluation', async () => {
    const sofia = await as('sofia');
    const alex = await as('alex');
    const quinn = await as('quinn');
    expect((await alex.get('/api/notifications')).body).toEqual({ notifications: [], unread: 0 });
    const id = (await sofia.post('/api/scoring/evaluations', { interactionId, scorecardId: beSure })).body.id;
    // A draft tells nobody.
    expect((await alex.get('/api/notifications')).body.unread).toBe(0);
    expect((await sofia.post(`/api/scoring/evaluations/${id}/submit`, { answers: ANSWERS })).status).toBe(200);
    const afterSubmit = NotificationList.parse((await alex.get('/api/notifications')).body);
    expect(afterSubmit.unread).toBe(1);
    expect(afterSubmit.notifications[0]).toMatchObject({ kind: 'evaluation_submitted', title: expect.stringMatching(/^Sofia Reyes evaluated your call: \d+(\.\d)?%$/), link: `/interactions/${interactionId}?evaluation=${id}`, readAt: null });

    // The list carries the names and call the UI shows; the detail names everyone in it.
    const list = EvaluationListItem.array().parse((await alex.get('/api/scoring/evaluations')).body.evaluations);
    expect(list[0]).toMatchObject({ id, agentName: 'Alex Kim', evaluatorName: 'Sofia Reyes', callId: 'PBX-77', interactionStartedAt: '2026-11-16T09:00:00.000Z' });

    const disputed = EvaluationDetail.parse((await alex.post(`/api/scoring/evaluations/${id}/dispute`, { questions: [{ questionId: 'acknowledged-feelings', reason: 'I said I was sorry at 0:40' }] })).body);
    const reviewerId = disputed.dispute!.reviewerId!;
    expect(disputed.people[reviewerId]).toBe('Quinn Li');
    expect(disputed.people[disputed.evaluatorId]).toBe('Sofia Reyes');
    const forReviewer = (await quinn.get('/api/notifications?unreadOnly=true')).body;
    expect(forReviewer.notifications).toEqual([expect.objectContaining({ kind: 'dispute_raised', title: 'Alex Kim disputed an evaluation: you review it', body: '1 question disputed.' })]);
    // The evaluator is not told to review their own evaluation.
    expect((await sofia.get('/api/notifications')).body.unread).toBe(0);

    await quinn.post(`/api/scoring/evaluations/${id}/dispute/resolve`, { outcome: 'changed', comment: 'Confirmed at 0:40: changed to yes.', answers: { 'acknowledged-feelings': { value: true } } });
    const afterResolve = (await alex.get('/api/notifications')).body;
    expect(afterResolve.unread).toBe(2);
    expect(afterResolve.notifications[0]).toMatchObject({ kind: 'dispute_resolved', title: expect.stringMatching(/answers changed, now \d+(\.\d)?%/), body: 'Confirmed at 0:40: changed to yes.' });
  });

  it('marks one’s own notifications read, refuses bad input and never touches others’', async () => {
    const alex = await as('alex');
    const quinn = await as('quinn');
    const quinnsId = (await quinn.get('/api/notifications')).body.notifications[0].id;
    const before = await unreadRows();
    const bad = await alex.post('/api/notifications/read', {});
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['ids']);
    expect((await alex.post('/api/notifications/read', { ids: ['nope'] })).status).toBe(400);
    // Someone else's notification id: nothing marked.
    expect((await alex.post('/api/notifications/read', { ids: [quinnsId] })).body).toEqual({ marked: 0, unread: 2 });
    expect(await unreadRows()).toEqual(before);

    const first = (await alex.get('/api/notifications')).body.notifications[0].id;
    expect((await alex.post('/api/notifications/read', { ids: [first] })).body).toEqual({ marked: 1, unread: 1 });
    expect((await alex.post('/api/notifications/read', { all: true })).body).toEqual({ marked: 1, unread: 0 });
    expect((await quinn.get('/api/notifications')).body.unread).toBe(1);
    const audits = await server.core.db.selectFrom('audit_log').select('detail').where('action', '=', 'notifications.read').execute();
    expect(audits.map((a) => a.detail)).toEqual([{ marked: 1, all: false }, { marked: 1, all: true }]);
    expect((await new ApiClient(server.url).get('/api/notifications')).status).toBe(401);
  });
});
