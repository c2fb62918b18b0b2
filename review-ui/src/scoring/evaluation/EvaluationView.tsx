import { useMemo, useState } from 'react';
import type { Answers, EvaluationDetail, Me, Question } from '@duet/protocol';
import { formatDateTime } from '../../format';
import { Badge, ErrorBanner, useAction } from '../../ui';
import { EvaluationForm } from '../common/EvaluationForm';
import { evaluationApi } from './api';
import { History } from './History';
import { changedAnswers, KIND_LABELS, STATE_LABELS, STATE_TONES } from './labels';

type Mode = 'view' | 'dispute' | 'resolve';

/**
 * A submitted evaluation, read-only, with what the person looking may do next: the agent
 * acknowledges or disputes it (a reason for the whole, or per question); the reviewer the
 * backend chose decides an open dispute (upholds it, or changes answers) with a note for the
 * agent. Its history is always shown beneath.
 */
export function EvaluationView({ detail, me, onSeek, onChanged }: { detail: EvaluationDetail; me: Me; onSeek?: (ms: number) => void; onChanged: (d: EvaluationDetail) => void }) {
  const isAgent = me.id === detail.agentId && detail.kind === 'supervisor';
  const mayResolve =
    detail.state === 'disputed' && me.id !== detail.evaluatorId && me.id !== detail.agentId && (detail.dispute?.reviewerId === me.id || me.roles.includes('admin'));
  const [mode, setMode] = useState<Mode>(mayResolve ? 'resolve' : 'view');
  const name = (id: string | null | undefined) => (id ? (detail.people[id] ?? 'A former user') : 'Nobody yet');
  const disputed = useMemo(() => new Map((detail.dispute?.questions ?? []).map((q) => [q.questionId, q.reason])), [detail.dispute]);

  return (
    <div className="eval-view" data-testid="evaluation-view">
      <div className="eval-view-head">
        <div>
          <strong>{KIND_LABELS[detail.kind]}</strong> by {detail.kind === 'self' ? 'the agent' : name(detail.evaluatorId)}
          <div className="muted small">
            {detail.submittedAt ? `Submitted ${formatDateTime(detail.submittedAt)}` : 'Not submitted'} · scorecard v{detail.scorecardVersion}
          </div>
        </div>
        <Badge tone={STATE_TONES[detail.state]}>{STATE_LABELS[detail.state]}</Badge>
      </div>

      {detail.comment ? (
        <blockquote className="eval-overall-ro">
          <span className="muted small">Overall comment</span>
          <p>{detail.comment}</p>
        </blockquote>
      ) : null}

      {isAgent && detail.state === 'submitted' && mode === 'view' ? <Respond detail={detail} onChanged={onChanged} onDispute={() => setMode('dispute')} /> : null}
      {detail.dispute ? <DisputeBox detail={detail} name={name} /> : null}

      {mode === 'dispute' ? (
        <DisputeForm detail={detail} onCancel={() => setMode('view')} onDone={(d) => (setMode('view'), onChanged(d))} onSeek={onSeek} />
      ) : mode === 'resolve' && mayResolve ? (
        <ResolveForm detail={detail} onDone={(d) => (setMode('view'), onChanged(d))} onSeek={onSeek} />
      ) : (
        <EvaluationForm
          definition={detail.definition}
          answers={detail.answers}
          score={detail.score}
          readOnly
          onSeek={onSeek}
          highlighted={new Set(disputed.keys())}
          questionExtra={(q) => (disputed.has(q.id) ? <p className="eval-dispute-reason">Disputed: {disputed.get(q.id)}</p> : null)}
        />
      )}
      <History detail={detail} name={name} />
    </div>
  );
}

function Respond({ detail, onChanged, onDispute }: { detail: EvaluationDetail; onChanged: (d: EvaluationDetail) => void; onDispute: () => void }) {
  const ack = useAction();
  const [note, setNote] = useState('');
  return (
    <div className="eval-respond" data-testid="respond">
      <p className="small">
        <strong>Your response.</strong> Acknowledge it if it is fair; dispute it if an answer is wrong, and a reviewer other than the evaluator will decide.
      </p>
      <label className="visually-hidden" htmlFor={`ack-${detail.id}`}>
        A note with your acknowledgement (optional)
      </label>
      <input id={`ack-${detail.id}`} className="eval-input" placeholder="A note for your evaluator (optional)" value={note} maxLength={4000} onChange={(e) => setNote(e.target.value)} />
      {ack.error ? <ErrorBanner error={ack.error} /> : null}
      <div className="eval-actions">
        <button
          type="button"
          className="btn btn-primary btn-sm"
          disabled={ack.busy}
          aria-busy={ack.busy}
          onClick={async () => {
            const r = await ack.run(async () => {
              await evaluationApi.acknowledge(detail.id, note.trim() || undefined);
              return evaluationApi.get(detail.id);
            });
            if (r.ok) onChanged(r.value);
          }}
        >
          Acknowledge
        </button>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onDispute}>
          Dispute…
        </button>
      </div>
    </div>
  );
}

function DisputeBox({ detail, name }: { detail: EvaluationDetail; name: (id: string | null) => string }) {
  const d = detail.dispute!;
  return (
    <div className={`eval-dispute-box state-${d.state}`} data-testid="dispute-box">
      <p>
        <strong>{d.state === 'open' ? 'Dispute open' : d.state === 'upheld' ? 'Dispute decided: evaluation upheld' : 'Dispute decided: answers changed'}</strong>
        <span className="muted small"> · reviewer {name(d.reviewerId)}</span>
      </p>
      {d.reason ? <p className="small">“{d.reason}”</p> : null}
      {d.questions.length ? <p className="small muted">{d.questions.length === 1 ? 'One answer' : `${d.questions.length} answers`} disputed (marked below).</p> : null}
      {d.resolution ? (
        <p className="small">
          <strong>{name(d.resolvedBy)}:</strong> {d.resolution}
        </p>
      ) : null}
    </div>
  );
}

