import type { Comment, CommentList, CreateCommentRequest, UpdateCommentRequest } from '@duet/protocol';
import { request } from '../api';

const enc = encodeURIComponent;
const base = (interactionId: string) => `/api/interactions/${enc(interactionId)}/comments`;

/** Coaching comments pinned to moments; the server decides who may write, see and change each. */
export const commentsApi = {
  list: (interactionId: string, signal?: AbortSignal) => request<CommentList>('GET', base(interactionId), undefined, { signal }),
  add: (interactionId: string, body: CreateCommentRequest) => request<Comment>('POST', base(interactionId), body),
  update: (interactionId: string, commentId: string, body: UpdateCommentRequest) => request<Comment>('PATCH', `${base(interactionId)}/${enc(commentId)}`, body),
  remove: (interactionId: string, commentId: string) => request<void>('DELETE', `${base(interactionId)}/${enc(commentId)}`),
};
