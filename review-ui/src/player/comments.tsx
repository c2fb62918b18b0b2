import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type RefObject } from 'react';
import type { Comment, CommentVisibility, InteractionSummary } from '@duet/protocol';
// The constant alone: the package's index would bring every schema and zod into the player's chunk.
import { COMMENT_MAX_CHARS } from '@duet/protocol/constants';
import { ApiError } from '../api';
import { hasRole, useMe } from '../auth';
import { formatDateTime } from '../format';
import { useQuery, type Query } from '../query';
import { ConfirmDialog, ErrorBanner, useAction } from '../ui';
import { commentsApi } from './comments-api';
import type { TimelineMarker } from './markers';
import type { PlayerHandle } from './Player';
import { formatClock } from './time';
import './comments.css';

export type Comments = { query: Query<{ comments: Comment[] }>; markers: TimelineMarker[] };

/** The interaction's comments (what the server lets this person see) and their timeline marks. */
export function useComments(interactionId: string): Comments {
  const query = useQuery(`comments:${interactionId}`, () => commentsApi.list(interactionId), { staleMs: 10_000 });
  const list = query.data?.comments;
  const markers = useMemo(
    () => (list ?? []).map((c): TimelineMarker => ({ kind: 'comment', startMs: c.atMs, endMs: null, label: `${formatClock(c.atMs)} ${c.authorName}: ${c.text}`, id: c.id })),
    [list],
  );
  return { query, markers };
}

/** Reviewers who may see the interaction coach on it; its own agent reads what was shared (the server has the last word). */
function mayWrite(me: ReturnType<typeof useMe>, interaction: InteractionSummary): boolean {
  return interaction.agentId !== me.id && (['admin', 'supervisor', 'qa', 'trainer'] as const).some((r) => hasRole(me, r));
}

/** The player's time, read a few times a second (the player does not re-render its panels as it plays). */
function usePlayerTime(player: RefObject<PlayerHandle | null>): number {
  const [ms, setMs] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => {
      const now = player.current?.now();
      if (now !== undefined) setMs((prev) => (Math.abs(prev - now) >= 250 ? now : prev));
    }, 250);
    return () => window.clearInterval(timer);
  }, [player]);
  return ms;
}

/**
 * Coaching comments beside the player: add one at the current moment (private to reviewers or
 * visible to the agent), jump to any, edit or delete one's own.
 */
