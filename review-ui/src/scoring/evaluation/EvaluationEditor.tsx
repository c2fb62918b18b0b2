import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { scoreAnswers, type Answers, type Evaluation, type EvaluationDetail } from '@duet/protocol';
import { ApiError, type Issue } from '../../api';
import { ConfirmDialog, ErrorBanner } from '../../ui';
import { EvaluationForm } from '../common/EvaluationForm';
import { formatPercent } from '../common/ScoreSummary';
import { evaluationApi } from './api';
import { KIND_LABELS } from './labels';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: Date } | { kind: 'error'; error: ApiError };

const AUTOSAVE_MS = 800;

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, { error: 'unexpected', message: e instanceof Error ? e.message : String(e) }));

/**
 * A draft being scored (a supervisor's evaluation or the agent's self-evaluation): the form,
 * autosaved shortly after each change, and submitted after a confirmation. Saves go one at a
 * time carrying the revision last saved, so the server refuses (rather than merges) a draft
 * that another tab saved meanwhile; the person is told and offered a reload.
 */
export function EvaluationEditor({
  detail,
  agentName,
  currentTime,
  onSeek,
  onSubmitted,
  onReload,
}: {
  detail: EvaluationDetail;
  agentName: string;
  currentTime?: () => number;
  onSeek?: (ms: number) => void;
  onSubmitted: (e: Evaluation) => void;
  onReload: () => void;
}) {
  const [answers, setAnswers] = useState<Answers>(detail.answers);
  const [comment, setComment] = useState(detail.comment ?? '');
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [issues, setIssues] = useState<Issue[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const revision = useRef(detail.revision);
  const pending = useRef<{ answers: Answers; comment: string } | null>(null);
  const inflight = useRef<Promise<void> | null>(null);
  const timer = useRef(0);
  const score = useMemo(() => scoreAnswers(detail.definition, answers), [detail.definition, answers]);
  const self = detail.kind === 'self';

  const flush = useCallback((): Promise<void> => {
    if (inflight.current) return inflight.current;
    const next = pending.current;
    if (!next) return Promise.resolve();
    pending.current = null;
    setSave({ kind: 'saving' });
    const run = evaluationApi
      .saveDraft(detail.id, next.answers, next.comment, revision.current)
      .then(
        (e) => {
          revision.current = e.revision;
          setIssues([]);
          setSave({ kind: 'saved', at: new Date() });
        },
        (err: unknown) => {
          const e = asApiError(err);
          setIssues(e.issues);
          setSave({ kind: 'error', error: e });
          // A refused save (stale revision, bad answer) is not retried with the same content.
          if (e.status === 0 && !pending.current) pending.current = next;
        },
      )
      .finally(() => {
        inflight.current = null;
        if (pending.current) void flush();
      });
    inflight.current = run;
    return run;
  }, [detail.id]);

  // Leaving the page with a change not yet saved: save it now rather than lose it.
  useEffect(
    () => () => {
      window.clearTimeout(timer.current);
      if (pending.current) void flush();
    },
    [flush],
  );

  function schedule(nextAnswers: Answers, nextComment: string) {
    pending.current = { answers: nextAnswers, comment: nextComment };
    setSubmitError(null);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void flush(), AUTOSAVE_MS);
  }

  async function submit() {
    setSubmitting(true);
    setSubmitError(null);
    window.clearTimeout(timer.current);
    pending.current = null;
    if (inflight.current) await inflight.current;
    try {
      const e = await evaluationApi.submit(detail.id, answers, comment, revision.current);
      setConfirming(false);
      onSubmitted(e);
    } catch (err) {
      const e = asApiError(err);
      setSubmitError(e);
      setIssues(e.issues);
      // Problems with answers are shown beside the questions; the dialog gets out of the way.
      if (e.issues.length) {
        setConfirming(false);
        window.setTimeout(() => document.querySelector('.eval-q.has-error')?.scrollIntoView({ block: 'center', behavior: 'smooth' }), 50);
      }
    } finally {
      setSubmitting(false);
    }
  }

  const left = score.unanswered.length;
  return (
    <div className="eval-editor">
      <div className="eval-editor-bar">
        <span className="muted small">
          {KIND_LABELS[detail.kind]} · scorecard v{detail.scorecardVersion}
        </span>
        <SaveIndicator state={save} onRetry={() => void flush()} onReload={onReload} />
      </div>
      <EvaluationForm
        definition={detail.definition}
        answers={answers}
        onChange={(next) => {
          setAnswers(next);
          schedule(next, comment);
        }}
        currentTime={currentTime}
        onSeek={onSeek}
        issues={issues}
      />
      <div className="field eval-overall">
        <label htmlFor={`overall-${detail.id}`}>{self ? 'Your notes on the call' : `Overall comment for ${agentName}`}</label>
        <textarea
          id={`overall-${detail.id}`}
          rows={3}
          maxLength={8000}
          value={comment}
          placeholder={self ? 'What went well, what you would do differently' : 'The one thing to keep doing, the one thing to change'}
          onChange={(e) => {
            setComment(e.target.value);
            schedule(answers, e.target.value);
          }}
        />
      </div>
      {submitError && !confirming ? (
        <ErrorBanner
          title="Not submitted"
          error={submitError.issues.length ? `${submitError.issues.length === 1 ? 'One question needs' : `${submitError.issues.length} questions need`} your attention: see the marked questions above.` : submitError}
        />
      ) : null}
      <div className="eval-submit-row">
        <span className="muted small">{left ? `${left} question${left === 1 ? '' : 's'} left to answer` : 'Every question answered'}</span>
        <button type="button" className="btn btn-primary" onClick={() => setConfirming(true)}>
          {self ? 'Submit self-evaluation' : 'Submit evaluation'}
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={self ? 'Submit your self-evaluation?' : 'Submit this evaluation?'}
        confirmLabel="Submit"
        tone="primary"
        busy={submitting}
        error={submitError && !submitError.issues.length ? submitError : null}
        onConfirm={() => void submit()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Score: <strong>{formatPercent(score.percent)}</strong>
          {score.criticalFailed ? ' (critical failure)' : ''}.
        </p>
        <p>
          {self
            ? 'Your supervisor can then compare it with their evaluation of the call. It cannot be edited afterwards.'
            : `${agentName} will be notified and can acknowledge or dispute it. It cannot be edited afterwards.`}
        </p>
        {left ? <p className="muted">{left} question{left === 1 ? ' is' : 's are'} not answered yet: the server will list what to fix.</p> : null}
      </ConfirmDialog>
    </div>
  );
}

function SaveIndicator({ state, onRetry, onReload }: { state: SaveState; onRetry: () => void; onReload: () => void }) {
  if (state.kind === 'idle') return <span className="save-state muted small" data-testid="save-state">Changes save automatically</span>;
  if (state.kind === 'saving')
    return (
      <span className="save-state small" data-testid="save-state" role="status">
        <span className="spinner spinner-inline" aria-hidden="true" /> Saving…
      </span>
    );
  if (state.kind === 'saved')
    return (
      <span className="save-state save-ok small" data-testid="save-state" role="status">
        ✓ Saved {state.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
      </span>
    );
  const stale = state.error.status === 409;
  return (
    <span className="save-state save-error small" data-testid="save-state" role="alert" title={state.error.message}>
      Not saved: {stale ? 'changed in another tab. ' : state.error.status === 400 ? 'see the marked questions. ' : `${state.error.message} `}
      <button type="button" className="eval-link" onClick={stale ? onReload : onRetry}>
        {stale ? 'Reload' : 'Retry'}
      </button>
    </span>
  );
}
