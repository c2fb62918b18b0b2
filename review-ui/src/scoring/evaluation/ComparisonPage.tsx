import type { EvaluationComparison, EvaluationDetail, Question } from '@duet/protocol';
import { useMe } from '../../auth';
import { Link } from '../../router';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader, TableWrap, useResource } from '../../ui';
import { formatPercent, scoreTone } from '../common/ScoreSummary';
import { evaluationApi, evaluationPath } from './api';
import { answerLabel, questionsOf } from './labels';
import './evaluation.css';

type Loaded = { comparison: EvaluationComparison; detail: EvaluationDetail | null };

/**
 * `/evaluations/compare/:interactionId`: the agent's self-evaluation beside the supervisor's, on
 * the same scorecard. The totals are two bars on one scale; each question shows both answers
 * and how much of its weight each earned, and the rows where they differ are marked, so the
 * coaching conversation starts where agent and supervisor see the call differently.
 */
export function ComparisonPage({ interactionId }: { interactionId: string }) {
  const me = useMe();
  const data = useResource<Loaded>(async (signal) => {
    const comparison = await evaluationApi.comparison(interactionId, signal);
    // The scorecard (question types, choice labels) comes with either evaluation's detail.
    const source = comparison.supervisor ?? comparison.self;
    const detail = source ? await evaluationApi.get(source.id, signal) : null;
    return { comparison, detail };
  });

  const c = data.data?.comparison;
  const self = c?.self;
  const sup = c?.supervisor;
  const questions = new Map<string, Question>((data.data?.detail ? questionsOf(data.data.detail.definition) : []).map((q) => [q.id, q]));
  const differing = c?.questions.filter((q) => q.differs).length ?? 0;
  const agentIsMe = self?.agentId === me.id || sup?.agentId === me.id;

  return (
    <div className="eval-page">
      <PageHeader
        title="Self-evaluation vs supervisor"
        description={agentIsMe ? 'Your answers beside your supervisor’s, question by question. Marked rows are where you see the call differently.' : 'The agent’s own answers beside the supervisor’s. Marked rows are where they see the call differently.'}
        actions={
          <Link className="btn btn-secondary" to={evaluationPath(interactionId, sup?.id)}>
            Open the call
          </Link>
        }
      />
      {data.error ? <ErrorBanner error={data.error.status === 404 ? 'This call does not exist or is not yours to see.' : data.error} onRetry={data.reload} /> : null}
      {data.loading && !data.data ? <Loading label="Loading the comparison…" /> : null}
      {c && (!self || !sup) ? (
        <EmptyState title={!self ? 'No self-evaluation yet' : 'No supervisor evaluation yet'}>
          {!self ? 'The agent has not scored this call yet: they start a self-evaluation from the panel beside the player.' : 'The comparison appears once a supervisor’s evaluation of this call is submitted.'}
        </EmptyState>
      ) : null}
      {c && self && sup ? (
        <>
          <Card title="Totals">
            <div className="cmp-totals" data-testid="comparison-totals">
              {[
                { label: 'Supervisor', e: sup },
                { label: agentIsMe ? 'You' : 'Agent (self)', e: self },
              ].map(({ label, e }) => (
                <div className="cmp-total" key={label}>
                  <span>{label}</span>
                  <span className="score-bar" aria-hidden="true">
                    <span className={`tone-bg-${scoreTone(e.score.percent, e.score.criticalFailed)}`} style={{ width: `${e.score.percent ?? 0}%` }} />
                  </span>
                  <strong>{formatPercent(e.score.percent)}</strong>
                </div>
              ))}
              <p className="muted small" data-testid="comparison-summary">
                {c.totalDifference === null
                  ? 'No total to compare.'
                  : c.totalDifference === 0
                    ? 'Same total.'
                    : `The self-evaluation is ${Math.abs(c.totalDifference)} points ${c.totalDifference > 0 ? 'higher' : 'lower'}.`}{' '}
                {differing === 0 ? 'Every answer agrees.' : `${differing} of ${c.questions.length} answers differ.`}
              </p>
            </div>
          </Card>
          <Card title="Question by question">
            <TableWrap label="Answers side by side">
              <table className="table cmp-table" data-testid="comparison-table">
                <thead>
                  <tr>
                    <th scope="col">Question</th>
                    <th scope="col">Supervisor</th>
                    <th scope="col">{agentIsMe ? 'You' : 'Agent'}</th>
                    <th scope="col">
                      <span className="visually-hidden">Differs</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.questions.map((q) => (
                    <tr key={q.questionId} className={q.differs ? 'differs' : ''} data-differs={q.differs ? 'true' : 'false'}>
                      <td>{q.question}</td>
                      <td>
                        <Answer label={answerLabel(questions.get(q.questionId), q.supervisor)} fraction={q.supervisorFraction} comment={q.supervisor?.comment} />
                      </td>
                      <td>
                        <Answer label={answerLabel(questions.get(q.questionId), q.self)} fraction={q.selfFraction} comment={q.self?.comment} />
                      </td>
                      <td>{q.differs ? <span className="badge badge-warning">Differs</span> : <span className="muted small">Same</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </Card>
        </>
      ) : null}
    </div>
  );
}

function Answer({ label, fraction, comment }: { label: string; fraction: number | null; comment?: string }) {
  return (
    <div className="cmp-answer">
      <span>
        <strong>{label}</strong>
      </span>
      {fraction !== null ? (
        <span className="cmp-frac" title={`${Math.round(fraction * 100)}% of the question's points`} aria-hidden="true">
          <span className={`tone-bg-${scoreTone(fraction * 100)}`} style={{ width: `${fraction * 100}%` }} />
        </span>
      ) : null}
      {comment ? <span className="muted small">{comment}</span> : null}
    </div>
  );
}