export function CommentsPanel({ interaction, comments, player }: { interaction: InteractionSummary; comments: Comments; player: RefObject<PlayerHandle | null> }) {
  const me = useMe();
  const nowMs = usePlayerTime(player);
  const [composing, setComposing] = useState<{ atMs: number } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Comment | null>(null);
  const del = useAction();
  const { query } = comments;
  const list = query.data?.comments ?? [];
  const writer = mayWrite(me, interaction);
  const titleId = useId();
  const seek = (ms: number) => player.current?.seek(ms);

  async function confirmDelete() {
    if (!deleting) return;
    const r = await del.run(() => commentsApi.remove(interaction.id, deleting.id));
    if (r.ok) {
      setDeleting(null);
      query.refetch();
    }
  }

  return (
    <section className="card comments-card" aria-labelledby={titleId}>
      <div className="comments-head">
        <h2 id={titleId}>
          Comments {list.length ? <span className="comments-count">{list.length}</span> : null}
        </h2>
        {writer && !composing ? (
          <button type="button" className="btn btn-primary btn-sm" data-testid="add-comment" onClick={() => setComposing({ atMs: Math.round(player.current?.now() ?? nowMs) })}>
            + Comment at {formatClock(nowMs)}
          </button>
        ) : null}
      </div>

      {composing ? (
        <CommentForm
          key="new"
          atMs={composing.atMs}
          nowMs={nowMs}
          agentName={interaction.agentName}
          submitLabel="Add comment"
          initial={{ text: '', visibility: 'private' }}
          onCancel={() => setComposing(null)}
          save={(body) => commentsApi.add(interaction.id, body)}
          onSaved={() => {
            setComposing(null);
            query.refetch();
          }}
        />
      ) : null}

      {query.error ? <ErrorBanner error={query.error} onRetry={query.refetch} /> : null}
      {!query.error && query.data && list.length === 0 && !composing ? (
        <p className="muted small comments-empty">
          {writer ? 'No comments yet. Pause where something is worth coaching and add one: it is pinned to that moment.' : 'No coaching comments shared with you on this call.'}
        </p>
      ) : null}

      {list.length ? (
        <ol className="comment-list">
          {list.map((c) =>
            editing === c.id ? (
              <li key={c.id} className="comment-item comment-editing">
                <CommentForm
                  atMs={c.atMs}
                  nowMs={nowMs}
                  agentName={interaction.agentName}
                  submitLabel="Save"
                  initial={{ text: c.text, visibility: c.visibility }}
                  onCancel={() => setEditing(null)}
                  save={(body) => commentsApi.update(interaction.id, c.id, body)}
                  onSaved={() => {
                    setEditing(null);
                    query.refetch();
                  }}
                />
              </li>
            ) : (
              <li key={c.id} className="comment-item" data-testid="comment" data-at-ms={c.atMs}>
                <button type="button" className="comment-time" onClick={() => seek(c.atMs)} aria-label={`Play from ${formatClock(c.atMs)}`} title="Jump to this moment">
                  {formatClock(c.atMs)}
                </button>
                <div className="comment-body">
                  <p className="comment-meta">
                    <strong>{c.mine ? 'You' : c.authorName}</strong>
                    <VisibilityTag visibility={c.visibility} agentName={interaction.agentName} />
                  </p>
                  <p className="comment-text">{c.text}</p>
                  <p className="comment-foot">
                    <span title={formatDateTime(c.createdAt, true)}>{formatDateTime(c.createdAt)}</span>
                    {c.editedAt ? <span title={formatDateTime(c.editedAt, true)}>edited</span> : null}
                    {c.mine ? (
                      <span className="comment-actions">
                        <button type="button" className="link-btn" onClick={() => setEditing(c.id)}>
                          Edit
                        </button>
                        <button type="button" className="link-btn link-danger" onClick={() => setDeleting(c)}>
                          Delete
                        </button>
                      </span>
                    ) : null}
                  </p>
                </div>
              </li>
            ),
          )}
        </ol>
      ) : null}

      <ConfirmDialog
        open={deleting !== null}
        title="Delete this comment?"
        confirmLabel="Delete comment"
        busy={del.busy}
        error={del.error}
        onConfirm={() => void confirmDelete()}
        onCancel={() => {
          setDeleting(null);
          del.clear();
        }}
      >
        {deleting ? (
          <p>
            “{deleting.text.length > 120 ? `${deleting.text.slice(0, 120)}…` : deleting.text}” at {formatClock(deleting.atMs)} goes for everyone who could see it. The audit log keeps a record.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}

function VisibilityTag({ visibility, agentName }: { visibility: CommentVisibility; agentName: string }) {
  return visibility === 'private' ? (
    <span className="vis-tag vis-private" title="Only reviewers (supervisors, QA, trainers, admins) see it">
      Private
    </span>
  ) : (
    <span className="vis-tag vis-agent" title={`${agentName} sees it too`}>
      Shared with agent
    </span>
  );
}

type Draft = { text: string; visibility: CommentVisibility };

/** Writing or editing one comment: text, who sees it, and the moment (the player's time when it was opened, or now). */
function CommentForm({
  atMs: initialAt,
  nowMs,
  agentName,
  submitLabel,
  initial,
  onCancel,
  save,
  onSaved,
}: {
  atMs: number;
  nowMs: number;
  agentName: string;
  submitLabel: string;
  initial: Draft;
  onCancel: () => void;
  save: (body: Draft & { atMs: number }) => Promise<Comment>;
  onSaved: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(initial);
  const [atMs, setAtMs] = useState(initialAt);
  const action = useAction();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const ids = useId();
  useEffect(() => textRef.current?.focus(), []);
  const fields = action.error instanceof ApiError ? action.error.fieldErrors() : {};
  const tooLong = draft.text.length > COMMENT_MAX_CHARS;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await action.run(() => save({ ...draft, atMs }));
    if (r.ok) onSaved();
  }

  return (
    <form className="comment-form" onSubmit={(e) => void submit(e)} noValidate>
      <div className="comment-form-at">
        <span>
          At <strong data-testid="comment-at">{formatClock(atMs)}</strong>
        </span>
        {Math.abs(nowMs - atMs) >= 1000 ? (
          <button type="button" className="link-btn" onClick={() => setAtMs(Math.round(nowMs))}>
            Move to {formatClock(nowMs)}
          </button>
        ) : null}
      </div>
      {fields.atMs ? <p className="field-error">{fields.atMs}</p> : null}
      <div className={`field ${fields.text || tooLong ? 'field-invalid' : ''}`}>
        <label htmlFor={`${ids}-text`} className="visually-hidden">
          Comment
        </label>
        <textarea
          id={`${ids}-text`}
          ref={textRef}
          rows={3}
          value={draft.text}
          placeholder="What should the agent keep doing, or do differently here?"
          aria-invalid={Boolean(fields.text) || tooLong}
          aria-describedby={`${ids}-count`}
          onChange={(e) => setDraft({ ...draft, text: e.target.value })}
        />
        <span id={`${ids}-count`} className={`comment-count ${tooLong ? 'over' : ''}`}>
          {fields.text ?? `${draft.text.length}/${COMMENT_MAX_CHARS}`}
        </span>
      </div>
      <fieldset className="comment-vis">
        <legend className="visually-hidden">Who sees it</legend>
        <label className={draft.visibility === 'private' ? 'on' : ''}>
          <input type="radio" name={`${ids}-vis`} checked={draft.visibility === 'private'} onChange={() => setDraft({ ...draft, visibility: 'private' })} />
          Private (reviewers)
        </label>
        <label className={draft.visibility === 'agent' ? 'on' : ''}>
          <input type="radio" name={`${ids}-vis`} checked={draft.visibility === 'agent'} onChange={() => setDraft({ ...draft, visibility: 'agent' })} />
          Visible to {agentName}
        </label>
      </fieldset>
      {action.error && !fields.text && !fields.atMs ? <p className="field-error" role="alert">{action.error.message}</p> : null}
      <div className="comment-form-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel} disabled={action.busy}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary btn-sm" disabled={action.busy || tooLong} aria-busy={action.busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
