import type { Kysely } from 'kysely';
import type { Comment, CreateCommentRequest, UpdateCommentRequest } from '@duet/protocol';
import { audit } from '../audit/audit.js';
import { mayComment, mayEditComment, mayViewComment, type Principal } from '../auth/authorization.js';
import type { DB } from '../db/schema.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../errors.js';
import { visibleInteraction, type InteractionInfo } from '../scoring/common.js';

/** Who is acting, for authorization and the audit log. */
export interface CommentContext {
  principal: Principal;
  ip?: string | null;
}

type Row = {
  id: string;
  interaction_id: string;
  author_id: string | null;
  author_name: string | null;
  at_ms: number;
  body: string;
  visibility: 'private' | 'agent';
  created_at: Date;
  edited_at: Date | null;
};

const toComment = (r: Row, p: Principal): Comment => ({
  id: r.id,
  interactionId: r.interaction_id,
  authorId: r.author_id,
  authorName: r.author_name ?? 'A former user',
  atMs: r.at_ms,
  text: r.body,
  visibility: r.visibility,
  createdAt: r.created_at.toISOString(),
  editedAt: r.edited_at?.toISOString() ?? null,
  mine: r.author_id === p.userId,
});

function commentQuery(db: Kysely<DB>) {
  return db
    .selectFrom('interaction_comments as c')
    .leftJoin('users as u', 'u.id', 'c.author_id')
    .select(['c.id', 'c.interaction_id', 'c.author_id', 'u.display_name as author_name', 'c.at_ms', 'c.body', 'c.visibility', 'c.created_at', 'c.edited_at']);
}

/**
 * The interaction's length, which bounds where a comment may be pinned: the finalized timeline,
 * else start to end. A call still being recorded has no end yet to pin against.
 */
function lengthOf(i: InteractionInfo): number {
  if (i.timelineMs !== null) return i.timelineMs;
  if (i.endedAt) return i.endedAt.getTime() - i.startedAt.getTime();
  throw new Conflict('This interaction is still being recorded: comment on it once the call has ended.');
}

function checkMoment(i: InteractionInfo, atMs: number): void {
  const length = lengthOf(i);
  if (atMs > length) {
    throw new InvalidInput(`atMs ${atMs} is after the end of the interaction (${length} ms long): pin the comment to a moment between 0 and ${length}.`, [
      { path: 'atMs', message: `must be between 0 and ${length}` },
    ]);
  }
}

/** Comments on an interaction `p` may view, in timeline order, without the ones `p` may not see. */
export async function listComments(db: Kysely<DB>, p: Principal, interactionId: string): Promise<Comment[]> {
  const interaction = await visibleInteraction(db, p, interactionId);
  const rows = (await commentQuery(db).where('c.interaction_id', '=', interactionId).orderBy('c.at_ms').orderBy('c.created_at').execute()) as Row[];
  return rows.filter((r) => mayViewComment(p, interaction, { authorId: r.author_id, visibility: r.visibility })).map((r) => toComment(r, p));
}

export async function addComment(db: Kysely<DB>, ctx: CommentContext, interactionId: string, input: CreateCommentRequest): Promise<Comment> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    const interaction = await visibleInteraction(trx, p, interactionId);
    if (!mayComment(p, interaction)) {
      throw new Forbidden(
        interaction.agentId === p.userId
          ? 'Coaching comments on an interaction are written by its reviewers, not by its agent.'
          : 'You may view this interaction but not comment on it: that needs the supervisor, QA, trainer or admin role for its team.',
      );
    }
    checkMoment(interaction, input.atMs);
    const { id } = await trx
      .insertInto('interaction_comments')
      .values({ interaction_id: interactionId, author_id: p.userId, at_ms: input.atMs, body: input.text, visibility: input.visibility })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, { actorId: p.userId, ip: ctx.ip, action: 'comment.create', targetType: 'interaction', targetId: interactionId, detail: { commentId: id, atMs: input.atMs, visibility: input.visibility } });
    return toComment((await commentQuery(trx).where('c.id', '=', id).executeTakeFirstOrThrow()) as Row, p);
  });
}

/**
 * The comment to change, locked. One `p` may not see is "not found"; one `p` sees but did not
 * write is "forbidden", saying whose it is to change.
 */
async function editable(trx: Kysely<DB>, p: Principal, interactionId: string, commentId: string): Promise<{ row: Row; interaction: InteractionInfo }> {
  const interaction = await visibleInteraction(trx, p, interactionId);
  await trx.selectFrom('interaction_comments').select('id').where('id', '=', commentId).forUpdate().executeTakeFirst();
  const row = (await commentQuery(trx).where('c.id', '=', commentId).where('c.interaction_id', '=', interactionId).executeTakeFirst()) as Row | undefined;
  const scope = row && { authorId: row.author_id, visibility: row.visibility };
  if (!row || !scope || !mayViewComment(p, interaction, scope)) throw new NotFound('Comment');
  if (!mayEditComment(p, interaction, scope)) throw new Forbidden(`Only its author (${row.author_name ?? 'a former user'}) may change or delete this comment.`);
  return { row, interaction };
}

export async function updateComment(db: Kysely<DB>, ctx: CommentContext, interactionId: string, commentId: string, input: UpdateCommentRequest): Promise<Comment> {
  const p = ctx.principal;
  return db.transaction().execute(async (trx) => {
    const { row, interaction } = await editable(trx, p, interactionId, commentId);
    if (input.atMs !== undefined) checkMoment(interaction, input.atMs);
    await trx
      .updateTable('interaction_comments')
      .set({ at_ms: input.atMs ?? row.at_ms, body: input.text ?? row.body, visibility: input.visibility ?? row.visibility, edited_at: new Date() })
      .where('id', '=', commentId)
      .execute();
    // The audit keeps what it said before: a coaching note changed after the agent read it is worth knowing.
    await audit(trx, {
      actorId: p.userId,
      ip: ctx.ip,
      action: 'comment.update',
      targetType: 'interaction',
      targetId: interactionId,
      detail: { commentId, before: { atMs: row.at_ms, text: row.body, visibility: row.visibility }, changed: Object.keys(input) },
    });
    return toComment((await commentQuery(trx).where('c.id', '=', commentId).executeTakeFirstOrThrow()) as Row, p);
  });
}

export async function deleteComment(db: Kysely<DB>, ctx: CommentContext, interactionId: string, commentId: string): Promise<void> {
  const p = ctx.principal;
  await db.transaction().execute(async (trx) => {
    const { row } = await editable(trx, p, interactionId, commentId);
    await trx.deleteFrom('interaction_comments').where('id', '=', commentId).execute();
    await audit(trx, {
      actorId: p.userId,
      ip: ctx.ip,
      action: 'comment.delete',
      targetType: 'interaction',
      targetId: interactionId,
      detail: { commentId, atMs: row.at_ms, text: row.body, visibility: row.visibility },
    });
  });
}