function DisputeForm({ detail, onCancel, onDone, onSeek }: { detail: EvaluationDetail; onCancel: () => void; onDone: (d: EvaluationDetail) => void; onSeek?: (ms: number) => void }) {
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const send = useAction();
  const chosen = Object.entries(reasons);
  const problem = (path: string) => send.error?.issues.find((i) => i.path === path || i.path.startsWith(path + '.'))?.message;

  function extra(q: Question) {
    const on = q.id in reasons;
    return (
      <div className="eval-dispute-q">
        <label className="eval-check">
          <input
            type="checkbox"
            checked={on}
            onChange={(e) =>
              setReasons((r) => {
                const next = { ...r };
                if (e.target.checked) next[q.id] = '';
                else delete next[q.id];
                return next;
              })
            }
          />
          Dispute this answer
        </label>
        {on ? (
          <textarea
            aria-label={`Why “${q.text}” is wrong`}
            rows={2}
            className="eval-input"
            placeholder="What happened instead? Name the moment if you can."
            value={reasons[q.id]}
            onChange={(e) => setReasons((r) => ({ ...r, [q.id]: e.target.value }))}
          />
        ) : null}
      </div>
    );
  }

  return (
    <div className="eval-dispute-form" data-testid="dispute-form">
      <p className="small">Tick the answers you disagree with and say why, or explain below why the evaluation as a whole is unfair.</p>
      <EvaluationForm definition={detail.definition} answers={detail.answers} score={detail.score} readOnly onSeek={onSeek} questionExtra={extra} highlighted={new Set(Object.keys(reasons))} showScore={false} />
      <div className="field">
        <label htmlFor={`dispute-${detail.id}`}>Reason for the whole evaluation {chosen.length ? '(optional)' : ''}</label>
        <textarea id={`dispute-${detail.id}`} className="eval-input" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        {problem('reason') ? <p className="field-error">{problem('reason')}</p> : null}
        {problem('questions') ? <p className="field-error">Each ticked answer needs a reason.</p> : null}
      </div>
      {send.error && !send.error.issues.length ? <ErrorBanner error={send.error} title="Dispute not sent" /> : null}
      <div className="eval-actions">
        <button
          type="button"
          className="btn btn-primary btn-sm"
          disabled={send.busy}
          aria-busy={send.busy}
          onClick={async () => {
            const r = await send.run(() =>
              evaluationApi.dispute(detail.id, {
                ...(reason.trim() ? { reason: reason.trim() } : {}),
                ...(chosen.length ? { questions: chosen.map(([questionId, why]) => ({ questionId, reason: why.trim() })) } : {}),
              }),
            );
            if (r.ok) onDone(r.value);
          }}
        >
          Send dispute
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ResolveForm({ detail, onDone, onSeek }: { detail: EvaluationDetail; onDone: (d: EvaluationDetail) => void; onSeek?: (ms: number) => void }) {
  const [answers, setAnswers] = useState<Answers>(detail.answers);
  const [note, setNote] = useState('');
  const send = useAction();
  const changes = changedAnswers(detail.answers, answers) as Answers;
  const changedCount = Object.keys(changes).length;
  const reasons = new Map((detail.dispute?.questions ?? []).map((q) => [q.questionId, q.reason]));
  const noteError = send.error?.issues.find((i) => i.path === 'comment')?.message;

  async function decide(outcome: 'upheld' | 'changed') {
    const r = await send.run(() => evaluationApi.resolve(detail.id, outcome === 'upheld' ? { outcome, comment: note } : { outcome, comment: note, answers: changes }));
    if (r.ok) onDone(r.value);
  }

  return (
    <div className="eval-resolve" data-testid="resolve-form">
      <p className="small">
        <strong>You review this dispute.</strong> Listen again to the disputed moments, change the answers that were wrong (or none), and explain your decision to the agent.
      </p>
      <EvaluationForm
        definition={detail.definition}
        answers={answers}
        onChange={setAnswers}
        onSeek={onSeek}
        issues={send.error?.issues ?? []}
        highlighted={new Set([...reasons.keys(), ...Object.keys(changes)])}
        questionExtra={(q) => (reasons.has(q.id) ? <p className="eval-dispute-reason">Agent: {reasons.get(q.id)}</p> : null)}
      />
      <div className="field">
        <label htmlFor={`decision-${detail.id}`}>Your decision, for the agent</label>
        <textarea id={`decision-${detail.id}`} className="eval-input" rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-invalid={noteError ? true : undefined} />
        {noteError ? <p className="field-error">{noteError.charAt(0).toUpperCase() + noteError.slice(1)}</p> : null}
      </div>
      {send.error && !send.error.issues.length ? <ErrorBanner error={send.error} title="Not decided" /> : null}
      <div className="eval-actions">
        <button type="button" className="btn btn-primary btn-sm" disabled={send.busy || !changedCount} onClick={() => void decide('changed')} title={changedCount ? undefined : 'Change an answer first'}>
          Change {changedCount || ''} answer{changedCount === 1 ? '' : 's'}
        </button>
        <button type="button" className="btn btn-secondary btn-sm" disabled={send.busy || changedCount > 0} onClick={() => void decide('upheld')} title={changedCount ? 'You changed answers: undo them to uphold' : undefined}>
          Uphold the evaluation
        </button>
      </div>
    </div>
  );
}
