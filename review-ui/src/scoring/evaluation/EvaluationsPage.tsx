import type { EvaluationListItem, Me, ScoringQueue } from '@duet/protocol';
import { api } from '../../api';
import { useMe } from '../../auth';
import { formatDate, formatDateTime, formatRelative } from '../../format';
import { Link } from '../../router';
import { Badge, Card, EmptyState, ErrorBanner, Loading, PageHeader, TableWrap, useResource } from '../../ui';
import { formatPercent, scoreTone } from '../common/ScoreSummary';
import { evaluationApi, evaluationPath } from './api';
import { KIND_LABELS, STATE_LABELS, STATE_TONES } from './labels';
import './evaluation.css';

const isEvaluator = (me: Me) => me.roles.some((r) => r === 'supervisor' || r === 'qa' || r === 'admin');

/**
 * `/evaluations`: for agents, the evaluations of their calls (what needs a response first) and
 * their self-evaluations; for supervisors and QA, "my evaluations to do" (sampling assignments
 * with due dates, drafts), the disputes they review, and the evaluations they may see.
 */
export function EvaluationsPage() {
  const me = useMe();
  const evaluator = isEvaluator(me);
  const queue = useResource((signal) => evaluationApi.queue(signal));
  const list = useResource((signal) => evaluationApi.list({ limit: 200 }, signal));
  const directory = useResource((signal) => (evaluator ? api.directory(signal) : Promise.resolve(null)));
  const agentName = (id: string) => directory.data?.agents.find((a) => a.id === id)?.displayName ?? 'Agent';
  const evaluations = (list.data?.evaluations ?? []).filter((e) => e.kind !== 'calibration');
  const byId = new Map(evaluations.map((e) => [e.id, e]));

  return (
    <div className="eval-page">
      <PageHeader
        title={evaluator ? 'Evaluations' : 'My evaluations'}
        description={
          evaluator
            ? 'Calls assigned to you by sampling plans, drafts to finish, disputes to decide, and the evaluations of your teams.'
            : 'How your calls were scored. Acknowledge an evaluation, or dispute it with a reason; score your own calls to compare with your supervisor.'
        }
      />
      {queue.error ? <ErrorBanner error={queue.error} onRetry={queue.reload} /> : null}
      {queue.loading && !queue.data ? <Loading label="Loading your queue…" /> : null}
      {queue.data ? <Queue queue={queue.data} evaluator={evaluator} agentName={agentName} byId={byId} /> : null}

      <Card title={evaluator ? 'Evaluations you can see' : 'Evaluations of your calls'}>
        {list.error ? <ErrorBanner error={list.error} onRetry={list.reload} /> : null}
        {list.loading && !list.data ? <Loading label="Loading evaluations…" /> : null}
        {list.data && evaluations.length === 0 ? (
          <EmptyState title="No evaluations yet">{evaluator ? 'Open a call from the library and start an evaluation in the panel beside the player.' : 'When a supervisor scores one of your calls, it appears here.'}</EmptyState>
        ) : null}
        {evaluations.length ? <EvaluationTable rows={evaluations} me={me} /> : null}
      </Card>
    </div>
  );
}

