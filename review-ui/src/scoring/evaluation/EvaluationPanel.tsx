import { useCallback, useEffect, useState } from 'react';
import type { RefObject } from 'react';
import type { EvaluationDetail, EvaluationListItem, InteractionSummary, Me } from '@duet/protocol';
import { ApiError } from '../../api';
import { useMe } from '../../auth';
import type { PlayerHandle } from '../../player/Player';
import { Link, navigate, useSearch } from '../../router';
import { ErrorBanner, Loading, useAction, useResource } from '../../ui';
import { formatPercent } from '../common/ScoreSummary';
import { evaluationApi } from './api';
import { EvaluationEditor } from './EvaluationEditor';
import { EvaluationView } from './EvaluationView';
import { KIND_LABELS, STATE_LABELS } from './labels';
import './evaluation.css';

const EVALUATOR_ROLES = ['supervisor', 'qa', 'admin'] as const;

/** Which evaluation the panel opens without an explicit choice: one's own work first, else the latest the person may read. */
function defaultChoice(list: EvaluationListItem[], me: Me): string | null {
  const mine = list.find((e) => e.evaluatorId === me.id && e.kind !== 'calibration');
  const aboutMe = list.find((e) => e.agentId === me.id && e.kind === 'supervisor');
  return (mine ?? aboutMe ?? list.find((e) => e.kind === 'supervisor' && e.state !== 'draft'))?.id ?? null;
}

/**
 * The evaluation side panel of the player (`/interactions/:id?evaluation=<id>&assignment=<id>`):
 * the evaluations of this call the person may see, the chosen one (a draft to score, or a
 * submitted one to read, respond to or decide), and a way to start one's own: a supervisor's
 * evaluation, or the agent's self-evaluation on the same scorecard.
 */
export function EvaluationPanel({ interaction, player }: { interaction: InteractionSummary; player: RefObject<PlayerHandle | null> }) {
  const me = useMe();
  const search = useSearch();
  const chosenParam = search.get('evaluation');
  const assignmentId = search.get('assignment');
  const list = useResource((signal) => evaluationApi.list({ interactionId: interaction.id }, signal));
  const evaluations = (list.data?.evaluations ?? []).filter((e) => e.kind !== 'calibration');
  const chosen = chosenParam ?? (list.data ? defaultChoice(evaluations, me) : null);
  const isAgent = me.id === interaction.agentId;
  const mayEvaluate = !isAgent && me.roles.some((r) => (EVALUATOR_ROLES as readonly string[]).includes(r));
  const hasOwn = (kind: 'supervisor' | 'self') => evaluations.some((e) => e.evaluatorId === me.id && e.kind === kind);
  const canStart = (isAgent && !hasOwn('self')) || (mayEvaluate && !hasOwn('supervisor'));
  const hasSelf = evaluations.some((e) => e.kind === 'self' && e.state !== 'draft');
  const hasSupervisor = evaluations.some((e) => e.kind === 'supervisor' && e.state !== 'draft');

  const seek = useCallback((ms: number) => player.current?.seek(ms), [player]);
  const now = useCallback(() => player.current?.now() ?? 0, [player]);
  // Executives listen to curated calls; scoring is not part of their view.
  if (!me.roles.some((r) => r !== 'executive')) return null;
  const choose = (id: string) => navigate(`/interactions/${interaction.id}?evaluation=${id}`, { replace: true, keepScroll: true });

  return (
    <section className="card eval-panel" aria-labelledby="eval-panel-title" data-testid="evaluation-panel">
      <div className="eval-panel-head">
        <h2 id="eval-panel-title">Evaluation</h2>
        {hasSelf && hasSupervisor ? (
          <Link className="eval-link" to={`/evaluations/compare/${interaction.id}`}>
            Compare self vs supervisor
          </Link>
        ) : null}
      </div>
      {list.error ? <ErrorBanner error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading label="Loading evaluations…" /> : null}
      {evaluations.length > 1 || (evaluations.length === 1 && chosen !== evaluations[0]!.id) ? (
        <div className="eval-tabs" role="tablist" aria-label="Evaluations of this call">
          {evaluations.map((e) => (
            <button key={e.id} type="button" role="tab" aria-selected={e.id === chosen} className={`chip-btn ${e.id === chosen ? 'active' : ''}`} onClick={() => choose(e.id)}>
              {e.kind === 'self' ? 'Self' : e.evaluatorName} · {e.state === 'draft' ? STATE_LABELS.draft : formatPercent(e.score.percent)}
            </button>
          ))}
        </div>
      ) : null}
      {list.data && canStart && (!chosen || (assignmentId && !hasOwn('supervisor'))) ? (
        <StartEvaluation interaction={interaction} kind={isAgent ? 'self' : 'supervisor'} assignmentId={assignmentId} onStarted={(id) => (list.reload(), choose(id))} />
      ) : null}
      {list.data && !chosen && !canStart ? <p className="muted small">No evaluation of this call that you may see yet.</p> : null}
      {chosen ? (
        <ChosenEvaluation key={chosen} id={chosen} me={me} agentName={interaction.agentName} seek={seek} now={now} onListChanged={list.reload} />
      ) : null}
      {list.data && chosen && canStart ? (
        <StartEvaluation compact interaction={interaction} kind={isAgent ? 'self' : 'supervisor'} assignmentId={assignmentId} onStarted={(id) => (list.reload(), choose(id))} />
      ) : null}
    </section>
  );
}

