import type { Answer, CalibrationHistory, CalibrationSessionView, Question, ScorecardDefinition } from '@duet/protocol';
import { useMe } from '../../auth';
import { useQuery } from '../../query';
import { Card, ErrorBanner, Loading, TableWrap } from '../../ui';
import { BarChart, DotPlot, LineChart, signed } from '../common/charts';
import { programApi } from './api';
import { Figure, pct } from './shared';

/** How an answer reads in the comparison table. */
export function answerText(q: Question | undefined, a: Answer | null | undefined): string {
  if (!a) return '—';
  if (a.na) return 'N/A';
  if (a.value === undefined || a.value === null) return '—';
  if (typeof a.value === 'boolean') return a.value ? 'Yes' : 'No';
  if (q?.type === 'choice') return q.choices?.find((c) => c.id === a.value)?.label ?? String(a.value);
  return String(a.value);
}

const sameAnswer = (a: Answer | null | undefined, b: Answer | null | undefined) =>
  Boolean(a && b) && (a!.na ? Boolean(b!.na) : !b!.na && a!.value !== undefined && a!.value === b!.value);

/**
 * The reveal: how far apart the evaluators were (spread of totals), where they disagreed
 * (agreement per question), how far each was from the reference, and how each evaluator's
 * distance has moved over past sessions.
 */
