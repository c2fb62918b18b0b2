import { useEffect, useMemo, useState } from 'react';
import type { InteractionListQuery, InteractionSort, InteractionStatus, InteractionSummary, Me } from '@duet/protocol';
import { api } from '../api';
import { hasRole, useMe } from '../auth';
import { formatDateTime, formatRelative } from '../format';
import { formatSpan } from '../player/time';
import { useQuery } from '../query';
import { Link, navigate, usePath, useSearch } from '../router';
import { Badge, Card, EmptyState, ErrorBanner, Loading, PageHeader } from '../ui';
import type { Tone } from '../ui';
import './library.css';

export const STATUS_LABELS: Record<InteractionStatus, string> = {
  recording: 'Recording',
  ended: 'Ended',
  finalizing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
};
const STATUS_TONES: Record<InteractionStatus, Tone> = { recording: 'accent', ended: 'neutral', finalizing: 'warning', ready: 'success', failed: 'danger' };

export function StatusBadge({ status }: { status: InteractionStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}

/** The server sorts the whole list (every page), so each order pages with its own cursor. */
type Sort = InteractionSort;
const SORTS: Record<Sort, string> = { newest: 'Newest first', oldest: 'Oldest first', longest: 'Longest first', shortest: 'Shortest first', agent: 'Agent A–Z' };
/** Which column each order sorts by, for `aria-sort` on its header. */
const SORTED_COLUMN: Record<Sort, { column: 'started' | 'agent' | 'duration'; dir: 'ascending' | 'descending' }> = {
  newest: { column: 'started', dir: 'descending' },
  oldest: { column: 'started', dir: 'ascending' },
  longest: { column: 'duration', dir: 'descending' },
  shortest: { column: 'duration', dir: 'ascending' },
  agent: { column: 'agent', dir: 'ascending' },
};
const PAGE_SIZES = [25, 50, 100] as const;

/** The filters live in the URL, so a filtered library can be bookmarked, shared and returned to. */
type Filters = {
  agentId: string;
  teamId: string;
  status: string;
  from: string;
  to: string;
  minMin: string;
  maxMin: string;
  callId: string;
  sort: Sort;
  size: number;
  cursor: string;
  page: number;
};

function readFilters(search: URLSearchParams): Filters {
  const sort = search.get('sort') as Sort | null;
  const size = Number(search.get('size'));
  const page = Number(search.get('page'));
  return {
    agentId: search.get('agent') ?? '',
    teamId: search.get('team') ?? '',
    status: search.get('status') ?? '',
    from: search.get('from') ?? '',
    to: search.get('to') ?? '',
    minMin: search.get('min') ?? '',
    maxMin: search.get('max') ?? '',
    callId: search.get('call') ?? '',
    sort: sort && sort in SORTS ? sort : 'newest',
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : 25,
    cursor: search.get('cursor') ?? '',
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

function writeFilters(f: Filters): string {
  const q = new URLSearchParams();
  const put = (k: string, v: string) => {
    if (v) q.set(k, v);
  };
  put('agent', f.agentId);
  put('team', f.teamId);
  put('status', f.status);
  put('from', f.from);
  put('to', f.to);
  put('min', f.minMin);
  put('max', f.maxMin);
  put('call', f.callId.trim());
  if (f.sort !== 'newest') q.set('sort', f.sort);
  if (f.size !== 25) q.set('size', String(f.size));
  put('cursor', f.cursor);
  if (f.page > 1) q.set('page', String(f.page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A local calendar day as the ISO instant it starts; `to` is exclusive, so it is the next day's start. */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

function minutesToMs(v: string): number | undefined {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) && n >= 0 ? Math.round(n * 60_000) : undefined;
}

function toQuery(f: Filters): Partial<InteractionListQuery> {
  return {
    agentId: f.agentId || undefined,
    teamId: f.teamId || undefined,
    status: (f.status || undefined) as InteractionStatus | undefined,
    from: dayStart(f.from),
    to: dayStart(f.to, 1),
    minDurationMs: minutesToMs(f.minMin),
    maxDurationMs: minutesToMs(f.maxMin),
    callId: f.callId.trim() || undefined,
    sort: f.sort === 'newest' ? undefined : f.sort,
    limit: f.size,
    cursor: f.cursor || undefined,
  };
}

function titleFor(me: Me): { title: string; description: string } {
  if (hasRole(me, 'supervisor') || hasRole(me, 'qa') || hasRole(me, 'trainer'))
    return { title: 'Team interactions', description: 'Recorded calls of the teams you review, screen and voice together. Open one to replay it.' };
  if (hasRole(me, 'agent')) return { title: 'Your interactions', description: 'Your recorded calls, screen and voice together. Open one to replay it.' };
  return { title: 'Interactions', description: 'Every recorded call in Duet.' };
}

type Option = { id: string; name: string };

/**
 * Who and which teams to offer as filters: the server's directory, scoped like the library itself
 * (an agent: themselves; a supervisor: their teams' agents; admins: everyone).
 */
function useFilterOptions(me: Me): { agents: Option[]; teams: Option[] } {
  const directory = useQuery(
    `filter-options:${me.id}`,
    async () => {
      const d = await api.directory();
      return { agents: d.agents.map((a) => ({ id: a.id, name: a.displayName })), teams: d.teams };
    },
    { staleMs: 60_000 },
  );
  return useMemo(() => {
    const byName = (a: Option, b: Option) => a.name.localeCompare(b.name);
    return { agents: [...(directory.data?.agents ?? [])].sort(byName), teams: [...(directory.data?.teams ?? [])].sort(byName) };
  }, [directory.data]);
}

export function LibraryPage() {
  const me = useMe();
  const path = usePath();
  const search = useSearch();
  const filters = useMemo(() => readFilters(search), [search]);
  const query = useMemo(() => toQuery(filters), [filters]);
  const key = `interactions:${JSON.stringify(query)}`;
  const list = useQuery(key, () => api.listInteractions(query), { staleMs: 10_000 });
  const options = useFilterOptions(me);
  const { title, description } = titleFor(me);
  const onlyOwn = !hasRole(me, 'admin') && !hasRole(me, 'supervisor') && !hasRole(me, 'qa') && !hasRole(me, 'trainer');

  // Text fields apply after a pause in typing; everything else at once. A new filter starts at page 1.
  const [callId, setCallId] = useState(filters.callId);
  const [minMin, setMinMin] = useState(filters.minMin);
  const [maxMin, setMaxMin] = useState(filters.maxMin);
  useEffect(() => {
    setCallId(filters.callId);
    setMinMin(filters.minMin);
    setMaxMin(filters.maxMin);
  }, [filters.callId, filters.minMin, filters.maxMin]);

  /** A filter starts again at page 1 (replacing the history entry); a page turn is a new entry Back returns from. */
  function apply(change: Partial<Filters>, kind: 'filter' | 'page' = 'filter') {
    const next = { ...filters, ...change };
    if (kind === 'filter') {
      next.cursor = '';
      next.page = 1;
    }
    navigate(path + writeFilters(next), { replace: kind !== 'page', keepScroll: kind !== 'page' });
  }

  useEffect(() => {
    if (callId === filters.callId && minMin === filters.minMin && maxMin === filters.maxMin) return;
    const t = window.setTimeout(() => apply({ callId, minMin, maxMin }), 450);
    return () => window.clearTimeout(t);
    // apply reads the current filters; only typing schedules it.
  }, [callId, minMin, maxMin]);

  const rows = list.data?.interactions ?? [];
  const sorted = SORTED_COLUMN[filters.sort];
  const ariaSort = (column: 'started' | 'agent' | 'duration') => (sorted.column === column ? sorted.dir : undefined);
  const activeFilters = [filters.agentId, filters.teamId, filters.status, filters.from, filters.to, filters.minMin, filters.maxMin, filters.callId].filter(Boolean).length;
  const [filtersOpen, setFiltersOpen] = useState(activeFilters > 0);
  const first = (filters.page - 1) * filters.size + 1;
  const last = first + rows.length - 1;
  const hasNext = Boolean(list.data?.nextCursor);

  return (
    <>
      <PageHeader title={title} description={description} />
      <Card className="filters-card">
        {/* On a phone the filters fold away behind this button; on wider screens it is hidden. */}
        <button type="button" className="btn btn-secondary filters-toggle" aria-expanded={filtersOpen} aria-controls="library-filters" onClick={() => setFiltersOpen((o) => !o)}>
          {filtersOpen ? 'Hide filters' : 'Filters'}
          {activeFilters ? <span className="badge badge-accent">{activeFilters}</span> : null}
        </button>
        <form id="library-filters" className={`filters ${filtersOpen ? 'open' : ''}`} role="search" aria-label="Filter interactions" onSubmit={(e) => {
          e.preventDefault();
          apply({ callId, minMin, maxMin });
        }}>
          <div className="field filter-search">
            <label htmlFor="f-call">Call id</label>
            <input id="f-call" type="search" inputMode="search" placeholder="Exact call id, e.g. PBX-1042" value={callId} onChange={(e) => setCallId(e.target.value)} />
          </div>
          {!onlyOwn ? (
            <div className="field">
              <label htmlFor="f-agent">Agent</label>
              <select id="f-agent" value={filters.agentId} onChange={(e) => apply({ agentId: e.target.value })}>
                <option value="">All agents</option>
                {options.agents.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {!onlyOwn ? (
            <div className="field">
              <label htmlFor="f-team">Team</label>
              <select id="f-team" value={filters.teamId} onChange={(e) => apply({ teamId: e.target.value })}>
                <option value="">All teams</option>
                {options.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="f-status">Status</label>
            <select id="f-status" value={filters.status} onChange={(e) => apply({ status: e.target.value })}>
              <option value="">Any status</option>
              {(Object.keys(STATUS_LABELS) as InteractionStatus[]).map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-from">From</label>
            <input id="f-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => apply({ from: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="f-to">To</label>
            <input id="f-to" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => apply({ to: e.target.value })} />
          </div>
          <div className="field field-duration">
            <span className="field-label" id="f-dur">
              Duration (minutes)
            </span>
            <div className="range" role="group" aria-labelledby="f-dur">
              <input type="number" min={0} step={0.5} inputMode="decimal" placeholder="min" aria-label="Shortest, minutes" value={minMin} onChange={(e) => setMinMin(e.target.value)} />
              <span aria-hidden="true">–</span>
              <input type="number" min={0} step={0.5} inputMode="decimal" placeholder="max" aria-label="Longest, minutes" value={maxMin} onChange={(e) => setMaxMin(e.target.value)} />
            </div>
          </div>
          <button type="submit" className="visually-hidden">
            Apply filters
          </button>
        </form>
      </Card>

      <Card>
        <div className="list-bar">
          <p className="list-count" role="status" aria-live="polite">
            {list.data
              ? rows.length === 0
                ? 'No interactions'
                : `Showing ${first}–${last} of ${list.data.total.toLocaleString()}${activeFilters ? ` · ${activeFilters} filter${activeFilters === 1 ? '' : 's'}` : ''}`
              : ' '}
          </p>
          <div className="list-tools">
            {activeFilters ? (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => navigate(path, { replace: true, keepScroll: true })}>
                Clear filters
              </button>
            ) : null}
            <label className="inline-select">
              <span>Sort</span>
              {/* Named outright: a wrapping label would also read out every option ("… Agent A–Z"). */}
              <select aria-label="Sort" value={filters.sort} onChange={(e) => apply({ sort: e.target.value as Sort })}>
                {(Object.keys(SORTS) as Sort[]).filter((s) => !(onlyOwn && s === 'agent')).map((s) => (
                  <option key={s} value={s}>
                    {SORTS[s]}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        {list.error ? <ErrorBanner error={list.error} onRetry={list.refetch} /> : null}
        {list.loading && !list.data ? <Loading label="Loading interactions…" /> : null}
        {list.data && rows.length === 0 ? (
          <EmptyState title={activeFilters ? 'Nothing matches these filters' : 'No interactions yet'}>
            {activeFilters
              ? 'Try a wider date range or fewer filters.'
              : onlyOwn
                ? 'Your recorded calls appear here a few seconds after they end.'
                : 'Recorded calls of the teams you review appear here a few seconds after they end.'}
          </EmptyState>
        ) : null}
        {rows.length > 0 ? (
          <div className={`lib-wrap ${list.loading ? 'is-refreshing' : ''}`} role="region" aria-label="Interactions" tabIndex={0}>
            <table className="table lib-table">
              <thead>
                <tr>
                  <th scope="col" aria-sort={ariaSort('started')}>
                    Started
                  </th>
                  {!onlyOwn ? (
                    <th scope="col" aria-sort={ariaSort('agent')}>
                      Agent
                    </th>
                  ) : null}
                  <th scope="col">Team</th>
                  <th scope="col">Call id</th>
                  <th scope="col" aria-sort={ariaSort('duration')}>
                    Duration
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((i) => (
                  <Row key={i.id} i={i} showAgent={!onlyOwn} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {list.data && (filters.page > 1 || hasNext) ? (
          <nav className="pager" aria-label="Pages">
            <button type="button" className="btn btn-secondary btn-sm" disabled={filters.page <= 1} onClick={() => window.history.back()}>
              ← Previous
            </button>
            <span className="muted">Page {filters.page}</span>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              disabled={!hasNext}
              onClick={() => apply({ cursor: list.data?.nextCursor ?? '', page: filters.page + 1 }, 'page')}
            >
              Next →
            </button>
            <label className="inline-select">
              <span>Per page</span>
              <select value={filters.size} onChange={(e) => apply({ size: Number(e.target.value) })}>
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          </nav>
        ) : null}
      </Card>
    </>
  );
}

function Row({ i, showAgent }: { i: InteractionSummary; showAgent: boolean }) {
  const to = `/interactions/${i.id}`;
  const label = `Replay ${i.agentName}${i.callId ? ` ${i.callId}` : ''}, ${formatDateTime(i.startedAt)}`;
  return (
    <tr>
      <td data-label="Started">
        <Link to={to} className="row-link">
          <time dateTime={i.startedAt}>{formatDateTime(i.startedAt)}</time>
        </Link>
        <span className="cell-sub">{formatRelative(i.startedAt)}</span>
      </td>
      {showAgent ? (
        <td data-label="Agent" className="cell-strong">
          {i.agentName}
        </td>
      ) : null}
      <td data-label="Team">{i.teamName ?? <span className="muted">—</span>}</td>
      <td data-label="Call id" className="mono">
        {i.callId ?? <span className="muted">—</span>}
        {i.direction ? <span className="cell-sub">{i.direction === 'inbound' ? 'Inbound' : 'Outbound'}</span> : null}
      </td>
      <td data-label="Duration" className="nowrap">
        {i.durationMs !== null ? formatSpan(i.durationMs) : <span className="muted">—</span>}
      </td>
      <td data-label="Status">
        <StatusBadge status={i.status} />
      </td>
      <td className="cell-actions">
        <Link to={to} className="btn btn-primary btn-sm" aria-label={label}>
          Replay
        </Link>
      </td>
    </tr>
  );
}
