import { useCallback, useEffect, useRef, useState } from 'react';
import type { Answers, CalibrationSessionView, EvaluationDetail, ScorecardDefinition } from '@duet/protocol';
import { api } from '../../api';
import { useMe } from '../../auth';
import { formatDate, formatDateTime } from '../../format';
import { useQuery } from '../../query';
import { Link } from '../../router';
import { Badge, Card, ConfirmDialog, ErrorBanner, Loading, Notice, PageHeader, useAction, useNotice, useResource } from '../../ui';
import { EvaluationForm } from '../common/EvaluationForm';
import { programApi } from './api';
import { CalibrationReveal } from './CalibrationReveal';
import { ProgramTabs } from './shared';

/**
 * One calibration session. Before the reveal each participant sees only their own blind score
 * and who has submitted; the owner also sets the reference answers and may close the session.
 * After it, everyone in the session sees the comparison (CalibrationReveal).
 */
export function CalibrationSessionPage({ id }: { id: string }) {
  const me = useMe();
  const view = useResource((signal) => programApi.calibration(id, signal));
  const v = view.data;
  const card = useQuery(`program:scorecard:${v?.scorecardId ?? ''}`, () => (v ? programApi.scorecard(v.scorecardId) : Promise.resolve(null)));
  const call = useQuery(`program:interaction:${v?.interactionId ?? ''}`, () => (v ? api.interaction(v.interactionId) : Promise.resolve(null)));
  const definition = card.data?.versions.find((x) => x.version === v?.scorecardVersion)?.definition ?? null;
  const notice = useNotice();

  if (view.error) {
    return (
      <div className="page-stack">
        <PageHeader title="Calibration session" description={<Link to="/quality/calibration">Calibration</Link>} />
        <ErrorBanner error={view.error} onRetry={view.reload} />
      </div>
    );
  }
  if (!v) return <Loading label="Loading the session…" />;

  const isOwner = v.ownerId === me.id;
  const isParticipant = v.participants.some((p) => p.userId === me.id);
  const submitted = v.participants.filter((p) => p.submitted).length;

  return (
    <div className="page-stack">
      <PageHeader
        title={v.title}
        description={
          <>
            <Link to="/quality/calibration">Calibration</Link> · {v.state === 'revealed' ? <Badge tone="success">Revealed</Badge> : <Badge tone="accent">Open, blind</Badge>} ·{' '}
            {card.data ? `${card.data.name} v${v.scorecardVersion}` : `Scorecard v${v.scorecardVersion}`}
            {call.data ? (
              <>
                {' '}
                · Call:{' '}
                <Link to={`/interactions/${v.interactionId}`} target="_blank" rel="noopener">
                  {call.data.agentName} {call.data.callId ?? ''} ↗
                </Link>
              </>
            ) : null}
          </>
        }
      />
      <ProgramTabs />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {card.error ? <ErrorBanner error={card.error} /> : null}
      {v.state === 'revealed' ? (
        definition ? (
          <>
            <CalibrationReveal view={v} definition={definition} />
            {isOwner || me.roles.includes('admin') ? (
              <ReferenceCard key={JSON.stringify(v.reference)} view={v} definition={definition} onSaved={() => { notice.show('Reference saved: distances updated.'); view.reload(); }} />
            ) : null}
          </>
        ) : (
          <Loading label="Loading the scorecard…" />
        )
      ) : (
        <div className="two-col">
          <div className="page-stack">
            {isParticipant ? (
              definition ? (
                <BlindScore key={`${v.myEvaluationId ?? 'none'}-${v.participants.find((p) => p.userId === me.id)?.submitted}`} session={v} definition={definition} onStarted={view.reload} onSubmitted={() => { notice.show('Your score is submitted.'); view.reload(); }} />
              ) : (
                <Loading label="Loading the scorecard…" />
              )
            ) : (
              <Card title="Blind scoring">
                <p className="muted">You run this session but do not score in it. Set the reference answers; the comparison opens when everyone has submitted or you close the session.</p>
              </Card>
            )}
            {(isOwner || (me.roles.includes('admin') && !isParticipant)) && definition ? <ReferenceCard view={v} definition={definition} onSaved={() => { notice.show('Reference saved. It stays hidden from the evaluators until the reveal.'); view.reload(); }} /> : null}
          </div>
          <div className="page-stack">
            <Card title={`Evaluators: ${submitted} of ${v.participants.length} submitted`}>
              <ul className="participants" data-testid="participants">
                {v.participants.map((p) => (
                  <li key={p.userId}>
                    <span>
                      {p.name}
                      {p.userId === me.id ? <span className="muted"> (you)</span> : null}
                    </span>
                    {p.submitted ? <Badge tone="success">Submitted</Badge> : <Badge tone="neutral">Scoring</Badge>}
                  </li>
                ))}
              </ul>
              <div className="blind-note" role="note">
                <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" style={{ flex: 'none', marginTop: 2 }}>
                  <rect x="4" y="9" width="12" height="8.5" rx="1.6" fill="none" stroke="currentColor" strokeWidth="1.6" />
                  <path d="M7 9V6.5a3 3 0 0 1 6 0V9" fill="none" stroke="currentColor" strokeWidth="1.6" />
                </svg>
                <span>Blind until the reveal: nobody, the owner included, sees anyone's answers or the reference. It opens when the last evaluator submits{isOwner ? ', or when you close the session' : ' or the owner closes the session'}.</span>
              </div>
              {v.dueAt ? <p className="muted">Due {formatDate(v.dueAt)}</p> : null}
              {isOwner || me.roles.includes('admin') ? <RevealButton view={v} onRevealed={view.reload} /> : null}
            </Card>
          </div>
        </div>
      )}
    </div>
  );
}