function Queue({ queue, evaluator, agentName, byId }: { queue: ScoringQueue; evaluator: boolean; agentName: (id: string) => string; byId: Map<string, EvaluationListItem> }) {
  const drafts = queue.drafts.filter((d) => d.kind !== 'calibration');
  return (
    <>
      {queue.toRespond.length ? (
        <Card title={`Waiting for your response (${queue.toRespond.length})`}>
          <ul className="todo-list" data-testid="to-respond">
            {queue.toRespond.map((r) => (
              <li key={r.evaluationId}>
                <div className="todo-main">
                  <strong>
                    {byId.get(r.evaluationId)?.callId ?? 'Call'} · {formatPercent(r.percent)}
                  </strong>
                  <span className="muted small">
                    Scored by {byId.get(r.evaluationId)?.evaluatorName ?? 'your supervisor'}
                    {r.submittedAt ? ` ${formatRelative(r.submittedAt)}` : ''}
                  </span>
                </div>
                {r.seen ? null : <Badge tone="accent">New</Badge>}
                <Link className="btn btn-primary btn-sm" to={evaluationPath(r.interactionId, r.evaluationId)}>
                  Open
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {queue.disputes.length ? (
        <Card title={`Disputes to review (${queue.disputes.length})`}>
          <ul className="todo-list" data-testid="disputes-to-review">
            {queue.disputes.map((d) => {
              const e = byId.get(d.evaluationId);
              return (
                <li key={d.disputeId}>
                  <div className="todo-main">
                    <strong>
                      {e ? `${e.agentName} · ${e.callId ?? 'call'}` : 'Disputed evaluation'}
                      {e ? ` · ${formatPercent(e.score.percent)}` : ''}
                    </strong>
                    <span className="muted small">
                      Evaluated by {e?.evaluatorName ?? 'a colleague'}; disputed {formatRelative(d.createdAt)}
                    </span>
                  </div>
                  <Link className="btn btn-primary btn-sm" to={evaluationPath(d.interactionId, d.evaluationId)}>
                    Review
                  </Link>
                </li>
              );
            })}
          </ul>
        </Card>
      ) : null}
      {evaluator ? (
        <Card title="My evaluations to do">
          {queue.assignments.length === 0 && drafts.length === 0 ? (
            <p className="muted">Nothing assigned to you right now. Sampling plans assign calls here with a due date.</p>
          ) : (
            <ul className="todo-list" data-testid="todo">
              {queue.assignments.map((a) => (
                <li key={a.id}>
                  <div className="todo-main">
                    <strong>{agentName(a.agentId)}</strong>
                    <span className="muted small">
                      Sampled for {a.period} · due {formatDate(a.dueAt)}
                    </span>
                  </div>
                  {a.overdue ? <Badge tone="danger">Overdue</Badge> : <Badge tone="neutral">Due {formatRelative(a.dueAt)}</Badge>}
                  <Link className="btn btn-primary btn-sm" to={`/interactions/${a.interactionId}?assignment=${a.id}`}>
                    Evaluate
                  </Link>
                </li>
              ))}
              {drafts.map((d) => {
                const e = byId.get(d.evaluationId);
                return (
                  <li key={d.evaluationId}>
                    <div className="todo-main">
                      <strong>{e ? `${e.agentName} · ${e.callId ?? 'call'}` : KIND_LABELS[d.kind]}</strong>
                      <span className="muted small">Draft, last saved {formatRelative(d.updatedAt)}</span>
                    </div>
                    <Badge tone="neutral">{d.kind === 'self' ? 'Self-evaluation' : 'Draft'}</Badge>
                    <Link className="btn btn-secondary btn-sm" to={evaluationPath(d.interactionId, d.evaluationId)}>
                      Continue
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
      ) : drafts.length ? (
        <Card title="Unfinished self-evaluations">
          <ul className="todo-list">
            {drafts.map((d) => (
              <li key={d.evaluationId}>
                <div className="todo-main">
                  <strong>{byId.get(d.evaluationId)?.callId ?? 'Call'}</strong>
                  <span className="muted small">Last saved {formatRelative(d.updatedAt)}</span>
                </div>
                <Link className="btn btn-secondary btn-sm" to={evaluationPath(d.interactionId, d.evaluationId)}>
                  Continue
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </>
  );
}

function EvaluationTable({ rows, me }: { rows: EvaluationListItem[]; me: Me }) {
  const selfFor = new Set(rows.filter((r) => r.kind === 'self' && r.state !== 'draft').map((r) => r.interactionId));
  return (
    <TableWrap label="Evaluations">
      <table className="table" data-testid="evaluations-table">
        <thead>
          <tr>
            <th scope="col">Call</th>
            <th scope="col">Agent</th>
            <th scope="col">Type</th>
            <th scope="col">By</th>
            <th scope="col">Score</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td>
                <span className="cell-strong">{e.callId ?? 'Call'}</span>
                <span className="cell-sub">{formatDateTime(e.interactionStartedAt)}</span>
              </td>
              <td>{e.agentId === me.id ? 'You' : e.agentName}</td>
              <td>{KIND_LABELS[e.kind]}</td>
              <td>{e.evaluatorId === me.id ? 'You' : e.evaluatorName}</td>
              <td>
                <span className="eval-score-cell">
                  {formatPercent(e.score.percent)}
                  <span className="score-bar" aria-hidden="true">
                    <span className={`tone-bg-${scoreTone(e.score.percent, e.score.criticalFailed)}`} style={{ width: `${e.score.percent ?? 0}%` }} />
                  </span>
                </span>
                {e.score.criticalFailed ? <span className="cell-sub">Critical failure</span> : null}
              </td>
              <td>
                <Badge tone={STATE_TONES[e.state]}>{STATE_LABELS[e.state]}</Badge>
              </td>
              <td className="cell-actions">
                <Link to={evaluationPath(e.interactionId, e.id)} aria-label={`Open the ${KIND_LABELS[e.kind].toLowerCase()} of ${e.callId ?? 'the call'} by ${e.evaluatorName}`}>
                  Open
                </Link>
                {e.kind === 'supervisor' && selfFor.has(e.interactionId) ? (
                  <>
                    {' · '}
                    <Link to={`/evaluations/compare/${e.interactionId}`}>Compare</Link>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