export function CalibrationReveal({ view, definition }: { view: CalibrationSessionView; definition: ScorecardDefinition }) {
  const r = view.results;
  if (!r) return null;
  const questions = new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.id, q] as const)));
  const names = new Map(view.participants.map((p) => [p.userId, p.name]));
  const hasRef = r.referencePercent !== null;
  const evaluators = [...r.evaluators].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));

  return (
    <div className="page-stack" data-testid="reveal">
      <Card title="Results">
        <div className="figures">
          <Figure label="Evaluators compared" value={`${r.evaluators.length} of ${view.participants.length}`} sub={r.notSubmitted.length ? `${r.notSubmitted.map((id) => names.get(id)).join(', ')} did not submit` : 'everyone submitted'} />
          <Figure label="Mean agreement" value={<span data-testid="mean-agreement">{r.meanAgreement === null ? '—' : pct(Math.round(r.meanAgreement * 1000) / 10)}</span>} sub="share giving the most common answer, averaged over questions" />
          <Figure label="Spread of totals" value={<span data-testid="spread-range">{r.totals ? `${r.totals.range} pts` : '—'}</span>} sub={r.totals ? `${pct(r.totals.min)} to ${pct(r.totals.max)}, SD ${r.totals.stdDev}` : undefined} />
          <Figure label="Reference total" value={<span data-testid="reference-total">{pct(r.referencePercent)}</span>} sub={hasRef ? 'set by the session owner' : 'not set yet'} />
        </div>
      </Card>
      <div className="two-col">
        <Card title="Totals">
          <DotPlot
            testId="chart-spread"
            title="Spread of totals"
            description={`Each evaluator's total score out of 100. Range ${r.totals?.range ?? 0} points, mean ${r.totals?.mean ?? '—'}${hasRef ? `, reference ${r.referencePercent}` : ''}.`}
            points={evaluators.map((e) => ({ id: e.evaluatorId, label: e.name ?? 'Unknown', value: e.percent, flag: e.criticalFailed ? 'critical failure' : undefined }))}
            reference={hasRef ? { value: r.referencePercent!, label: 'Reference' } : null}
            mean={r.totals?.mean ?? null}
          />
        </Card>
        <Card title="Distance to the reference">
          {hasRef ? (
            <BarChart
              testId="chart-distance"
              title="Mean distance per question (0 = same answers as the reference)"
              description="For each evaluator, the average per-question distance to the reference answers, times 100. Lower is closer."
              series={[{ key: 'distance', label: 'Distance', tone: 'navy' }]}
              data={evaluators.map((e) => ({
                id: e.evaluatorId,
                label: e.name ?? 'Unknown',
                values: { distance: e.distanceToReference },
                flag: (e.distanceToReference ?? 0) >= 25 ? { tone: 'warning', text: 'far from the reference' } : undefined,
              }))}
              max={100}
            />
          ) : (
            <p className="muted">No reference yet: the owner sets the reference answers, then each evaluator's distance to them shows here.</p>
          )}
          {hasRef ? (
            <TableWrap label="Totals against the reference">
              <table className="table" data-testid="distance-table">
                <thead>
                  <tr>
                    <th scope="col">Evaluator</th>
                    <th scope="col">Total</th>
                    <th scope="col">Minus reference</th>
                    <th scope="col">Distance</th>
                  </tr>
                </thead>
                <tbody>
                  {evaluators.map((e) => (
                    <tr key={e.evaluatorId}>
                      <th scope="row">{e.name}</th>
                      <td>{pct(e.percent)}</td>
                      <td>{e.differenceToReference === null ? '—' : signed(e.differenceToReference)}</td>
                      <td data-testid={`distance-${e.name}`}>{e.distanceToReference ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          ) : null}
        </Card>
      </div>
      <Card title="Agreement per question">
        <BarChart
          testId="chart-agreement"
          title="Share of evaluators giving the most common answer"
          description="Per question, the percentage of evaluators who gave the most common answer. 100% means everyone agreed; questions below it are the ones to discuss."
          series={[{ key: 'agreement', label: 'Agreement', tone: 'accent' }]}
          data={r.questions.map((q) => ({
            id: q.questionId,
            label: q.question,
            values: { agreement: q.agreement === null ? null : Math.round(q.agreement * 1000) / 10 },
            flag: q.agreement !== null && q.agreement < 1 ? { tone: q.agreement < 0.5 ? 'danger' : 'warning', text: 'to discuss' } : undefined,
          }))}
          max={100}
          unit="%"
          labelWidth={300}
        />
        <TableWrap label="Answers per question">
          <table className="table" data-testid="answers-table">
            <thead>
              <tr>
                <th scope="col">Question</th>
                {evaluators.map((e) => (
                  <th scope="col" key={e.evaluatorId}>
                    {e.name}
                  </th>
                ))}
                <th scope="col">Reference</th>
                <th scope="col">Agreement</th>
                <th scope="col">Spread</th>
              </tr>
            </thead>
            <tbody>
              {r.questions.map((q) => {
                const def = questions.get(q.questionId);
                return (
                  <tr key={q.questionId} data-question={q.questionId}>
                    <th scope="row" style={{ fontWeight: 500, textAlign: 'left' }}>
                      {q.question}
                    </th>
                    {evaluators.map((e) => {
                      const a = q.answers.find((x) => x.evaluatorId === e.evaluatorId)?.answer ?? null;
                      const match = q.reference ? sameAnswer(a, q.reference) : null;
                      return (
                        <td key={e.evaluatorId} className={`answer-cell ${match === null ? '' : match ? 'answer-match' : 'answer-miss'}`}>
                          {answerText(def, a)}
                          {match === null ? null : <span className="visually-hidden">{match ? ' (matches the reference)' : ' (differs from the reference)'}</span>}
                        </td>
                      );
                    })}
                    <td className="answer-cell">{answerText(def, q.reference)}</td>
                    <td data-testid={`agreement-${q.questionId}`}>{q.agreement === null ? '—' : pct(Math.round(q.agreement * 1000) / 10)}</td>
                    <td>{q.spread === null ? '—' : `${q.spread} pts`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
        {hasRef ? <p className="field-hint">Green: the same answer as the reference; red: a different one.</p> : null}
      </Card>
      <EvaluatorHistory view={view} />
    </div>
  );
}

/** Each participant's distance to the reference over the sessions they scored (whose history the viewer may see). */
function EvaluatorHistory({ view }: { view: CalibrationSessionView }) {
  const me = useMe();
  const seesAll = me.roles.includes('admin') || me.roles.includes('qa');
  const people = view.participants.filter((p) => seesAll || p.userId === me.id);
  const histories = useQuery(`program:calibration-history:${view.id}:${view.revealedAt}:${people.map((p) => p.userId).join(',')}`, () =>
    Promise.all(people.map((p) => programApi.history(p.userId).then((h): [string, CalibrationHistory] => [p.name, h]))),
  );
  if (people.length === 0) return null;
  return (
    <Card title={seesAll ? 'Evaluator history' : 'Your history'}>
      {histories.error ? <ErrorBanner error={histories.error} onRetry={histories.refetch} /> : null}
      {!histories.data && histories.loading ? <Loading label="Loading history…" /> : null}
      {histories.data ? (
        <>
          <LineChart
            testId="chart-history"
            title="Distance to the reference over calibration sessions (lower is closer)"
            description="For each evaluator, the mean per-question distance to the reference in each revealed session with a reference, over time."
            yLabel="Distance"
            yMax={100}
            series={histories.data.map(([name, h]) => ({
              id: h.evaluatorId,
              label: name,
              points: h.sessions.filter((s) => s.revealedAt && s.distanceToReference !== null).map((s) => ({ at: s.revealedAt!, value: s.distanceToReference, label: s.title })),
            }))}
          />
          <p className="field-hint">
            Mean distance over all sessions:{' '}
            {histories.data.map(([name, h]) => `${name} ${h.meanDistance ?? '—'}`).join(' · ')}
          </p>
        </>
      ) : null}
    </Card>
  );
}
