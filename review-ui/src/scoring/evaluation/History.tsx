import type { Answer, EvaluationDetail } from '@duet/protocol';
import { formatDateTime } from '../../format';
import { answerLabel, questionsOf } from './labels';

type Event = EvaluationDetail['history'][number];

/** What each history event says, in words; unknown kinds (added later) still show by name. */
function describe(e: Event, who: string): string {
  const d = e.detail as Record<string, unknown>;
  switch (e.kind) {
    case 'created':
      return `${who} started it (scorecard v${String(d.scorecardVersion ?? '?')})`;
    case 'submitted':
      return `${who} submitted it: ${d.percent === null || d.percent === undefined ? '—' : `${String(d.percent)}%`}${d.criticalFailed ? ', critical failure' : ''}`;
    case 'seen_by_agent':
      return `${who} opened it`;
    case 'acknowledged':
      return `${who} acknowledged it${d.comment ? `: “${String(d.comment)}”` : ''}`;
    case 'disputed': {
      const n = Array.isArray(d.questions) ? d.questions.length : 0;
      return `${who} disputed ${n ? `${n} answer${n === 1 ? '' : 's'}` : 'it'}${d.reason ? `: “${String(d.reason)}”` : ''}`;
    }
    case 'answers_changed':
      return `${who} changed answers: ${String(d.percentBefore ?? '—')}% → ${String(d.percentAfter ?? '—')}%`;
    case 'dispute_upheld':
      return `${who} upheld the evaluation: “${String(d.comment ?? '')}”`;
    case 'dispute_changed':
      return `${who} decided the dispute: “${String(d.comment ?? '')}”`;
    default:
      return `${who}: ${e.kind.replace(/_/g, ' ')}`;
  }
}

/** The evaluation's full history, oldest first, as a timeline; changed answers show before → after. */
export function History({ detail, name }: { detail: EvaluationDetail; name: (id: string | null) => string }) {
  const questions = questionsOf(detail.definition);
  return (
    <section className="eval-history" aria-label="History" data-testid="evaluation-history">
      <h3>History</h3>
      <ol>
        {detail.history.map((e, i) => {
          const d = e.detail as { before?: Record<string, Answer>; after?: Record<string, Answer> };
          return (
            <li key={i} className={`ev-${e.kind}`}>
              <span className="eval-history-dot" aria-hidden="true" />
              <div>
                <p>{describe(e, e.actorId ? name(e.actorId) : 'Duet')}</p>
                {e.kind === 'answers_changed' && d.after ? (
                  <ul className="eval-history-changes">
                    {Object.keys(d.after).map((qid) => {
                      const q = questions.find((x) => x.id === qid);
                      return (
                        <li key={qid}>
                          {q?.text ?? qid}: <s>{answerLabel(q, d.before?.[qid])}</s> → <strong>{answerLabel(q, d.after![qid])}</strong>
                        </li>
                      );
                    })}
                  </ul>
                ) : null}
                <time className="muted small" dateTime={e.at}>
                  {formatDateTime(e.at)}
                </time>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
