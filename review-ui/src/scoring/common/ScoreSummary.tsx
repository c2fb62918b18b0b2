import type { ScoreResult } from '@duet/protocol';
import './scoring.css';

/** A percent as people read it: "86.7%", or a dash when nothing is scorable yet. */
export function formatPercent(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : `${p}%`;
}

/** Score tone: the colour a total or subtotal is shown in. */
export function scoreTone(p: number | null | undefined, criticalFailed = false): 'danger' | 'warning' | 'success' | 'neutral' {
  if (criticalFailed) return 'danger';
  if (p === null || p === undefined) return 'neutral';
  return p >= 85 ? 'success' : p >= 70 ? 'warning' : 'danger';
}

/**
 * The score of an evaluation: the total, the critical failure and its reason (the total is 0,
 * and what the answers would have earned is kept beside it), and each section's subtotal as a
 * bar, so the weak section stands out without reading numbers.
 */
export function ScoreSummary({ score, title = 'Score' }: { score: ScoreResult; title?: string }) {
  const tone = scoreTone(score.percent, score.criticalFailed);
  const left = score.unanswered.length;
  return (
    <div className={`score-card score-tone-${tone}`} data-testid="score-summary">
      <div className="score-head">
        <span className="score-label">{title}</span>
        <span className="score-total" data-testid="score-total">
          {formatPercent(score.percent)}
        </span>
        <span className="score-points muted small">
          {score.possible > 0 ? `${score.earned} of ${score.possible} pts` : 'Nothing scored yet'}
          {left ? ` · ${left} to answer` : ''}
        </span>
      </div>
      {score.criticalFailed ? (
        <div className="score-critical" role="status" data-testid="critical-failure">
          {score.criticalFailures.map((f) => (
            <p key={f.questionId}>{f.reason}</p>
          ))}
          {score.rawPercent !== null ? <p className="small">Without the critical rule: {score.rawPercent}%.</p> : null}
        </div>
      ) : null}
      <ul className="score-sections">
        {score.sections.map((s) => (
          <li key={s.sectionId}>
            <span className="score-section-title">{s.title}</span>
            <span className="score-bar" aria-hidden="true">
              <span className={`tone-bg-${scoreTone(s.percent)}`} style={{ width: `${s.percent ?? 0}%` }} />
            </span>
            <span className="score-section-pct">{formatPercent(s.percent)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
