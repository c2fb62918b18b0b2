import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry } from '@duet/protocol';
import { api, ApiError } from '../api';
import { formatDateTime, humanizeAction } from '../format';
import { Card, EmptyState, ErrorBanner, Loading, PageHeader, TableWrap } from '../ui';

const PAGE_SIZE = 100;

type State = {
  entries: AuditEntry[];
  loading: boolean;
  error: ApiError | null;
  /** False once a page came back shorter than asked: nothing older exists. */
  more: boolean;
};

export function AuditPage() {
  const [state, setState] = useState<State>({ entries: [], loading: true, error: null, more: false });
  const controller = useRef<AbortController | null>(null);

  const load = useCallback((before: string | undefined) => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setState((s) => ({ ...s, loading: true, error: null }));
    api.audit({ limit: PAGE_SIZE, before }, c.signal).then(
      ({ entries }) => {
        if (c.signal.aborted) return;
        setState((s) => ({
          entries: before ? [...s.entries, ...entries] : entries,
          loading: false,
          error: null,
          more: entries.length >= PAGE_SIZE,
        }));
      },
      (error: unknown) => {
        if (c.signal.aborted) return;
        const e = error instanceof ApiError ? error : new ApiError(0, { error: 'unexpected', message: String(error) });
        setState((s) => ({ ...s, loading: false, error: e }));
      },
    );
  }, []);

  useEffect(() => {
    load(undefined);
    return () => controller.current?.abort();
  }, [load]);

  const oldest = state.entries.at(-1);
  const firstLoad = state.loading && state.entries.length === 0;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what and from where: sign-ins and administrative changes, newest first. The log is append-only."
        actions={
          <button type="button" className="btn btn-secondary" onClick={() => load(undefined)} disabled={state.loading}>
            Refresh
          </button>
        }
      />
      {state.error ? (
        <ErrorBanner error={state.error} onRetry={() => load(state.entries.length > 0 ? oldest?.id : undefined)} />
      ) : null}
      <Card>
        {firstLoad ? <Loading label="Loading audit log…" /> : null}
        {!state.loading && !state.error && state.entries.length === 0 ? (
          <EmptyState title="No audit entries yet">Sign-ins and administrative changes will be listed here.</EmptyState>
        ) : null}
        {state.entries.length > 0 ? (
          <>
            <TableWrap label="Audit log">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">IP address</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {state.entries.map((e) => (
                    <tr key={e.id}>
                      <td className="nowrap">
                        <time dateTime={e.at}>{formatDateTime(e.at, true)}</time>
                      </td>
                      <td>{e.actorName ?? (e.actorId ? <span className="mono">{shortId(e.actorId)}</span> : <span className="muted">—</span>)}</td>
                      <td>
                        <span className="action" title={e.action}>
                          {humanizeAction(e.action)}
                        </span>
                      </td>
                      <td>
                        {e.targetType ? (
                          <>
                            <span>{e.targetType.replaceAll('_', ' ')}</span>
                            {e.targetId ? (
                              <span className="cell-sub mono" title={e.targetId}>
                                {shortId(e.targetId)}
                              </span>
                            ) : null}
                          </>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="mono nowrap">{e.ip ?? <span className="muted">—</span>}</td>
                      <td>
                        <Detail detail={e.detail} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <div className="table-footer">
              <span className="muted" role="status">
                Showing {state.entries.length} {state.entries.length === 1 ? 'entry' : 'entries'}
                {state.more ? '' : ' · beginning of the log'}
              </span>
              {state.more ? (
                <button
                  type="button"
                  className="btn btn-secondary"
                  onClick={() => load(oldest?.id)}
                  disabled={state.loading}
                  aria-busy={state.loading}
                >
                  {state.loading ? <span className="spinner spinner-inline" aria-hidden="true" /> : null}
                  Load older
                </button>
              ) : null}
            </div>
          </>
        ) : null}
      </Card>
    </>
  );
}

function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

function Detail({ detail }: { detail: Record<string, unknown> }) {
  const keys = Object.keys(detail);
  if (keys.length === 0) return <span className="muted">—</span>;
  const simple = keys.length <= 2 && keys.every((k) => ['string', 'number', 'boolean'].includes(typeof detail[k]));
  if (simple) {
    return (
      <span className="detail-inline">
        {keys.map((k) => (
          <span key={k}>
            <span className="muted">{k}:</span> {String(detail[k])}
          </span>
        ))}
      </span>
    );
  }
  return (
    <details className="detail">
      <summary>{keys.length} fields</summary>
      <pre>{JSON.stringify(detail, null, 2)}</pre>
    </details>
  );
}
