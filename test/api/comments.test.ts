import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Comment } from '@duet/protocol';
import { auditPlay } from '@duet/core';
import { ApiClient, startTestServer, type TestServer } from '../harness/app.js';

/** Two ended calls (alex's, North; casey's, South) and one still recording, straight into the database. */
async function seed(server: TestServer) {
  const db = server.core.db;
  const users = await db.selectFrom('users').select(['id', 'username']).execute();
  const members = await db.selectFrom('team_members').select(['user_id', 'team_id']).execute();
  const id = (u: string) => users.find((x) => x.username === u)!.id;
  const teamOf = (u: string) => members.find((t) => t.user_id === id(u))!.team_id;
  const started = new Date('2026-11-20T10:00:00Z');
  const call = (agent: string, minutes: number | null) => ({
    id: randomUUID(),
    agent_id: id(agent),
    team_id: teamOf(agent),
    call_id: `PBX-${agent}`,
    direction: 'inbound' as const,
    status: minutes === null ? ('recording' as const) : ('ready' as const),
    end_reason: minutes === null ? null : ('ended' as const),
    started_at: started,
    ended_at: minutes === null ? null : new Date(started.getTime() + minutes * 60_000),
    timeline_ms: minutes === null ? null : minutes * 60_000,
  });
  const alexCall = call('alex', 5);
  const caseyCall = call('casey', 3);
  const live = call('blair', null);
  await db.insertInto('interactions').values([alexCall, caseyCall, live]).execute();
  return { alexCall: alexCall.id, caseyCall: caseyCall.id, live: live.id, userId: id };
}

const pgUrl = inject('postgresAdminUrl');