/** The owner closes the session early: whoever has not submitted is left out of the comparison. */
function RevealButton({ view, onRevealed }: { view: CalibrationSessionView; onRevealed: () => void }) {
  const [open, setOpen] = useState(false);
  const reveal = useAction();
  const submitted = view.participants.filter((p) => p.submitted);
  const missing = view.participants.filter((p) => !p.submitted);
  return (
    <>
      <button type="button" className="btn btn-secondary" disabled={submitted.length === 0} onClick={() => setOpen(true)} title={submitted.length === 0 ? 'Nobody has submitted yet' : undefined}>
        Close and reveal now
      </button>
      <ConfirmDialog
        open={open}
        title="Close the session and reveal?"
        confirmLabel="Close and reveal"
        tone="primary"
        busy={reveal.busy}
        error={reveal.error}
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          const r = await reveal.run(() => programApi.reveal(view.id));
          if (r.ok) {
            setOpen(false);
            onRevealed();
          }
        }}
      >
        {missing.length ? (
          <p>
            {missing.map((p) => p.name).join(', ')} {missing.length === 1 ? 'has' : 'have'} not submitted and will be left out; late scores are refused.
          </p>
        ) : (
          <p>Everyone has submitted.</p>
        )}
        {view.reference ? null : <p>No reference is set yet: distances to the reference appear once you set it.</p>}
      </ConfirmDialog>
    </>
  );
}

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: number } | { kind: 'error'; message: string };

