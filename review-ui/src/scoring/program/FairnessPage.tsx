import { useMemo, useState } from 'react';
import type { FairnessView, SamplingPlan } from '@duet/protocol';
import { api } from '../../api';
import { useMe } from '../../auth';
import { EMPLOYMENT_LABELS } from '../../format';
import { useQuery } from '../../query';
import { Card, ErrorBanner, Loading, PageHeader, SelectField, TableWrap, TextField } from '../../ui';
import { BarChart } from '../common/charts';
import { programApi } from './api';
import { dayOf, periodRange, periodsIn } from './periods';
import { Figure, pct, ProgramTabs } from './shared';

type Measure = 'evaluations' | 'assigned';
const MEASURES: Record<Measure, string> = { evaluations: 'Evaluations submitted', assigned: 'Calls sampled' };
const DAY = 86_400_000;

/** The preset ranges, UTC days like the sampling periods. */
function presets(now = new Date()) {
  const week = periodRange(now, 'week');
  const month = periodRange(now, 'month');
  const lastWeek = periodRange(new Date(week.start.getTime() - DAY), 'week');
  const lastMonth = periodRange(new Date(month.start.getTime() - DAY), 'month');
  const span = (r: { start: Date; end: Date }) => ({ from: dayOf(r.start), to: dayOf(new Date(r.end.getTime() - DAY)) });
  return { 'This week': span(week), 'Last week': span(lastWeek), 'This month': span(month), 'Last month': span(lastMonth) };
}

/**
 * Who was evaluated how often in a period, and by whom: the check that every agent is sampled
 * alike. Agents more than one away from the target are highlighted; the target is a plan's
 * "N per agent per period" over the range, or the agents' mean when no plan is chosen.
 */
export function FairnessPage() {
  const me = useMe();
  const initial = presets()['This month'];
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [teamId, setTeamId] = useState('');
  const [measure, setMeasure] = useState<Measure>('evaluations');
  const [planId, setPlanId] = useState('');
  const managesPlans = me.roles.includes('admin') || me.roles.includes('qa');

  const validRange = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const fromIso = `${from}T00:00:00.000Z`;
  const toIso = validRange ? new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY).toISOString() : '';
  const view = useQuery(`program:fairness:${fromIso}:${toIso}:${teamId}`, () => (validRange ? programApi.fairness({ from: fromIso, to: toIso, ...(teamId ? { teamId } : {}) }) : Promise.resolve(null)), { staleMs: 5_000 });
  const directory = useQuery('program:directory', () => api.directory());
  const plans = useQuery('program:plans', () => (managesPlans ? programApi.plans().then((r) => r.plans) : Promise.resolve([] as SamplingPlan[])));
  const plan = plans.data?.find((p) => p.id === planId) ?? null;
  const v = view.data;

  const target = useMemo(() => {
    if (!v || !validRange) return null;
    if (plan) {
      const n = periodsIn(new Date(fromIso), new Date(toIso), plan.period).length;
      return { value: plan.perAgent * n, label: `Target: ${plan.perAgent} × ${n} ${plan.period}${n === 1 ? '' : 's'} = ${plan.perAgent * n}` };
    }
    if (!v.agents.length) return null;
    const mean = v.agents.reduce((a, x) => a + x[measure], 0) / v.agents.length;
    return { value: Math.round(mean * 10) / 10, label: `Target: the mean, ${Math.round(mean * 10) / 10}` };
  }, [v, plan, measure, validRange, fromIso, toIso]);

  const outside = v && target ? v.agents.filter((a) => Math.abs(a[measure] - target.value) > 1) : [];
  const teamName = (id: string) => directory.data?.teams.find((t) => t.id === id)?.name ?? '';

  return (
    <div className="page-stack">
      <PageHeader title="Fairness" description="Sample every agent alike: evaluations and sampled calls per agent and per evaluator for a period. Agents more than one away from the target stand out." />
      <ProgramTabs />
      <Card>
        <div className="filters-row">
          <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} error={validRange ? undefined : 'From must be on or before To.'}  />
          <TextField label="To (inclusive)" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          <SelectField label="Team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">All my teams</option>
            {(directory.data?.teams ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </SelectField>
          <SelectField label="Count" value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
            {(Object.keys(MEASURES) as Measure[]).map((m) => (
              <option key={m} value={m}>
                {MEASURES[m]}
              </option>
            ))}
          </SelectField>
          {managesPlans ? (
            <SelectField label="Target from plan" value={planId} onChange={(e) => setPlanId(e.target.value)}>
              <option value="">None (the mean)</option>
              {(plans.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.perAgent}/{p.period})
                </option>
              ))}
            </SelectField>
          ) : null}
        </div>
        <div className="preset-row" aria-label="Periods">
          {Object.entries(presets()).map(([label, r]) => (
            <button
              key={label}
              type="button"
              className="btn btn-secondary btn-sm"
              aria-pressed={from === r.from && to === r.to}
              onClick={() => {
                setFrom(r.from);
                setTo(r.to);
              }}
            >
              {label}
            </button>
          ))}
          <span className="field-hint" style={{ alignSelf: 'center' }}>
            Whole days in UTC, like sampling periods.
          </span>
        </div>
      </Card>
      {view.error ? <ErrorBanner error={view.error} onRetry={view.refetch} /> : null}
      {!v && view.loading ? <Loading label="Counting…" /> : null}
      {v ? <FairnessBody v={v} measure={measure} target={target} outside={outside.length} teamName={teamName} /> : null}
    </div>
  );
}

