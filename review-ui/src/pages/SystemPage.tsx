import { PROTOCOL_VERSION } from '@duet/protocol/constants';
import type { Health } from '@duet/protocol';
import { api } from '../api';
import { plural } from '../format';
import { Badge, Card, EmptyState, ErrorBanner, Loading, PageHeader, useResource } from '../ui';

const DRIVER_LABELS: Record<string, string> = {
  pglite: 'PGlite (embedded PostgreSQL)',
  postgres: 'PostgreSQL',
  filesystem: 'Local filesystem',
  s3: 'S3-compatible object store',
  'in-process': 'In-process runner',
  bullmq: 'BullMQ on Redis',
};

export function SystemPage() {
  const health = useResource((signal) => api.health(signal));
  const h = health.data;

  return (
    <>
      <PageHeader
        title="System"
        description="What this Duet installation runs on, and whether its parts are healthy."
        actions={
          <button type="button" className="btn btn-secondary" onClick={health.reload} disabled={health.loading}>
            Refresh
          </button>
        }
      />
      {health.error ? <ErrorBanner error={health.error} onRetry={health.reload} /> : null}
      {health.loading && !h ? (
        <Card>
          <Loading label="Checking system health…" />
        </Card>
      ) : null}
      {h ? <HealthView h={h} /> : null}
    </>
  );
}

function HealthView({ h }: { h: Health }) {
  const checks = Object.entries(h.checks).sort(([a], [b]) => a.localeCompare(b));
  const failing = checks.filter(([, c]) => !c.ok).length;
  const protocolMismatch = h.protocolVersion !== PROTOCOL_VERSION;

  return (
    <>
      <div className={`health-summary health-${h.status}`} role="status">
        <span className="health-dot" aria-hidden="true" />
        <div>
          <p className="health-title">{h.status === 'ok' ? 'All systems operational' : 'Degraded'}</p>
          <p className="health-sub">
            {h.status === 'ok'
              ? `${plural(checks.length, 'check')} passing · ${h.mode === 'embedded' ? 'embedded mode' : 'production mode'}`
              : `${plural(failing, 'check')} failing. See the details below.`}
          </p>
        </div>
      </div>

      {protocolMismatch ? (
        <ErrorBanner
          title="Version mismatch"
          error={`The server speaks protocol version ${h.protocolVersion}, this page was built for version ${PROTOCOL_VERSION}. Reload the page; if it persists, rebuild the review UI.`}
        />
      ) : null}

      <div className="system-grid">
        <Card title="Installation">
          <dl className="facts">
            <div>
              <dt>Duet version</dt>
              <dd className="mono">{h.version}</dd>
            </div>
            <div>
              <dt>Protocol version</dt>
              <dd className="mono">{h.protocolVersion}</dd>
            </div>
            <div>
              <dt>Mode</dt>
              <dd>{h.mode === 'embedded' ? 'Embedded (single process, zero configuration)' : 'Production'}</dd>
            </div>
            <div>
              <dt>Node.js</dt>
              <dd className="mono">{h.versions.node}</dd>
            </div>
            <div>
              <dt>Database server</dt>
              <dd className="mono">{h.versions.database}</dd>
            </div>
          </dl>
        </Card>

        <Card title="Drivers in use">
          <dl className="facts">
            <div>
              <dt>Database</dt>
              <dd>{DRIVER_LABELS[h.drivers.database] ?? h.drivers.database}</dd>
            </div>
            <div>
              <dt>Object storage</dt>
              <dd>{DRIVER_LABELS[h.drivers.objects] ?? h.drivers.objects}</dd>
            </div>
            <div>
              <dt>Job queue</dt>
              <dd>{DRIVER_LABELS[h.drivers.jobs] ?? h.drivers.jobs}</dd>
            </div>
          </dl>
        </Card>

        <Card title="Checks">
          {checks.length === 0 ? (
            <EmptyState title="No checks reported" />
          ) : (
            <ul className="check-list">
              {checks.map(([name, c]) => (
                <li key={name}>
                  <span className={`check-icon ${c.ok ? 'ok' : 'fail'}`} aria-hidden="true">
                    {c.ok ? '✓' : '!'}
                  </span>
                  <span className="check-name">{name}</span>
                  <Badge tone={c.ok ? 'success' : 'danger'}>{c.ok ? 'OK' : 'Failing'}</Badge>
                  {c.detail ? <span className="check-detail">{c.detail}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title="Database migrations">
          <p className="card-text">
            {plural(h.migrations.applied.length, 'migration')} applied,{' '}
            {h.migrations.pending.length === 0 ? 'none pending.' : `${h.migrations.pending.length} pending.`}
          </p>
          {h.migrations.pending.length > 0 ? (
            <>
              <h3 className="list-title">Pending</h3>
              <ul className="migration-list">
                {h.migrations.pending.map((m) => (
                  <li key={m}>
                    <code>{m}</code> <Badge tone="warning">Pending</Badge>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {h.migrations.applied.length > 0 ? (
            <details className="detail">
              <summary>Applied migrations</summary>
              <ul className="migration-list">
                {h.migrations.applied.map((m) => (
                  <li key={m}>
                    <code>{m}</code>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </Card>
      </div>
    </>
  );
}
