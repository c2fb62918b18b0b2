import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import type { InteractionSummary } from '@duet/protocol';
import { api } from '../../api';
import { useMe } from '../../auth';
import { formatDate, formatDateTime, plural, ROLE_LABELS } from '../../format';
import { formatSpan } from '../../player/time';
import { useQuery } from '../../query';
import { Link, navigate, useSearch } from '../../router';
import { Badge, Card, CheckboxGroup, EmptyState, ErrorBanner, Loading, PageHeader, SelectField, SubmitButton, TableWrap, TextField, useAction, useResource } from '../../ui';
import { programApi } from './api';
import { ProgramTabs } from './shared';

export function CalibrationsPage() {
  const me = useMe();
  const list = useResource((signal) => programApi.calibrations(signal));
  const sessions = list.data?.sessions ?? [];
  return (
    <div className="page-stack">
      <PageHeader
        title="Calibration"
        description="Several evaluators score the same call blind, then compare: agreement per question, the spread of totals and each one's distance to the reference answer. Agree standards before scoring agents."
        actions={
          <Link to="/quality/calibration/new" className="btn btn-primary">
            New session
          </Link>
        }
      />
      <ProgramTabs />
      {list.error ? <ErrorBanner error={list.error} onRetry={list.reload} /> : null}
      <Card title={list.data ? plural(sessions.length, 'session') : 'Sessions'}>
        {list.loading && !list.data ? <Loading label="Loading sessions…" /> : null}
        {list.data && sessions.length === 0 ? (
          <EmptyState
            title="No calibration sessions yet"
            action={
              <Link to="/quality/calibration/new" className="btn btn-primary">
                New session
              </Link>
            }
          >
            Choose a call and at least two evaluators; each scores it blind, then the reveal shows where you differ.
          </EmptyState>
        ) : null}
        {sessions.length > 0 ? (
          <TableWrap label="Calibration sessions">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">State</th>
                  <th scope="col">Your part</th>
                  <th scope="col">Created</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to={`/quality/calibration/${s.id}`} className="cell-strong">
                        {s.title}
                      </Link>
                    </td>
                    <td>{s.state === 'revealed' ? <Badge tone="success">Revealed</Badge> : <Badge tone="accent">Open, blind</Badge>}</td>
                    <td>{s.ownerId === me.id ? 'Owner' : 'Evaluator'}</td>
                    <td className="nowrap">{formatDate(s.createdAt)}</td>
                    <td className="nowrap">{s.dueAt ? formatDate(s.dueAt) : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </Card>
    </div>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/quality/calibration/new[?interaction=<id>]`: choose the call, the scorecard, the evaluators. */
export function NewCalibrationPage() {
  const search = useSearch();
  const [interaction, setInteraction] = useState<InteractionSummary | null>(null);
  const [query, setQuery] = useState(search.get('interaction') ?? '');
  const [agentId, setAgentId] = useState('');
  const [title, setTitle] = useState('');
  const [scorecardId, setScorecardId] = useState('');
  const [due, setDue] = useState('');
  const [evaluatorIds, setEvaluatorIds] = useState<string[]>([]);
  const create = useAction();

  const directory = useResource((signal) => api.directory(signal));
  const cards = useResource((signal) => programApi.scorecards(false, signal));
  const published = (cards.data?.scorecards ?? []).filter((c) => c.publishedVersion !== null);

  // The library, filtered by call id (or an interaction id pasted in) and agent.
  const trimmed = query.trim();
  const found = useQuery(`program:calibration-pick:${trimmed}:${agentId}`, async () => {
    if (UUID.test(trimmed)) {
      const one = await api.interaction(trimmed).catch(() => null);
      return one ? [one] : [];
    }
    const r = await api.listInteractions({ status: 'ready', limit: 20, ...(trimmed ? { callId: trimmed } : {}), ...(agentId ? { agentId } : {}) });
    return r.interactions;
  });
  // Opened with `?interaction=<id>` (e.g. from the player): that call is the choice.
  const only = found.data?.length === 1 && UUID.test(trimmed) ? found.data[0] : undefined;
  useEffect(() => {
    if (only && !interaction) setInteraction(only);
  }, [only, interaction]);
  const evaluators = useQuery(`program:calibration-evaluators:${interaction?.id ?? ''}`, () => (interaction ? programApi.evaluators(interaction.id) : Promise.resolve({ evaluators: [] })));
  const [missing, setMissing] = useState<Record<string, string>>({});
  const evaluatorOptions = useMemo(
    () => (evaluators.data?.evaluators ?? []).map((e) => ({ value: e.id, label: e.displayName, description: e.roles.map((r) => ROLE_LABELS[r]).join(', ') })),
    [evaluators.data],
  );

  const errors = { ...(create.error?.fieldErrors() ?? {}), ...missing };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!interaction) local.interactionId = 'Choose the call to calibrate on.';
    if (!scorecardId) local.scorecardId = 'Choose the scorecard everyone scores with.';
    if (interaction && new Set(evaluatorIds).size < 2) local.evaluatorIds = 'Choose at least two evaluators.';
    setMissing(local);
    if (!interaction || Object.keys(local).length) return;
    const r = await create.run(() =>
      programApi.createCalibration({
        title: title.trim() || `Calibration: ${interaction.agentName}${interaction.callId ? ` ${interaction.callId}` : ''}`,
        interactionId: interaction.id,
        scorecardId,
        evaluatorIds,
        ...(due ? { dueAt: new Date(`${due}T23:59:00`).toISOString() } : {}),
      }),
    );
    if (r.ok) navigate(`/quality/calibration/${r.value.id}`);
  }

  return (
    <div className="page-stack">
      <PageHeader title="New calibration session" description={<Link to="/quality/calibration">Calibration</Link>} />
      <ProgramTabs />
      <form className="form" onSubmit={submit} noValidate>
        {create.error && create.error.issues.length === 0 ? <ErrorBanner error={create.error} title="Could not create the session" /> : null}
        {create.error && create.error.issues.length > 0 ? (
          <div className="error-summary" role="alert">
            <strong>{create.error.message}</strong>
          </div>
        ) : null}
        <Card title="1. The call">
          <div className="filters-row">
            <TextField label="Call id or interaction id" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. PBX-1042" />
            <SelectField label="Agent" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
              <option value="">All agents</option>
              {(directory.data?.agents ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.displayName}
                </option>
              ))}
            </SelectField>
          </div>
          {errors.interactionId ? (
            <p className="field-error" role="alert">
              {errors.interactionId}
            </p>
          ) : null}
          {found.error ? <ErrorBanner error={found.error} /> : null}
          {found.data && found.data.length === 0 ? <p className="muted">No replayable call matches. Try another call id or agent.</p> : null}
          {found.data && found.data.length > 0 ? (
            <ul className="pick-list" aria-label="Calls">
              {found.data.map((i) => (
                <li key={i.id}>
                  <button
                    type="button"
                    aria-pressed={interaction?.id === i.id}
                    onClick={() => {
                      setInteraction(i);
                      setMissing({});
                      setEvaluatorIds([]);
                    }}
                  >
                    <span>
                      <strong>{i.agentName}</strong> · {i.callId ?? 'no call id'}
                      <span className="cell-sub">
                        {i.teamName ?? 'No team'} · {formatDateTime(i.startedAt)}
                      </span>
                    </span>
                    <span className="muted">{i.durationMs !== null ? formatSpan(i.durationMs) : ''}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          {interaction ? (
            <p data-testid="chosen-call">
              Chosen: <strong>{interaction.agentName}</strong> · {interaction.callId ?? interaction.id} ·{' '}
              <Link to={`/interactions/${interaction.id}`} target="_blank" rel="noopener">
                open in the player
              </Link>
            </p>
          ) : (
            <p className="field-hint">Pick the call everyone will score.</p>
          )}
        </Card>
        <Card title="2. Scorecard and title">
          <div className="form-row">
            <SelectField label="Scorecard" value={scorecardId} onChange={(e) => setScorecardId(e.target.value)} error={errors.scorecardId} hint="Its published version is used, and kept, for this session.">
              <option value="">Choose a scorecard…</option>
              {published.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} (v{c.publishedVersion})
                </option>
              ))}
            </SelectField>
            <TextField label="Title (optional)" value={title} onChange={(e) => setTitle(e.target.value)} error={errors.title} maxLength={200} placeholder="e.g. November calibration: billing dispute" />
          </div>
          <TextField label="Due date (optional)" type="date" value={due} onChange={(e) => setDue(e.target.value)} error={errors.dueAt} style={{ maxWidth: 220 }} />
        </Card>
        <Card title="3. Evaluators">
          {!interaction ? <p className="muted">Choose the call first: only people who may score it are offered.</p> : null}
          {evaluators.error ? <ErrorBanner error={evaluators.error} /> : null}
          {interaction && evaluators.data ? (
            <CheckboxGroup
              legend="Who scores the call blind"
              hint="At least two. You may include yourself; you will not see the others' answers before the reveal either."
              options={evaluatorOptions}
              value={evaluatorIds}
              onChange={setEvaluatorIds}
              error={errors.evaluatorIds}
              emptyText="Nobody else may score this call."
            />
          ) : null}
        </Card>
        <div>
          <SubmitButton busy={create.busy}>Create session</SubmitButton>
        </div>
      </form>
    </div>
  );
}
