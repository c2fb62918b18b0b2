import { useState } from 'react';
import type { ScorecardSummary } from '@duet/protocol';
import { formatDate, plural } from '../../format';
import { Link, navigate } from '../../router';
import { Badge, Card, EmptyState, ErrorBanner, Loading, Notice, PageHeader, TableWrap, useAction, useNotice, useResource } from '../../ui';
import { programApi } from './api';
import { ProgramTabs } from './shared';

/** Draft (never published), Published vN (with a pending draft), or Archived. */
export function ScorecardStatus({ card }: { card: Pick<ScorecardSummary, 'status' | 'publishedVersion' | 'draftVersion'> }) {
  if (card.status === 'archived') return <Badge tone="neutral">Archived</Badge>;
  if (card.publishedVersion === null) return <Badge tone="warning">Draft</Badge>;
  return (
    <span className="chips">
      <Badge tone="success">Published v{card.publishedVersion}</Badge>
      {card.draftVersion !== null ? <Badge tone="warning">Draft v{card.draftVersion}</Badge> : null}
    </span>
  );
}

export function ScorecardsPage() {
  const [showArchived, setShowArchived] = useState(false);
  const list = useResource((signal) => programApi.scorecards(true, signal));
  const notice = useNotice();
  const example = useAction();
  const restore = useAction();

  const cards = (list.data?.scorecards ?? []).filter((c) => showArchived || c.status === 'active');
  const archivedCount = (list.data?.scorecards ?? []).filter((c) => c.status === 'archived').length;
  const hasBeSure = (list.data?.scorecards ?? []).some((c) => c.builtIn === 'be-sure');

  async function addExample() {
    const r = await example.run(() => programApi.addBeSure());
    if (r.ok) navigate(`/quality/scorecards/${r.value.id}`);
  }

  return (
    <div className="page-stack">
      <PageHeader
        title="Scorecards"
        description="What evaluators score: sections of questions with weights, N/A and critical rules. Published versions never change; editing one starts a new version, and every evaluation keeps the version it was made with."
        actions={
          <>
            <button type="button" className="btn btn-secondary" onClick={addExample} disabled={example.busy} aria-busy={example.busy} title={hasBeSure ? 'Opens the BE SURE example (it exists already)' : undefined}>
              {hasBeSure ? 'Open the BE SURE example' : 'Add the BE SURE example'}
            </button>
            <Link to="/quality/scorecards/new" className="btn btn-primary">
              New scorecard
            </Link>
          </>
        }
      />
      <ProgramTabs />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {example.error ? <ErrorBanner error={example.error} title="Could not add the example" /> : null}
      {restore.error ? <ErrorBanner error={restore.error} /> : null}
      {list.error ? <ErrorBanner error={list.error} onRetry={list.reload} /> : null}
      <Card
        title={list.data ? plural(cards.length, 'scorecard') : 'Scorecards'}
        actions={
          archivedCount > 0 ? (
            <label className="inline-check">
              <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
              Show archived ({archivedCount})
            </label>
          ) : null
        }
      >
        {list.loading && !list.data ? <Loading label="Loading scorecards…" /> : null}
        {list.data && cards.length === 0 ? (
          <EmptyState
            title="No scorecards yet"
            action={
              <button type="button" className="btn btn-primary" onClick={addExample} disabled={example.busy}>
                Add the BE SURE example
              </button>
            }
          >
            Start from the built-in BE SURE example (the six keys of service from the literature) or create your own.
          </EmptyState>
        ) : null}
        {cards.length > 0 ? (
          <TableWrap label="Scorecards">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Scorecard</th>
                  <th scope="col">Status</th>
                  <th scope="col">Versions</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {cards.map((c) => (
                  <tr key={c.id} className={c.status === 'archived' ? 'row-muted' : undefined}>
                    <td>
                      <Link to={`/quality/scorecards/${c.id}`} className="cell-strong">
                        {c.name}
                      </Link>
                      {c.builtIn ? <span className="cell-sub">Built-in example</span> : null}
                    </td>
                    <td>
                      <ScorecardStatus card={c} />
                    </td>
                    <td>{Math.max(c.publishedVersion ?? 0, c.draftVersion ?? 0)}</td>
                    <td className="nowrap">{formatDate(c.createdAt)}</td>
                    <td className="cell-actions">
                      {c.status === 'archived' ? (
                        <button
                          type="button"
                          className="btn btn-secondary btn-sm"
                          disabled={restore.busy}
                          onClick={async () => {
                            const r = await restore.run(() => programApi.restoreScorecard(c.id));
                            if (r.ok) {
                              notice.show(`${c.name} restored.`);
                              list.reload();
                            }
                          }}
                        >
                          Restore
                        </button>
                      ) : (
                        <Link to={`/quality/scorecards/${c.id}`} className="btn btn-secondary btn-sm" aria-label={`Edit ${c.name}`}>
                          Edit
                        </Link>
                      )}
                    </td>
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
