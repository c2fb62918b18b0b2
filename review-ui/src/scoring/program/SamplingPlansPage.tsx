import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { CreateSamplingPlanRequest, Directory, EvaluatorOption, SamplingPlan, SamplingRunResult, ScorecardSummary } from '@duet/protocol';
import { api } from '../../api';
import { formatDateTime, plural, ROLE_LABELS } from '../../format';
import { Link } from '../../router';
import {
  Badge,
  Card,
  CheckboxGroup,
  EmptyState,
  ErrorBanner,
  Loading,
  Modal,
  Notice,
  PageHeader,
  SelectField,
  SubmitButton,
  TableWrap,
  TextField,
  useAction,
  useFocusFirstInvalid,
  useNotice,
  useResource,
} from '../../ui';
import { BarChart } from '../common/charts';
import { programApi } from './api';
import { periodKeyOf } from './periods';
import { ProgramTabs } from './shared';

type Data = { plans: SamplingPlan[]; scorecards: ScorecardSummary[]; evaluators: EvaluatorOption[]; directory: Directory };

async function loadAll(signal: AbortSignal): Promise<Data> {
  const [plans, cards, evaluators, directory] = await Promise.all([programApi.plans(signal), programApi.scorecards(true, signal), programApi.evaluators(undefined, signal), api.directory(signal)]);
  return { plans: plans.plans, scorecards: cards.scorecards, evaluators: evaluators.evaluators, directory };
}

/** "2 per agent per week · North, South · at least 3 min". */
export function planRule(p: SamplingPlan, d: Directory): string {
  const parts = [`${p.perAgent} per agent per ${p.period}`];
  if (p.filters.teamIds?.length) parts.push(p.filters.teamIds.map((id) => d.teams.find((t) => t.id === id)?.name ?? 'unknown team').join(', '));
  else parts.push('all teams');
  if (p.filters.minDurationMs !== undefined) parts.push(`at least ${Math.round(p.filters.minDurationMs / 60000)} min`);
  if (p.filters.maxDurationMs !== undefined) parts.push(`at most ${Math.round(p.filters.maxDurationMs / 60000)} min`);
  if (p.filters.direction) parts.push(p.filters.direction);
  return parts.join(' · ');
}

