import { z } from 'zod';
import { COMMENT_MAX_CHARS } from './constants.js';

/**
 * Coaching comments pinned to a moment of an interaction (`/api/interactions/:id/comments`).
 * `private` comments are for reviewers (supervisors, QA analysts, trainers, admins who may see
 * the interaction); `agent` comments are also shown to the interaction's agent.
 */
export const CommentVisibility = z.enum(['private', 'agent']);
export type CommentVisibility = z.infer<typeof CommentVisibility>;

export { COMMENT_MAX_CHARS };

const CommentText = z
  .string()
  .trim()
  .min(1, 'write something: an empty comment says nothing')
  .max(COMMENT_MAX_CHARS, `at most ${COMMENT_MAX_CHARS} characters`);
const AtMs = z.number().int('whole milliseconds').min(0, 'a moment on the timeline: 0 or more ms');

export const Comment = z.object({
  id: z.uuid(),
  interactionId: z.uuid(),
  authorId: z.uuid().nullable(),
  authorName: z.string(),
  /** where on the interaction timeline (ms since its start) */
  atMs: z.number().int().min(0),
  text: z.string(),
  visibility: CommentVisibility,
  createdAt: z.string(),
  /** null when never edited */
  editedAt: z.string().nullable(),
  /** the signed-in person wrote it, so may edit or delete it */
  mine: z.boolean(),
});
export type Comment = z.infer<typeof Comment>;

export const CommentList = z.object({ comments: z.array(Comment) });
export type CommentList = z.infer<typeof CommentList>;

export const CreateCommentRequest = z.strictObject({
  atMs: AtMs,
  text: CommentText,
  visibility: CommentVisibility,
});
export type CreateCommentRequest = z.infer<typeof CreateCommentRequest>;

/** Change any of the three; at least one. */
export const UpdateCommentRequest = z
  .strictObject({ atMs: AtMs.optional(), text: CommentText.optional(), visibility: CommentVisibility.optional() })
  .refine((v) => v.atMs !== undefined || v.text !== undefined || v.visibility !== undefined, { message: 'say what to change: atMs, text or visibility' });
export type UpdateCommentRequest = z.infer<typeof UpdateCommentRequest>;
