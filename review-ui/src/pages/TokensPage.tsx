import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { CreatedRecorderToken, RecorderTokenSummary, UserSummary } from '@duet/protocol';
import { api } from '../api';
import { formatDateTime, formatRelative, plural } from '../format';
import {
  Badge,
  Card,
  ConfirmDialog,
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
  useNotice,
  useResource,
} from '../ui';

export function TokensPage() {
  const data = useResource(async (signal) => {
    const [tokens, users] = await Promise.all([api.listTokens(signal), api.listUsers(signal)]);
    return { tokens: tokens.tokens, users: users.users };
  });
  const notice = useNotice();
  const [created, setCreated] = useState<CreatedRecorderToken | null>(null);
  const [revoking, setRevoking] = useState<RecorderTokenSummary | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const revoke = useAction();

  const usersById = useMemo(() => new Map((data.data?.users ?? []).map((u) => [u.id, u])), [data.data]);
  const all = useMemo(
    () => [...(data.data?.tokens ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    [data.data],
  );
  const active = all.filter((t) => !t.revokedAt);
  const shown = showRevoked ? all : active;
  const revokedCount = all.length - active.length;

  async function confirmRevoke() {
    if (!revoking) return;
    const token = revoking;
    const result = await revoke.run(() => api.revokeToken(token.id));
    if (result.ok) {
      setRevoking(null);
      notice.show(`Token “${token.label}” revoked.`);
      data.reload();
    }
  }

  return (
    <>
      <PageHeader
        title="Recorder tokens"
        description="A recorder token lets the Duet recorder in an agent's browser upload that agent's screen and voice. Each token belongs to one agent; revoke it when a desk or device changes hands."
      />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {data.error ? <ErrorBanner error={data.error} onRetry={data.reload} /> : null}

      {data.data ? (
        <CreateTokenCard
          users={data.data.users}
          onCreated={(token) => {
            setCreated(token);
            data.reload();
          }}
        />
      ) : null}

      <Card
        title={data.data ? `${plural(active.length, 'active token')}` : 'Tokens'}
        actions={
          revokedCount > 0 ? (
            <label className="toggle">
              <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
              Show revoked ({revokedCount})
            </label>
          ) : null
        }
      >
        {data.loading && !data.data ? <Loading label="Loading recorder tokens…" /> : null}
        {data.data && shown.length === 0 ? (
          <EmptyState title={all.length === 0 ? 'No recorder tokens yet' : 'No active tokens'}>
            Create a token for an agent above, then paste it into the recorder's settings on that agent's computer.
          </EmptyState>
        ) : null}
        {data.data && shown.length > 0 ? (
          <TableWrap label="Recorder tokens">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Label</th>
                  <th scope="col">Token</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((t) => (
                  <tr key={t.id} className={t.revokedAt ? 'row-muted' : undefined}>
                    <td className="cell-strong">{agentName(t.agentId, usersById)}</td>
                    <td>{t.label}</td>
                    <td>
                      <code className="token-prefix">{t.prefix}…</code>
                    </td>
                    <td>{formatDateTime(t.createdAt)}</td>
                    <td>
                      {t.lastUsedAt ? (
                        <time dateTime={t.lastUsedAt} title={formatDateTime(t.lastUsedAt)}>
                          {formatRelative(t.lastUsedAt)}
                        </time>
                      ) : (
                        <span className="muted">Never</span>
                      )}
                    </td>
                    <td>
                      {t.revokedAt ? (
                        <Badge tone="danger">Revoked {formatRelative(t.revokedAt)}</Badge>
                      ) : (
                        <Badge tone="success">Active</Badge>
                      )}
                    </td>
                    <td className="cell-actions">
                      {t.revokedAt ? null : (
                        <button
                          type="button"
                          className="btn btn-danger-outline btn-sm"
                          aria-label={`Revoke ${t.label} (${agentName(t.agentId, usersById)})`}
                          onClick={() => {
                            revoke.clear();
                            setRevoking(t);
                          }}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </Card>

      <CreatedTokenDialog token={created} agent={created ? agentName(created.agentId, usersById) : ''} onClose={() => setCreated(null)} />

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        confirmLabel="Revoke token"
        busy={revoke.busy}
        error={revoke.error}
        onCancel={() => setRevoking(null)}
        onConfirm={confirmRevoke}
      >
        <p>
          “{revoking?.label}” for <strong>{revoking ? agentName(revoking.agentId, usersById) : ''}</strong> (
          <code className="token-prefix">{revoking?.prefix}…</code>) will stop working: recorders using it can no longer
          upload. Recordings already received are kept. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}

function agentName(id: string, byId: Map<string, UserSummary>): string {
  return byId.get(id)?.displayName ?? 'Unknown agent';
}

function CreateTokenCard({ users, onCreated }: { users: UserSummary[]; onCreated: (token: CreatedRecorderToken) => void }) {
  const [agentId, setAgentId] = useState('');
  const [label, setLabel] = useState('');
  const [missing, setMissing] = useState<Record<string, string>>({});
  const create = useAction();
  const errors = { ...(create.error?.fieldErrors() ?? {}), ...missing };
  const agents = users
    .filter((u) => u.roles.includes('agent') && !u.disabled)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const need: Record<string, string> = {};
    if (!agentId) need.agentId = 'Choose the agent this token records.';
    if (!label.trim()) need.label = 'Name the token, for example after the desk or computer.';
    setMissing(need);
    if (Object.keys(need).length > 0) return;
    const result = await create.run(() => api.createToken({ agentId, label: label.trim() }));
    if (result.ok) {
      setAgentId('');
      setLabel('');
      onCreated(result.value);
    }
  }

  return (
    <Card title="New recorder token">
      {create.error && Object.keys(create.error.fieldErrors()).length === 0 ? (
        <ErrorBanner error={create.error} title="Could not create the token" />
      ) : null}
      <form className="inline-form" onSubmit={submit} noValidate aria-label="New recorder token">
        <SelectField
          label="Agent"
          value={agentId}
          onChange={(e) => {
            setAgentId(e.target.value);
            setMissing(({ agentId: _, ...rest }) => rest);
          }}
          error={errors.agentId}
          disabled={agents.length === 0}
        >
          <option value="">{agents.length === 0 ? 'No agents yet' : 'Choose an agent'}</option>
          {agents.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username})
            </option>
          ))}
        </SelectField>
        <TextField
          label="Label"
          value={label}
          onChange={(e) => {
            setLabel(e.target.value);
            setMissing(({ label: _, ...rest }) => rest);
          }}
          error={errors.label}
          placeholder="e.g. Desk 14, Chrome"
          autoComplete="off"
          maxLength={120}
        />
        <div className="inline-form-submit">
          <SubmitButton busy={create.busy}>Create token</SubmitButton>
        </div>
      </form>
      {agents.length === 0 ? <p className="field-hint">Give a user the Agent role on the Users page to create a token for them.</p> : null}
    </Card>
  );
}

/** Shows a new token's secret exactly once. Duet keeps only its hash. */
function CreatedTokenDialog({ token, agent, onClose }: { token: CreatedRecorderToken | null; agent: string; onClose: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'manual'>('idle');

  async function copyToken() {
    if (!token) return;
    try {
      if (!navigator.clipboard) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(token.token);
      setCopy('copied');
    } catch {
      // Without a secure context there is no clipboard API: select the text for a manual copy.
      inputRef.current?.select();
      setCopy('manual');
    }
  }

  function close() {
    setCopy('idle');
    onClose();
  }

  return (
    <Modal
      open={token !== null}
      title="Recorder token created"
      onClose={close}
      dismissable={false}
      footer={
        <button type="button" className="btn btn-primary" onClick={close}>
          Done
        </button>
      }
    >
      {token ? (
        <>
          <div className="banner banner-warning">
            <svg className="banner-icon" viewBox="0 0 20 20" aria-hidden="true">
              <path d="M10 2.8l8 14H2z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
              <path d="M10 8v4M10 14.4v.3" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
            <div className="banner-body">
              <strong>Copy this token now. It won't be shown again.</strong>
              <p>Duet stores only a hash of it. If it is lost, revoke it and create a new one.</p>
            </div>
          </div>
          <dl className="facts facts-inline">
            <div>
              <dt>Agent</dt>
              <dd>{agent}</dd>
            </div>
            <div>
              <dt>Label</dt>
              <dd>{token.label}</dd>
            </div>
          </dl>
          <div className="field">
            <label htmlFor="created-token">Token</label>
            <div className="copy-row">
              <input
                id="created-token"
                ref={inputRef}
                className="mono token-secret"
                readOnly
                value={token.token}
                onFocus={(e) => e.currentTarget.select()}
                data-testid="created-token"
              />
              <button type="button" className="btn btn-secondary" onClick={copyToken}>
                {copy === 'copied' ? 'Copied' : 'Copy'}
              </button>
            </div>
            <p className="field-hint" role="status">
              {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'manual' ? 'Press Ctrl+C (⌘C on a Mac) to copy the selected token.' : ''}
            </p>
          </div>
        </>
      ) : null}
    </Modal>
  );
}