for (const database of ['pglite', 'postgres'] as const) {
  describe.skipIf(database === 'postgres' && !pgUrl)(`comments pinned to moments, on ${database}`, () => {
    let server: TestServer;
    let ids: Awaited<ReturnType<typeof seed>>;
    const clients = new Map<string, ApiClient>();
    const as = async (u: string) => {
      let c = clients.get(u);
      if (!c) {
        c = new ApiClient(server.url);
        expect((await c.login(u)).status).toBe(200);
        clients.set(u, c);
      }
      return c;
    };
    const url = (interactionId: string, commentId?: string) => `/api/interactions/${interactionId}/comments${commentId ? `/${commentId}` : ''}`;
    const list = async (u: string, interactionId: string) => {
      const r = await (await as(u)).get(url(interactionId));
      expect(r.status, `${u} lists`).toBe(200);
      return (r.body.comments as Comment[]).map((c) => c.text);
    };
    const count = async () => Number((await server.core.db.selectFrom('interaction_comments').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const audits = async (action: string) => server.core.db.selectFrom('audit_log').select(['actor_id', 'target_id', 'detail']).where('action', '=', action).execute();

    beforeAll(async () => {
      server = await startTestServer({ database });
      ids = await seed(server);
    });
    afterAll(async () => server?.stop());

    it('a supervisor pins private and agent-visible comments; the agent sees only the visible one, in timeline order', async () => {
      const sofia = await as('sofia');
      const later = await sofia.post(url(ids.alexCall), { atMs: 90_000, text: '  Good empathy here: you named the problem back.  ', visibility: 'agent' });
      expect(later.status).toBe(201);
      const c = Comment.parse(later.body);
      expect(c).toMatchObject({ interactionId: ids.alexCall, atMs: 90_000, text: 'Good empathy here: you named the problem back.', visibility: 'agent', authorName: 'Sofia Reyes', mine: true, editedAt: null });
      const priv = await sofia.post(url(ids.alexCall), { atMs: 12_000, text: 'Check with QA: greeting skipped?', visibility: 'private' });
      expect(priv.status).toBe(201);
      const quinn = await (await as('quinn')).post(url(ids.alexCall), { atMs: 300_000, text: 'Closing at the very end', visibility: 'private' });
      expect(quinn.status).toBe(201);

      expect(await list('sofia', ids.alexCall)).toEqual(['Check with QA: greeting skipped?', 'Good empathy here: you named the problem back.', 'Closing at the very end']);
      expect(await list('tess', ids.alexCall)).toHaveLength(3);
      expect(await list('admin', ids.alexCall)).toHaveLength(3);
      expect(await list('alex', ids.alexCall)).toEqual(['Good empathy here: you named the problem back.']);
      const seenByAlex = (await (await as('alex')).get(url(ids.alexCall))).body.comments[0];
      expect(seenByAlex.mine).toBe(false);

      const created = await audits('comment.create');
      expect(created).toHaveLength(3);
      expect(created[0]).toMatchObject({ actor_id: ids.userId('sofia'), target_id: ids.alexCall, detail: { atMs: 90_000, visibility: 'agent' } });
    });

    it('refuses bad input with a clear 4xx and changes nothing', async () => {
      const sofia = await as('sofia');
      const before = await count();
      const bad = [
        { body: { atMs: 300_001, text: 'after the end', visibility: 'agent' }, status: 400, path: 'atMs', says: /after the end of the interaction \(300000 ms long\)/ },
        { body: { atMs: -1, text: 'before the start', visibility: 'agent' }, status: 400, path: 'atMs', says: /0 or more/ },
        { body: { atMs: 1.5, text: 'half a ms', visibility: 'agent' }, status: 400, path: 'atMs', says: /whole milliseconds/ },
        { body: { atMs: 1000, text: '   ', visibility: 'agent' }, status: 400, path: 'text', says: /empty comment/ },
        { body: { atMs: 1000, text: 'x'.repeat(2001), visibility: 'agent' }, status: 400, path: 'text', says: /at most 2000 characters/ },
        { body: { atMs: 1000, text: 'who sees it?', visibility: 'everyone' }, status: 400, path: 'visibility', says: /visibility/ },
        { body: { atMs: 1000, text: 'extra', visibility: 'agent', authorId: randomUUID() }, status: 400, path: '', says: /authorId/ },
      ];
      for (const b of bad) {
        const r = await sofia.post(url(ids.alexCall), b.body);
        expect(r.status, JSON.stringify(b.body).slice(0, 80)).toBe(b.status);
        expect(r.body.error).toBe('invalid_input');
        expect(r.body.message).toMatch(b.says);
        if (b.path) expect(r.body.issues.map((i: { path: string }) => i.path)).toContain(b.path);
      }
      // Still recording: there is no end to pin against yet.
      const live = await sofia.post(url(ids.live), { atMs: 0, text: 'too early', visibility: 'agent' });
      expect(live.status).toBe(409);
      expect(live.body.message).toMatch(/still being recorded/);
      expect((await sofia.post(url('not-a-uuid'), { atMs: 0, text: 'x', visibility: 'agent' })).status).toBe(400);
      expect(await count()).toBe(before);
    });

    it('who may not comment or see is told so, and nothing changes', async () => {
      const before = await count();
      // The agent of the call: may see it, may not coach themselves.
      const alex = await (await as('alex')).post(url(ids.alexCall), { atMs: 1000, text: 'note to self', visibility: 'agent' });
      expect(alex.status).toBe(403);
      expect(alex.body.message).toMatch(/reviewers, not by its agent/);
      // Another agent, an executive and a random id: the interaction does not exist for them.
      const hidden = await (await as('casey')).post(url(ids.alexCall), { atMs: 1000, text: 'peeking', visibility: 'agent' });
      const missing = await (await as('sofia')).post(url(randomUUID()), { atMs: 1000, text: 'nowhere', visibility: 'agent' });
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual(missing.body);
      expect((await (await as('evan')).post(url(ids.alexCall), { atMs: 1000, text: 'exec', visibility: 'agent' })).status).toBe(404);
      expect((await (await as('casey')).get(url(ids.alexCall))).status).toBe(404);
      expect((await new ApiClient(server.url).get(url(ids.alexCall))).status).toBe(401);
      expect(await count()).toBe(before);
    });

    it('the author edits and deletes their own; nobody else can, and the audit keeps what it said', async () => {
      const sofia = await as('sofia');
      const made = Comment.parse((await sofia.post(url(ids.caseyCall), { atMs: 30_000, text: 'Hold music too long', visibility: 'private' })).body);
      expect(await list('casey', ids.caseyCall)).toEqual([]);

      // Quinn sees it (a reviewer) but may not change it; the agent may not even see it.
      const quinnEdit = await (await as('quinn')).patch(url(ids.caseyCall, made.id), { text: 'rewritten' });
      expect(quinnEdit.status).toBe(403);
      expect(quinnEdit.body.message).toMatch(/Only its author \(Sofia Reyes\)/);
      expect((await (await as('quinn')).delete(url(ids.caseyCall, made.id))).status).toBe(403);
      expect((await (await as('casey')).patch(url(ids.caseyCall, made.id), { text: 'mine now' })).status).toBe(404);
      // The comment under another interaction's address is not found.
      expect((await sofia.patch(url(ids.alexCall, made.id), { text: 'wrong call' })).status).toBe(404);
      expect((await sofia.patch(url(ids.caseyCall, made.id), {})).status).toBe(400);
      expect((await sofia.patch(url(ids.caseyCall, made.id), { atMs: 180_001 })).status).toBe(400);
      expect(await list('sofia', ids.caseyCall)).toEqual(['Hold music too long']);

      // Made visible to the agent, moved and reworded by its author.
      const edited = await sofia.patch(url(ids.caseyCall, made.id), { text: 'Hold music 40 s: offer a call-back instead', visibility: 'agent', atMs: 31_000 });
      expect(edited.status).toBe(200);
      expect(Comment.parse(edited.body)).toMatchObject({ text: 'Hold music 40 s: offer a call-back instead', visibility: 'agent', atMs: 31_000 });
      expect(edited.body.editedAt).not.toBeNull();
      expect(await list('casey', ids.caseyCall)).toEqual(['Hold music 40 s: offer a call-back instead']);
      const [update] = await audits('comment.update');
      expect(update!.detail).toMatchObject({ commentId: made.id, before: { atMs: 30_000, text: 'Hold music too long', visibility: 'private' } });

      expect((await sofia.delete(url(ids.caseyCall, made.id))).status).toBe(204);
      expect(await list('casey', ids.caseyCall)).toEqual([]);
      expect((await sofia.delete(url(ids.caseyCall, made.id))).status).toBe(404);
      const [deleted] = await audits('comment.delete');
      expect(deleted).toMatchObject({ actor_id: ids.userId('sofia'), target_id: ids.caseyCall, detail: { commentId: made.id, text: 'Hold music 40 s: offer a call-back instead' } });
    });

    it('a play is audited once per viewing, however often the player renews its links', async () => {
      const actorId = ids.userId('sofia');
      expect(await auditPlay(server.core.db, { actorId, interactionId: ids.caseyCall })).toBe(true);
      expect(await auditPlay(server.core.db, { actorId, interactionId: ids.caseyCall })).toBe(false);
      expect(await auditPlay(server.core.db, { actorId: ids.userId('quinn'), interactionId: ids.caseyCall })).toBe(true);
      expect((await audits('media.play')).filter((a) => a.target_id === ids.caseyCall)).toHaveLength(2);
    });
  });
}