/** The participant's own blind evaluation: autosaved as a draft, then submitted once. */
function BlindScore({ session, definition, onStarted, onSubmitted }: { session: CalibrationSessionView; definition: ScorecardDefinition; onStarted: () => void; onSubmitted: () => void }) {
  const start = useAction();
  const evaluation = useResource<EvaluationDetail | null>((signal) => (session.myEvaluationId ? programApi.evaluation(session.myEvaluationId, signal) : Promise.resolve(null)));
  const [answers, setAnswers] = useState<Answers | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const submit = useAction();
  const revision = useRef(0);
  const pending = useRef<Promise<unknown>>(Promise.resolve());
  const timer = useRef(0);
  const e = evaluation.data;

  useEffect(() => {
    if (e && answers === null) {
      setAnswers(e.answers);
      revision.current = e.revision;
    }
  }, [e, answers]);

  const persist = useCallback(
    (next: Answers) => {
      if (!e) return;
      setSave({ kind: 'saving' });
      pending.current = pending.current.then(() =>
        programApi.saveDraft(e.id, next, revision.current).then(
          (saved) => {
            revision.current = saved.revision;
            setSave({ kind: 'saved', at: Date.now() });
          },
          (err: unknown) => setSave({ kind: 'error', message: err instanceof Error ? err.message : String(err) }),
        ),
      );
    },
    [e],
  );

  useEffect(() => () => window.clearTimeout(timer.current), []);

  if (!session.myEvaluationId) {
    return (
      <Card title="Your blind score">
        <p>
          Score the call on its own merits:{' '}
          <Link to={`/interactions/${session.interactionId}`} target="_blank" rel="noopener">
            listen to it in the player ↗
          </Link>
          , then answer every question here. Your answers stay hidden from everyone until the reveal.
        </p>
        {start.error ? <ErrorBanner error={start.error} /> : null}
        <div>
          <button
            type="button"
            className="btn btn-primary"
            disabled={start.busy}
            aria-busy={start.busy}
            onClick={async () => {
              const r = await start.run(() => programApi.startCalibrationEvaluation(session.id));
              if (r.ok) onStarted();
            }}
          >
            Start my blind score
          </button>
        </div>
      </Card>
    );
  }
  if (evaluation.error) return <ErrorBanner error={evaluation.error} onRetry={evaluation.reload} />;
  if (!e || answers === null) return <Loading label="Loading your score…" />;

  if (e.state !== 'draft') {
    return (
      <Card title="Your blind score" actions={<Badge tone="success">Submitted {e.submittedAt ? formatDateTime(e.submittedAt) : ''}</Badge>}>
        <p className="muted">Submitted. You will see the others' answers at the reveal.</p>
        <EvaluationForm definition={definition} answers={e.answers} readOnly score={e.score} />
      </Card>
    );
  }

  function change(next: Answers) {
    setAnswers(next);
    submit.clear();
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => persist(next), 800);
  }

  async function doSubmit() {
    window.clearTimeout(timer.current);
    await pending.current;
    const r = await submit.run(() => programApi.submit(e!.id, answers!, revision.current));
    if (r.ok) onSubmitted();
  }

  return (
    <Card
      title="Your blind score"
      actions={
        <span className="muted small" role="status" aria-live="polite" data-testid="autosave">
          {save.kind === 'saving' ? 'Saving…' : save.kind === 'saved' ? 'Draft saved' : save.kind === 'error' ? <span className="field-error">Not saved: {save.message}</span> : 'Draft'}
        </span>
      }
    >
      <EvaluationForm definition={definition} answers={answers} onChange={change} issues={submit.error?.issues ?? []} />
      {submit.error ? <ErrorBanner error={submit.error} title="Not submitted" /> : null}
      <div>
        <button type="button" className="btn btn-primary" onClick={doSubmit} disabled={submit.busy} aria-busy={submit.busy}>
          Submit my score
        </button>
      </div>
    </Card>
  );
}

/** The owner's reference answers: what the session agrees is right. Hidden from participants until the reveal. */
function ReferenceCard({ view, definition, onSaved }: { view: CalibrationSessionView; definition: ScorecardDefinition; onSaved: () => void }) {
  const [answers, setAnswers] = useState<Answers>(view.reference ?? {});
  const [open, setOpen] = useState(!view.reference && view.state === 'open');
  const save = useAction();
  return (
    <Card
      title="Reference answers"
      actions={
        <>
          {view.reference ? <Badge tone="success">Set</Badge> : <Badge tone="warning">Not set</Badge>}
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
            {open ? 'Hide' : view.reference ? 'Change the reference' : 'Set the reference'}
          </button>
        </>
      }
    >
      <p className="muted">The answers the session agrees are right; each evaluator's distance to the reference is measured against them.{view.state === 'open' ? ' Only you see them until the reveal.' : ''}</p>
      {open ? (
        <div data-testid="reference-form">
          <EvaluationForm definition={definition} answers={answers} onChange={setAnswers} issues={save.error?.issues ?? []} />
          {save.error ? <ErrorBanner error={save.error} title="Reference not saved" /> : null}
          <div style={{ marginTop: 12 }}>
            <button
              type="button"
              className="btn btn-primary"
              disabled={save.busy}
              aria-busy={save.busy}
              onClick={async () => {
                const r = await save.run(() => programApi.setReference(view.id, { answers }));
                if (r.ok) {
                  setOpen(false);
                  onSaved();
                }
              }}
            >
              Save reference
            </button>
          </div>
        </div>
      ) : null}
    </Card>
  );
}