export function SamplingPlansPage() {
  const data = useResource(loadAll);
  const notice = useNotice();
  const [editing, setEditing] = useState<SamplingPlan | 'new' | null>(null);
  const [lastRun, setLastRun] = useState<{ plan: SamplingPlan; result: SamplingRunResult } | null>(null);
  const run = useAction();
  const [running, setRunning] = useState<string | null>(null);
  const d = data.data;
  const names = useMemo(() => new Map((d?.evaluators ?? []).map((e) => [e.id, e.displayName])), [d]);

  async function runNow(plan: SamplingPlan) {
    setRunning(plan.id);
    const r = await run.run(() => programApi.runPlan(plan.id));
    setRunning(null);
    if (r.ok) {
      setLastRun({ plan, result: r.value });
      notice.show(`${plan.name}: ${plural(r.value.assigned, 'call')} assigned for ${r.value.period}.`);
    }
  }

  return (
    <div className="page-stack">
      <PageHeader
        title="Sampling plans"
        description="Evaluate every agent alike: N calls per agent per week or month, drawn at random within the filters and shared among the evaluators in balance, each with a due date. Active plans run every hour for the period that just ended; run one now for the current period."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={!d}>
            New plan
          </button>
        }
      />
      <ProgramTabs />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {data.error ? <ErrorBanner error={data.error} onRetry={data.reload} /> : null}
      {run.error ? <ErrorBanner error={run.error} title="The plan did not run" /> : null}
      <Card title={d ? plural(d.plans.length, 'plan') : 'Plans'}>
        {data.loading && !d ? <Loading label="Loading plans…" /> : null}
        {d && d.plans.length === 0 ? (
          <EmptyState
            title="No sampling plans yet"
            action={
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
                New plan
              </button>
            }
          >
            A plan decides how many calls of each agent are evaluated per period, and by whom.
          </EmptyState>
        ) : null}
        {d && d.plans.length > 0 ? (
          <TableWrap label="Sampling plans">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Evaluators</th>
                  <th scope="col">Due</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.plans.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/quality/plans/${p.id}`} className="cell-strong">
                        {p.name}
                      </Link>
                      <span className="cell-sub">{d.scorecards.find((c) => c.id === p.scorecardId)?.name ?? 'Scorecard'}</span>
                    </td>
                    <td>{planRule(p, d.directory)}</td>
                    <td>{p.evaluatorIds.map((id) => names.get(id) ?? 'Unknown').join(', ')}</td>
                    <td className="nowrap">{p.dueDays} days after</td>
                    <td>{p.active ? <Badge tone="success">Active</Badge> : <Badge tone="neutral">Paused</Badge>}</td>
                    <td className="cell-actions">
                      <button type="button" className="btn btn-primary btn-sm" onClick={() => runNow(p)} disabled={running !== null} aria-busy={running === p.id} aria-label={`Run ${p.name} now`}>
                        {running === p.id ? <span className="spinner spinner-inline" aria-hidden="true" /> : null}
                        Run now
                      </button>
                      <button type="button" className="btn btn-secondary btn-sm" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                        Edit
                      </button>
                      <Link to={`/quality/plans/${p.id}`} className="btn btn-secondary btn-sm" aria-label={`Assignments of ${p.name}`}>
                        Assignments
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </Card>
      {lastRun && d ? <RunResult plan={lastRun.plan} result={lastRun.result} data={d} /> : null}
      <Modal open={editing !== null} title={editing === 'new' ? 'New sampling plan' : `Edit ${editing?.name ?? ''}`} onClose={() => setEditing(null)} size="lg" bare>
        {editing && d ? (
          <PlanForm
            key={editing === 'new' ? 'new' : editing.id}
            plan={editing === 'new' ? null : editing}
            data={d}
            onCancel={() => setEditing(null)}
            onSaved={(message) => {
              setEditing(null);
              notice.show(message);
              data.reload();
            }}
          />
        ) : null}
      </Modal>
    </div>
  );
}

/** What a run did: the counts per agent and per evaluator for the period, and any shortfall. */
function RunResult({ plan, result, data }: { plan: SamplingPlan; result: SamplingRunResult; data: Data }) {
  const agentName = (id: string) => data.directory.agents.find((a) => a.id === id)?.displayName ?? 'Unknown agent';
  const evaluatorName = (id: string) => data.evaluators.find((e) => e.id === id)?.displayName ?? 'Unknown';
  const agents = Object.entries(result.perAgent).sort((a, b) => agentName(a[0]).localeCompare(agentName(b[0])));
  return (
    <Card title={`Run of ${plan.name} for ${result.period}`} actions={<Link to={`/quality/plans/${plan.id}?period=${result.period}`}>View the assignments</Link>}>
      <p>
        {result.assigned === 0 ? 'Nothing new to assign: every agent already has their calls for this period (a rerun only tops up).' : `${plural(result.assigned, 'call')} newly assigned.`}{' '}
        {result.shortfalls.length ? (
          <strong className="field-error">
            {result.shortfalls.map((s) => `${agentName(s.agentId)} had only ${s.assigned} of ${s.wanted} eligible`).join('; ')}.
          </strong>
        ) : null}
      </p>
      <div className="two-col">
        <BarChart
          testId="run-per-agent"
          title="Calls sampled per agent this period"
          description={`Calls of each agent assigned by the plan for ${result.period}; the plan asks ${plan.perAgent} each.`}
          series={[{ key: 'n', label: 'Sampled' }]}
          data={agents.map(([id, n]) => ({ id, label: agentName(id), values: { n }, flag: n < plan.perAgent ? { tone: 'warning', text: 'fewer eligible calls than asked' } : undefined }))}
          target={{ value: plan.perAgent, tolerance: 0, label: `Plan: ${plan.perAgent} each` }}
        />
        <BarChart
          testId="run-per-evaluator"
          title="Assignments per evaluator this period"
          description={`Calls each evaluator must score for ${result.period}.`}
          series={[{ key: 'n', label: 'Assigned', tone: 'navy' }]}
          data={Object.entries(result.perEvaluator).map(([id, n]) => ({ id, label: evaluatorName(id), values: { n } }))}
        />
      </div>
    </Card>
  );
}

const minutes = (ms: number | undefined) => (ms === undefined ? '' : String(Math.round(ms / 60000)));

function PlanForm({ plan, data, onCancel, onSaved }: { plan: SamplingPlan | null; data: Data; onCancel: () => void; onSaved: (message: string) => void }) {
  const [name, setName] = useState(plan?.name ?? '');
  const [scorecardId, setScorecardId] = useState(plan?.scorecardId ?? '');
  const [period, setPeriod] = useState<'week' | 'month'>(plan?.period ?? 'week');
  const [perAgent, setPerAgent] = useState(String(plan?.perAgent ?? 2));
  const [teamIds, setTeamIds] = useState<string[]>(plan?.filters.teamIds ?? []);
  const [minMin, setMinMin] = useState(minutes(plan?.filters.minDurationMs));
  const [maxMin, setMaxMin] = useState(minutes(plan?.filters.maxDurationMs));
  const [direction, setDirection] = useState(plan?.filters.direction ?? '');
  const [evaluatorIds, setEvaluatorIds] = useState<string[]>(plan?.evaluatorIds ?? []);
  const [dueDays, setDueDays] = useState(String(plan?.dueDays ?? 7));
  const [active, setActive] = useState(plan?.active ?? true);
  const [local, setLocal] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const save = useAction();
  useFocusFirstInvalid(formRef, save.error);
  const errors = { ...(save.error?.fieldErrors() ?? {}), ...local };
  const published = data.scorecards.filter((c) => c.publishedVersion !== null && c.status === 'active');

  function check(): Record<string, string> {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = 'Give the plan a name.';
    if (!plan && !scorecardId) e.scorecardId = 'Choose the scorecard evaluators will use.';
    const n = Number(perAgent);
    if (!Number.isInteger(n) || n < 1 || n > 100) e.perAgent = 'A whole number from 1 to 100.';
    const dd = Number(dueDays);
    if (!Number.isInteger(dd) || dd < 1 || dd > 60) e.dueDays = 'A whole number of days from 1 to 60.';
    for (const [k, v] of [['minDuration', minMin], ['maxDuration', maxMin]] as const) if (v !== '' && !(Number(v) >= 0)) e[k] = 'Minutes, 0 or more.';
    if (minMin !== '' && maxMin !== '' && Number(maxMin) < Number(minMin)) e.maxDuration = 'Must not be below the minimum.';
    if (evaluatorIds.length === 0) e.evaluatorIds = 'Name at least one evaluator.';
    return e;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const e = check();
    setLocal(e);
    if (Object.keys(e).length) {
      window.requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .field-invalid input')?.focus());
      return;
    }
    const filters: CreateSamplingPlanRequest['filters'] = {
      ...(teamIds.length ? { teamIds } : {}),
      ...(minMin !== '' ? { minDurationMs: Math.round(Number(minMin) * 60000) } : {}),
      ...(maxMin !== '' ? { maxDurationMs: Math.round(Number(maxMin) * 60000) } : {}),
      ...(direction ? { direction: direction as 'inbound' | 'outbound' } : {}),
    };
    const common = { name: name.trim(), perAgent: Number(perAgent), filters, evaluatorIds, dueDays: Number(dueDays), active };
    const r = await save.run(() => (plan ? programApi.updatePlan(plan.id, common) : programApi.createPlan({ ...common, scorecardId, period })));
    if (r.ok) onSaved(plan ? `Plan ${r.value.name} saved.` : `Plan ${r.value.name} created. Run it now, or let the hourly job sample each period as it ends.`);
  }

  return (
    <form ref={formRef} className="modal-form" onSubmit={submit} noValidate>
      <div className="modal-body form">
        {save.error && save.error.issues.length === 0 ? <ErrorBanner error={save.error} title="Not saved" /> : null}
        <TextField label="Plan name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={200} placeholder="e.g. Weekly QA sample" />
        <div className="form-row">
          <SelectField label="Scorecard" value={scorecardId} onChange={(e) => setScorecardId(e.target.value)} error={errors.scorecardId} disabled={Boolean(plan)} hint={plan ? 'A plan keeps its scorecard; make a new plan to change it.' : undefined}>
            <option value="">Choose a scorecard…</option>
            {published.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
          <SelectField label="Period" value={period} onChange={(e) => setPeriod(e.target.value as 'week' | 'month')} error={errors.period} disabled={Boolean(plan)}>
            <option value="week">Week (ISO, Monday to Sunday, UTC)</option>
            <option value="month">Month</option>
          </SelectField>
        </div>
        <div className="form-row">
          <TextField label="Calls per agent per period" type="number" min={1} max={100} value={perAgent} onChange={(e) => setPerAgent(e.target.value)} error={errors.perAgent} />
          <TextField label="Due days after the period ends" type="number" min={1} max={60} value={dueDays} onChange={(e) => setDueDays(e.target.value)} error={errors.dueDays} />
        </div>
        <CheckboxGroup legend="Teams" hint="None checked: every team." options={data.directory.teams.map((t) => ({ value: t.id, label: t.name }))} value={teamIds} onChange={setTeamIds} error={errors.filters} />
        <div className="form-row">
          <TextField label="Minimum duration (minutes)" type="number" min={0} value={minMin} onChange={(e) => setMinMin(e.target.value)} error={errors.minDuration} hint="Leave empty for no minimum." />
          <TextField label="Maximum duration (minutes)" type="number" min={0} value={maxMin} onChange={(e) => setMaxMin(e.target.value)} error={errors.maxDuration} hint="Leave empty for no maximum." />
        </div>
        <SelectField label="Direction" value={direction} onChange={(e) => setDirection(e.target.value as '' | 'inbound' | 'outbound')}>
          <option value="">Inbound and outbound</option>
          <option value="inbound">Inbound only</option>
          <option value="outbound">Outbound only</option>
        </SelectField>
        <CheckboxGroup
          legend="Evaluators"
          hint="Calls are shared among them in balance; each call goes to someone allowed to score it."
          options={data.evaluators.map((e) => ({ value: e.id, label: e.displayName, description: e.roles.map((r) => ROLE_LABELS[r]).join(', ') }))}
          value={evaluatorIds}
          onChange={setEvaluatorIds}
          error={errors.evaluatorIds}
        />
        <label className="inline-check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          Active: sample every {period} automatically when it ends
        </label>
      </div>
      <div className="modal-footer">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={save.busy}>
          Cancel
        </button>
        <SubmitButton busy={save.busy}>{plan ? 'Save plan' : 'Create plan'}</SubmitButton>
      </div>
    </form>
  );
}

/** `/quality/plans/:id[?period=]`: one plan's assignments per period, with reassignment. */
export function SamplingPlanPage({ id, initialPeriod }: { id: string; initialPeriod: string | null }) {
  const data = useResource(loadAll);
  const plan = data.data?.plans.find((p) => p.id === id);
  const [period, setPeriod] = useState(initialPeriod ?? '');
  const effective = period || (plan ? periodKeyOf(new Date(), plan.period) : '');
  const list = useResource((signal) => programApi.assignments(id, undefined, signal));
  const reassign = useAction();
  const notice = useNotice();
  const periods = [...new Set((list.data?.assignments ?? []).map((a) => a.period))].sort().reverse();
  const shown = (list.data?.assignments ?? []).filter((a) => a.period === effective);
  const agentName = (aid: string) => data.data?.directory.agents.find((a) => a.id === aid)?.displayName ?? 'Unknown agent';

  if (data.error) return <ErrorBanner error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Loading label="Loading the plan…" />;
  if (!plan) return <ErrorBanner error="There is no such sampling plan, or it is not yours to see." title="Not found" />;
  const d = data.data;
  return (
    <div className="page-stack">
      <PageHeader title={plan.name} description={<><Link to="/quality/plans">Sampling plans</Link> · {planRule(plan, d.directory)}</>} />
      <ProgramTabs />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {reassign.error ? <ErrorBanner error={reassign.error} title="Not reassigned" /> : null}
      <Card
        title={`Assignments for ${effective}: ${shown.length}`}
        actions={
          <SelectField label="Period" value={effective} onChange={(e) => setPeriod(e.target.value)}>
            {[...new Set([effective, ...periods])].map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </SelectField>
        }
      >
        {list.error ? <ErrorBanner error={list.error} onRetry={list.reload} /> : null}
        {list.loading && !list.data ? <Loading label="Loading assignments…" /> : null}
        {list.data && shown.length === 0 ? <p className="muted">No assignments for this period yet. Run the plan from the plans list.</p> : null}
        {shown.length > 0 ? (
          <TableWrap label="Assignments">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Call</th>
                  <th scope="col">Evaluator</th>
                  <th scope="col">Due</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((a) => {
                  const overdue = a.state === 'open' && Date.parse(a.dueAt) < Date.now();
                  return (
                    <tr key={a.id}>
                      <td className="cell-strong">{agentName(a.agentId)}</td>
                      <td>
                        <Link to={`/interactions/${a.interactionId}`}>Open the call</Link>
                      </td>
                      <td>
                        {a.state === 'open' ? (
                          <select
                            className="inline-select"
                            aria-label={`Evaluator for ${agentName(a.agentId)}'s call`}
                            value={a.evaluatorId}
                            disabled={reassign.busy}
                            onChange={async (e) => {
                              const r = await reassign.run(() => programApi.reassign(a.id, e.target.value));
                              if (r.ok) {
                                notice.show('Assignment moved.');
                                list.reload();
                              }
                            }}
                          >
                            {d.evaluators.map((ev) => (
                              <option key={ev.id} value={ev.id}>
                                {ev.displayName}
                              </option>
                            ))}
                          </select>
                        ) : (
                          (d.evaluators.find((ev) => ev.id === a.evaluatorId)?.displayName ?? 'Unknown')
                        )}
                      </td>
                      <td className="nowrap">{formatDateTime(a.dueAt)}</td>
                      <td>{a.state === 'done' ? <Badge tone="success">Done</Badge> : overdue ? <Badge tone="danger">Overdue</Badge> : <Badge tone="accent">Open</Badge>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </Card>
    </div>
  );
}
