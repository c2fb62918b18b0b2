import { useId, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { scoreAnswers, type Answer, type Answers, type Question, type ScorecardDefinition, type ScoreResult } from '@duet/protocol';
import type { Issue } from '../../api';
import { formatClock } from '../../player/time';
import { ScoreSummary } from './ScoreSummary';
import './scoring.css';

/**
 * The scorecard answer form: every section and question of one scorecard version, with yes/no,
 * scale or choice answers, N/A where the question allows it, a comment and evidence moments per
 * answer, and the live score. One component for every place that scores a call (the player's
 * evaluation panel, self-evaluation, blind calibration scoring, dispute resolution) and that
 * shows a score read-only (the agent's view), so they all look and behave alike.
 *
 * It is controlled: the caller owns `answers` and saves them; the form only reports changes.
 * The live score comes from protocol's `scoreAnswers`, the very function the server stores.
 */
export type EvaluationFormProps = {
  /** The scorecard version the evaluation was made with (EvaluationDetail.definition). */
  definition: ScorecardDefinition;
  answers: Answers;
  /** Called with the whole new answers object on every edit. Omit (or set readOnly) to show only. */
  onChange?: (answers: Answers) => void;
  readOnly?: boolean;
  /** The player's time now (ms since the interaction's start): enables "Add current time". */
  currentTime?: () => number;
  /** Jumps the player to an evidence moment; without it moments show as plain times. */
  onSeek?: (ms: number) => void;
  /** Field problems from the API (paths like `answers.greeting.value`), shown beside the question. */
  issues?: readonly Issue[];
  /** Extra content under a question (a dispute reason, the other side's answer…), by question id. */
  questionExtra?: (question: Question) => ReactNode;
  /** Marks questions (e.g. disputed or changed ones) with an accent border. */
  highlighted?: ReadonlySet<string>;
  /** Show the live score card above the questions (default true). */
  showScore?: boolean;
  /** A score to show instead of computing one (a stored evaluation's score). */
  score?: ScoreResult;
};

export function EvaluationForm({
  definition,
  answers,
  onChange,
  readOnly = !onChange,
  currentTime,
  onSeek,
  issues = [],
  questionExtra,
  highlighted,
  showScore = true,
  score: givenScore,
}: EvaluationFormProps) {
  const live = useMemo(() => givenScore ?? scoreAnswers(definition, answers), [givenScore, definition, answers]);
  const byQuestion = useMemo(() => issuesByQuestion(issues), [issues]);
  const fractions = useMemo(() => new Map(live.questions.map((q) => [q.questionId, q])), [live]);

  function change(questionId: string, next: Answer) {
    if (readOnly || !onChange) return;
    onChange({ ...answers, [questionId]: cleanAnswer(next) });
  }

  return (
    <div className="eval-form" data-testid="evaluation-form">
      {showScore ? <ScoreSummary score={live} /> : null}
      {definition.sections.map((section) => {
        const subtotal = live.sections.find((s) => s.sectionId === section.id);
        return (
          <section key={section.id} className="eval-section" aria-label={section.title}>
            <header className="eval-section-head">
              <h3>{section.title}</h3>
              <span className="eval-subtotal" data-testid={`section-score-${section.id}`}>
                {subtotal?.percent == null ? '—' : `${subtotal.percent}%`}
              </span>
            </header>
            {section.description ? <p className="muted small eval-section-desc">{section.description}</p> : null}
            <ol className="eval-questions">
              {section.questions.map((q) => (
                <QuestionItem
                  key={q.id}
                  question={q}
                  answer={answers[q.id]}
                  earned={fractions.get(q.id)?.earned ?? null}
                  fraction={fractions.get(q.id)?.fraction ?? null}
                  readOnly={readOnly}
                  onChange={(a) => change(q.id, a)}
                  currentTime={currentTime}
                  onSeek={onSeek}
                  problems={byQuestion.get(q.id) ?? []}
                  extra={questionExtra?.(q)}
                  highlighted={highlighted?.has(q.id) ?? false}
                />
              ))}
            </ol>
          </section>
        );
      })}
    </div>
  );
}

/** `answers.<id>…` → problems of question <id>; schema paths without the prefix also count. */
function issuesByQuestion(issues: readonly Issue[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues) {
    const parts = i.path.split('.');
    const id = parts[0] === 'answers' ? parts[1] : undefined;
    if (!id) continue;
    out.set(id, [...(out.get(id) ?? []), i.message.charAt(0).toUpperCase() + i.message.slice(1)]);
  }
  return out;
}

/** Leaves empty fields out so stored answers stay small and "unanswered" stays recognisable. */
function cleanAnswer(a: Answer): Answer {
  const out: Answer = {};
  if (a.na) out.na = true;
  else if (a.value !== undefined && a.value !== null) out.value = a.value;
  if (a.comment) out.comment = a.comment;
  if (a.moments?.length) out.moments = a.moments;
  return out;
}

type Option = { key: string; label: string; value: Answer['value'] | 'na' };

function optionsOf(q: Question): Option[] {
  const opts: Option[] =
    q.type === 'yes_no'
      ? [
          { key: 'yes', label: 'Yes', value: true },
          { key: 'no', label: 'No', value: false },
        ]
      : q.type === 'scale'
        ? Array.from({ length: q.scale!.max - q.scale!.min + 1 }, (_, i) => {
            const v = q.scale!.min + i;
            return { key: String(v), label: String(v), value: v };
          })
        : q.choices!.map((c) => ({ key: c.id, label: c.label, value: c.id }));
  if (q.allowNa) opts.push({ key: 'na', label: 'N/A', value: 'na' });
  return opts;
}

function QuestionItem({
  question: q,
  answer,
  earned,
  fraction,
  readOnly,
  onChange,
  currentTime,
  onSeek,
  problems,
  extra,
  highlighted,
}: {
  question: Question;
  answer: Answer | undefined;
  earned: number | null;
  fraction: number | null;
  readOnly: boolean;
  onChange: (a: Answer) => void;
  currentTime?: () => number;
  onSeek?: (ms: number) => void;
  problems: string[];
  extra: ReactNode;
  highlighted: boolean;
}) {
  const name = useId();
  const commentId = useId();
  const a = answer ?? {};
  const [commentOpen, setCommentOpen] = useState(false);
  const showComment = Boolean(a.comment) || commentOpen;
  const moments = a.moments ?? [];
  const selected = a.na ? 'na' : a.value === undefined || a.value === null ? null : typeof a.value === 'boolean' ? (a.value ? 'yes' : 'no') : String(a.value);
  const failedCritical = q.critical && fraction === 0;
  const options = optionsOf(q);

  function pick(o: Option) {
    if (o.value === 'na') onChange({ ...a, na: true, value: undefined });
    else onChange({ ...a, na: undefined, value: o.value });
  }

  function addMoment() {
    if (!currentTime) return;
    const atMs = Math.max(0, Math.round(currentTime()));
    if (moments.some((m) => Math.abs(m.atMs - atMs) < 500)) return;
    onChange({ ...a, moments: [...moments, { atMs }].sort((x, y) => x.atMs - y.atMs) });
  }

  return (
    <li
      className={`eval-q ${problems.length ? 'has-error' : ''} ${highlighted ? 'is-highlighted' : ''} ${failedCritical ? 'is-critical-fail' : ''}`}
      data-testid={`question-${q.id}`}
    >
      <fieldset disabled={readOnly} aria-describedby={problems.length ? `${name}-err` : undefined}>
        <legend className="eval-q-text">
          {q.text}
          {q.critical ? <span className="badge badge-danger eval-tag">Critical</span> : null}
        </legend>
        <div className="eval-q-meta muted small">
          {q.weight > 0 ? `${q.weight} pts` : 'Not scored'}
          {earned !== null && q.weight > 0 ? ` · earns ${earned}` : null}
          {a.na ? ' · N/A, left out of the score' : null}
        </div>
        {q.guidance ? (
          <details className="eval-guidance">
            <summary>Guidance</summary>
            <p>{q.guidance}</p>
          </details>
        ) : null}
        {readOnly ? (
          <p className="eval-answer-ro" data-testid={`answer-${q.id}`}>
            {selected === null ? <span className="muted">Not answered</span> : <strong>{options.find((o) => o.key === selected)?.label ?? selected}{q.type === 'scale' && selected !== 'na' ? ` of ${q.scale!.min}–${q.scale!.max}` : ''}</strong>}
          </p>
        ) : (
          <div className={`eval-options ${q.type === 'choice' ? 'eval-options-list' : ''}`} role="radiogroup" aria-label={q.text}>
            {options.map((o) => (
              <label key={o.key} className={`eval-option ${selected === o.key ? 'is-selected' : ''} ${o.key === 'na' ? 'is-na' : ''}`}>
                <input type="radio" name={name} value={o.key} checked={selected === o.key} onChange={() => pick(o)} />
                <span>{o.label}</span>
              </label>
            ))}
          </div>
        )}
        {problems.length ? (
          <p className="field-error" id={`${name}-err`} role="alert">
            {problems.join(' ')}
          </p>
        ) : null}
      </fieldset>

      {moments.length || (!readOnly && currentTime) ? (
        <div className="eval-moments">
          {moments.map((m, i) => (
            <span key={`${m.atMs}-${i}`} className="eval-moment">
              {onSeek ? (
                <button type="button" className="eval-moment-time" onClick={() => onSeek(m.atMs)} title="Play from here">
                  ▶ {formatClock(m.atMs)}
                </button>
              ) : (
                <span className="eval-moment-time">{formatClock(m.atMs)}</span>
              )}
              {m.note ? <span className="eval-moment-note">{m.note}</span> : null}
              {!readOnly ? (
                <button
                  type="button"
                  className="eval-moment-remove"
                  aria-label={`Remove the moment at ${formatClock(m.atMs)}`}
                  onClick={() => onChange({ ...a, moments: moments.filter((_, j) => j !== i) })}
                >
                  ×
                </button>
              ) : null}
            </span>
          ))}
          {!readOnly && currentTime ? (
            <button type="button" className="btn btn-ghost btn-sm eval-add-moment" onClick={addMoment}>
              + Add current time
            </button>
          ) : null}
        </div>
      ) : null}

      {readOnly ? (
        a.comment ? <p className="eval-comment-ro">{a.comment}</p> : null
      ) : showComment ? (
        <div className="eval-comment">
          <label className="visually-hidden" htmlFor={commentId}>
            Comment on “{q.text}”
          </label>
          <textarea
            id={commentId}
            rows={2}
            maxLength={4000}
            placeholder="What did you hear or see? The agent reads this."
            value={a.comment ?? ''}
            onChange={(e) => onChange({ ...a, comment: e.target.value })}
          />
        </div>
      ) : (
        <button type="button" className="eval-link eval-add-comment" onClick={() => setCommentOpen(true)}>
          Add a comment
        </button>
      )}
      {extra}
    </li>
  );
}