function ChosenEvaluation({ id, me, agentName, seek, now, onListChanged }: { id: string; me: Me; agentName: string; seek: (ms: number) => void; now: () => number; onListChanged: () => void }) {
  const [detail, setDetail] = useState<EvaluationDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    evaluationApi.get(id, controller.signal).then(
      (d) => (setDetail(d), setError(null)),
      (e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof ApiError ? e : new ApiError(0, { error: 'unexpected', message: String(e) }));
      },
    );
    return () => controller.abort();
  }, [id, version]);

  if (error) return <ErrorBanner error={error.status === 404 ? 'This evaluation does not exist or is not yours to see.' : error} onRetry={() => setVersion((v) => v + 1)} />;
  if (!detail) return <Loading label="Loading the evaluation…" />;
  if (detail.state === 'draft' && detail.evaluatorId === me.id) {
    return (
      <EvaluationEditor
        key={`${detail.id}:${version}`}
        detail={detail}
        agentName={agentName}
        currentTime={now}
        onSeek={seek}
        onReload={() => (setDetail(null), setVersion((v) => v + 1))}
        onSubmitted={() => {
          setVersion((v) => v + 1);
          onListChanged();
        }}
      />
    );
  }
  return (
    <EvaluationView
      key={`${detail.id}:${detail.state}`}
      detail={detail}
      me={me}
      onSeek={seek}
      onChanged={(d) => {
        setDetail(d);
        onListChanged();
      }}
    />
  );
}

function StartEvaluation({
  interaction,
  kind,
  assignmentId,
  onStarted,
  compact = false,
}: {
  interaction: InteractionSummary;
  kind: 'supervisor' | 'self';
  assignmentId: string | null;
  onStarted: (id: string) => void;
  compact?: boolean;
}) {
  const cards = useResource((signal) => evaluationApi.scorecards(signal));
  const published = (cards.data?.scorecards ?? []).filter((c) => c.status === 'active' && c.publishedVersion !== null);
  const [scorecardId, setScorecardId] = useState('');
  const start = useAction();
  const [open, setOpen] = useState(!compact);
  // A self-evaluation uses the scorecard of the supervisor's evaluation unless the person picks one.
  const needsCard = kind === 'supervisor' && !assignmentId;
  const cardError = start.error?.issues.find((i) => i.path === 'scorecardId');
  const wantsCard = needsCard || Boolean(cardError);
  const selected = scorecardId || (wantsCard ? (published.find((c) => c.builtIn === null)?.id ?? published[0]?.id ?? '') : '');

  if (!open) {
    return (
      <button type="button" className="eval-link eval-start-more" onClick={() => setOpen(true)}>
        {kind === 'self' ? '+ Score this call yourself' : '+ Evaluate this call too'}
      </button>
    );
  }
  return (
    <div className="eval-start" data-testid="start-evaluation">
      <p className="small">
        {kind === 'self'
          ? 'Score your own call on the same scorecard as your supervisor, then compare your answers with theirs.'
          : assignmentId
            ? 'This call was assigned to you by a sampling plan; its scorecard is set by the plan.'
            : `Score ${interaction.agentName}'s call while it plays: answers save as you go, and ${interaction.agentName} sees it once you submit.`}
      </p>
      {wantsCard && published.length ? (
        <div className="field">
          <label htmlFor={`card-${interaction.id}`}>Scorecard</label>
          <select id={`card-${interaction.id}`} className="eval-input" value={selected} onChange={(e) => setScorecardId(e.target.value)}>
            {published.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} (v{c.publishedVersion})
              </option>
            ))}
          </select>
          {cardError ? <p className="field-error">Pick the scorecard to use: no supervisor evaluation of this call sets it.</p> : null}
        </div>
      ) : null}
      {cards.data && needsCard && !published.length ? <p className="muted small">No published scorecard yet: a QA analyst or admin publishes one under Scorecards.</p> : null}
      {start.error && !cardError ? <ErrorBanner error={start.error} title="Could not start" /> : null}
      <button
        type="button"
        className="btn btn-primary btn-sm"
        disabled={start.busy || (wantsCard && !selected)}
        aria-busy={start.busy}
        onClick={async () => {
          const r = await start.run(() =>
            evaluationApi.start({
              interactionId: interaction.id,
              kind,
              ...(selected ? { scorecardId: selected } : {}),
              ...(assignmentId && kind === 'supervisor' ? { assignmentId } : {}),
            }),
          );
          if (r.ok) onStarted(r.value.id);
        }}
      >
        {kind === 'self' ? 'Start self-evaluation' : 'Start evaluation'}
      </button>
      {kind === 'self' ? null : <p className="muted small">{KIND_LABELS.supervisor}s are shown to the agent only after you submit.</p>}
    </div>
  );
}