function FairnessBody({ v, measure, target, outside, teamName }: { v: FairnessView; measure: Measure; target: { value: number; label: string } | null; outside: number; teamName: (id: string) => string }) {
  if (v.agents.length === 0) {
    return (
      <Card>
        <p className="muted">No agents on the teams you may see for this choice.</p>
      </Card>
    );
  }
  const counts = v.agents.map((a) => a[measure]);
  return (
    <>
      <Card title="Summary">
        <div className="figures">
          <Figure label="Agents" value={v.agents.length} />
          <Figure label={`${MEASURES[measure]} per agent`} value={<span data-testid="min-max">{`${Math.min(...counts)} – ${Math.max(...counts)}`}</span>} sub="fewest – most" />
          <Figure label="Never evaluated" value={v.summary?.agentsNeverEvaluated ?? 0} tone={(v.summary?.agentsNeverEvaluated ?? 0) > 0 ? 'bad' : 'good'} sub="in this period" />
          <Figure label="Outside target ±1" value={<span data-testid="outside-count">{target ? outside : '—'}</span>} tone={target ? (outside > 0 ? 'bad' : 'good') : undefined} sub={target?.label} />
        </div>
      </Card>
      <Card title="Per agent">
        <BarChart
          testId="fairness-agents"
          title={`${MEASURES[measure]} per agent`}
          description={`${MEASURES[measure]} for each agent between the chosen dates.${target ? ` ${target.label}; agents more than one away are highlighted.` : ''}`}
          series={[{ key: measure, label: MEASURES[measure], tone: 'accent' }]}
          data={v.agents.map((a) => {
            const n = a[measure];
            const off = target ? n - target.value : 0;
            return {
              id: a.agentId,
              label: a.name,
              values: { [measure]: n },
              flag: target && Math.abs(off) > 1 ? { tone: off < 0 ? 'danger' : 'warning', text: off < 0 ? `${Math.round(-off * 10) / 10} below target` : `${Math.round(off * 10) / 10} above target` } : undefined,
            };
          })}
          target={target ? { value: target.value, tolerance: 1, label: `${target.label} (±1)` } : undefined}
        />
        <TableWrap label="Agents">
          <table className="table" data-testid="fairness-agent-table">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Team</th>
                <th scope="col">Employment</th>
                <th scope="col">Evaluations</th>
                <th scope="col">Average</th>
                <th scope="col">Critical fails</th>
                <th scope="col">Sampled</th>
                <th scope="col">Open</th>
                <th scope="col">Overdue</th>
              </tr>
            </thead>
            <tbody>
              {v.agents.map((a) => (
                <tr key={a.agentId}>
                  <th scope="row" style={{ textAlign: 'left' }}>
                    {a.name}
                  </th>
                  <td>{teamName(a.teamId)}</td>
                  <td>{a.employmentType ? EMPLOYMENT_LABELS[a.employmentType] : '—'}</td>
                  <td>{a.evaluations}</td>
                  <td>{pct(a.averagePercent)}</td>
                  <td>{a.criticalFailures}</td>
                  <td>{a.assigned}</td>
                  <td>{a.open}</td>
                  <td>{a.overdue ? <strong className="field-error">{a.overdue}</strong> : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      <Card title="Per evaluator">
        {v.evaluators.length === 0 ? (
          <p className="muted">Nobody evaluated or was assigned calls in this period.</p>
        ) : (
          <>
            <BarChart
              testId="fairness-evaluators"
              title="Evaluations and assignments per evaluator"
              description="For each evaluator, evaluations submitted and calls assigned by sampling plans in the period."
              series={[
                { key: 'evaluations', label: 'Evaluations submitted', tone: 'accent' },
                { key: 'assigned', label: 'Calls assigned', tone: 'navy' },
              ]}
              data={v.evaluators.map((e) => ({ id: e.evaluatorId, label: e.name ?? 'Unknown', values: { evaluations: e.evaluations, assigned: e.assigned } }))}
            />
            <TableWrap label="Evaluators">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Evaluator</th>
                    <th scope="col">Evaluations</th>
                    <th scope="col">Agents evaluated</th>
                    <th scope="col">Average given</th>
                    <th scope="col">Assigned</th>
                    <th scope="col">Open</th>
                    <th scope="col">Overdue</th>
                  </tr>
                </thead>
                <tbody>
                  {v.evaluators.map((e) => (
                    <tr key={e.evaluatorId}>
                      <th scope="row" style={{ textAlign: 'left' }}>
                        {e.name}
                      </th>
                      <td>{e.evaluations}</td>
                      <td>{e.agentsEvaluated}</td>
                      <td>{pct(e.averagePercentGiven)}</td>
                      <td>{e.assigned}</td>
                      <td>{e.open}</td>
                      <td>{e.overdue}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <p className="field-hint">A high "average given" beside the others' can mean a lenient evaluator: calibrate.</p>
          </>
        )}
      </Card>
    </>
  );
}
