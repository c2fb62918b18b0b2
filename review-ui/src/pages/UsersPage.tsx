import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ROLES } from '@duet/protocol/constants';
import type { EmploymentType, Role, TeamSummary, UpdateUserRequest, UserSummary } from '@duet/protocol';
import { api } from '../api';
import { useMe } from '../auth';
import { EMPLOYMENT_LABELS, formatDate, plural, ROLE_LABELS } from '../format';
import {
  Badge,
  Card,
  CheckboxGroup,
  ConfirmDialog,
  EmptyState,
  ErrorBanner,
  Loading,
  Modal,
  Notice,
  PageHeader,
  RoleChips,
  SelectField,
  SubmitButton,
  TableWrap,
  TextField,
  useAction,
  useFocusFirstInvalid,
  useNotice,
  useResource,
} from '../ui';

const ROLE_HINTS: Record<Role, string> = {
  admin: 'Users, teams, tokens, audit',
  supervisor: 'Reviews and coaches a team',
  qa: 'Evaluates granted teams',
  trainer: 'Clips and Quality Blitz',
  executive: 'Curated playlists',
  agent: 'Is recorded',
};

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], description: ROLE_HINTS[r] }));

export function UsersPage() {
  const me = useMe();
  const data = useResource(async (signal) => {
    const [users, teams] = await Promise.all([api.listUsers(signal), api.listTeams(signal)]);
    return { users: users.users, teams: teams.teams };
  });
  const notice = useNotice();
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<UserSummary | 'new' | null>(null);
  const [disabling, setDisabling] = useState<UserSummary | null>(null);
  const toggle = useAction();

  const teamsById = useMemo(() => new Map((data.data?.teams ?? []).map((t) => [t.id, t])), [data.data]);
  const users = useMemo(() => {
    const all = [...(data.data?.users ?? [])].sort((a, b) => a.displayName.localeCompare(b.displayName));
    const q = query.trim().toLowerCase();
    if (!q) return all;
    return all.filter(
      (u) =>
        u.username.includes(q) ||
        u.displayName.toLowerCase().includes(q) ||
        u.roles.some((r) => ROLE_LABELS[r].toLowerCase().includes(q)),
    );
  }, [data.data, query]);

  async function setDisabled(user: UserSummary, disabled: boolean) {
    const result = await toggle.run(() => api.updateUser(user.id, { disabled }));
    if (result.ok) {
      setDisabling(null);
      notice.show(disabled ? `${user.displayName} is disabled and can no longer sign in.` : `${user.displayName} can sign in again.`);
      data.reload();
    }
  }

  const total = data.data?.users.length ?? 0;
  const disabledCount = data.data?.users.filter((u) => u.disabled).length ?? 0;

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in to Duet, with their roles and teams."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={!data.data}>
            New user
          </button>
        }
      />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {toggle.error && !disabling ? <ErrorBanner error={toggle.error} /> : null}

      <Card
        title={data.data ? `${plural(total - disabledCount, 'active user')}${disabledCount ? `, ${disabledCount} disabled` : ''}` : 'Users'}
        actions={
          data.data && total > 0 ? (
            <div className="search">
              <label htmlFor="user-search" className="visually-hidden">
                Search users
              </label>
              <input
                id="user-search"
                type="search"
                placeholder="Search users"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            </div>
          ) : null
        }
      >
        {data.error ? <ErrorBanner error={data.error} onRetry={data.reload} /> : null}
        {data.loading && !data.data ? <Loading label="Loading users…" /> : null}
        {data.data && total === 0 ? (
          <EmptyState
            title="No users yet"
            action={
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
                New user
              </button>
            }
          >
            Create accounts for your agents, supervisors and QA analysts.
          </EmptyState>
        ) : null}
        {data.data && total > 0 && users.length === 0 ? (
          <EmptyState title="No matching users">Nobody matches “{query}”.</EmptyState>
        ) : null}
        {data.data && users.length > 0 ? (
          <TableWrap label="Users">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Employment</th>
                  <th scope="col">Teams</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => {
                  const self = u.id === me.id;
                  return (
                    <tr key={u.id} className={u.disabled ? 'row-muted' : undefined}>
                      <td className="mono">{u.username}</td>
                      <td>
                        <span className="cell-strong">{u.displayName}</span>
                        {self ? (
                          <>
                            {' '}
                            <Badge tone="accent">You</Badge>
                          </>
                        ) : null}
                        <span className="cell-sub">Since {formatDate(u.createdAt)}</span>
                      </td>
                      <td>
                        <RoleChips roles={u.roles} />
                      </td>
                      <td>{u.employmentType ? EMPLOYMENT_LABELS[u.employmentType] : <span className="muted">—</span>}</td>
                      <td>{teamNames(u.teamIds, teamsById) || <span className="muted">—</span>}</td>
                      <td>{u.disabled ? <Badge tone="danger">Disabled</Badge> : <Badge tone="success">Active</Badge>}</td>
                      <td className="cell-actions">
                        <button
                          type="button"
                          className="btn btn-secondary btn-sm"
                          aria-label={`Edit ${u.username}`}
                          onClick={() => setEditing(u)}
                        >
                          Edit
                        </button>
                        {self ? null : u.disabled ? (
                          <button
                            type="button"
                            className="btn btn-secondary btn-sm"
                            aria-label={`Enable ${u.username}`}
                            disabled={toggle.busy}
                            onClick={() => setDisabled(u, false)}
                          >
                            Enable
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="btn btn-danger-outline btn-sm"
                            aria-label={`Disable ${u.username}`}
                            onClick={() => {
                              toggle.clear();
                              setDisabling(u);
                            }}
                          >
                            Disable
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </Card>

      <Modal
        open={editing !== null}
        title={editing === 'new' ? 'New user' : `Edit ${editing?.displayName ?? ''}`}
        onClose={() => setEditing(null)}
        size="lg"
        bare
      >
        {editing && data.data ? (
          <UserForm
            key={editing === 'new' ? 'new' : editing.id}
            user={editing}
            teams={data.data.teams}
            onCancel={() => setEditing(null)}
            onSaved={(message) => {
              setEditing(null);
              notice.show(message);
              data.reload();
            }}
          />
        ) : null}
      </Modal>

      <ConfirmDialog
        open={disabling !== null}
        title={`Disable ${disabling?.displayName ?? ''}?`}
        confirmLabel="Disable user"
        busy={toggle.busy}
        error={toggle.error}
        onCancel={() => setDisabling(null)}
        onConfirm={() => disabling && setDisabled(disabling, true)}
      >
        <p>
          <strong>{disabling?.username}</strong> will no longer be able to sign in. Their recordings, evaluations and
          audit history are kept, and you can enable the account again at any time.
        </p>
      </ConfirmDialog>
    </>
  );
}

function teamNames(ids: readonly string[], byId: Map<string, TeamSummary>): string {
  return ids
    .map((id) => byId.get(id)?.name ?? 'Unknown team')
    .sort((a, b) => a.localeCompare(b))
    .join(', ');
}

type FormState = {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  employmentType: EmploymentType | '';
  teamIds: string[];
};

function UserForm({
  user,
  teams,
  onCancel,
  onSaved,
}: {
  user: UserSummary | 'new';
  teams: TeamSummary[];
  onCancel: () => void;
  onSaved: (message: string) => void;
}) {
  const isNew = user === 'new';
  const existing = user === 'new' ? null : user;
  const [form, setForm] = useState<FormState>(() => ({
    username: existing?.username ?? '',
    displayName: existing?.displayName ?? '',
    password: '',
    roles: existing ? [...existing.roles] : ['agent'],
    employmentType: existing?.employmentType ?? '',
    teamIds: existing ? [...existing.teamIds] : [],
  }));
  const formRef = useRef<HTMLFormElement>(null);
  const save = useAction();
  useFocusFirstInvalid(formRef, save.error);
  const fieldErrors = save.error?.fieldErrors() ?? {};
  const formIssues = save.error?.formIssues() ?? [];
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;

  const teamOptions = [...teams]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => ({ value: t.id, label: t.name, description: plural(t.memberIds.length, 'member') }));

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (isNew) {
      const result = await save.run(() =>
        api.createUser({
          username: form.username.trim(),
          displayName: form.displayName.trim(),
          password: form.password,
          roles: form.roles,
          employmentType: form.employmentType || undefined,
          teamIds: form.teamIds,
        }),
      );
      if (result.ok) onSaved(`User ${result.value.username} created.`);
      return;
    }
    if (!existing) return;
    const patch: UpdateUserRequest = {};
    if (form.displayName.trim() !== existing.displayName) patch.displayName = form.displayName.trim();
    if (form.password) patch.password = form.password;
    if (!sameSet(form.roles, existing.roles)) patch.roles = form.roles;
    if ((form.employmentType || null) !== existing.employmentType) patch.employmentType = form.employmentType || null;
    if (!sameSet(form.teamIds, existing.teamIds)) patch.teamIds = form.teamIds;
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    const result = await save.run(() => api.updateUser(existing.id, patch));
    if (result.ok) onSaved(`Changes to ${existing.username} saved.`);
  }

  return (
    <form ref={formRef} className="modal-form" onSubmit={submit} noValidate>
      <div className="modal-body form">
        {save.error && (!hasFieldErrors || formIssues.length > 0) ? (
          <ErrorBanner error={formIssues.length > 0 ? formIssues.join(' ') : save.error} title="Could not save" />
        ) : null}
        {save.error && hasFieldErrors ? (
          <p className="form-summary" role="alert">
            Check the highlighted fields.
          </p>
        ) : null}
        <div className="form-row">
          {isNew ? (
            <TextField
              label="Username"
              value={form.username}
              onChange={(e) => set('username', e.target.value)}
              error={fieldErrors.username}
              hint="Lower-case letters, digits, “.”, “-” or “_”."
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
            />
          ) : (
            <div className="field">
              <span className="field-label">Username</span>
              <p className="field-static mono">{existing?.username}</p>
            </div>
          )}
          <TextField
            label="Display name"
            value={form.displayName}
            onChange={(e) => set('displayName', e.target.value)}
            error={fieldErrors.displayName}
            autoComplete="off"
            required
          />
        </div>
        <div className="form-row">
          <TextField
            label={isNew ? 'Password' : 'New password'}
            type="password"
            value={form.password}
            onChange={(e) => set('password', e.target.value)}
            error={fieldErrors.password}
            hint={isNew ? 'At least 10 characters. Share it with the user privately.' : 'Leave empty to keep the current password.'}
            autoComplete="new-password"
            required={isNew}
          />
          <SelectField
            label="Employment type"
            value={form.employmentType}
            onChange={(e) => set('employmentType', e.target.value as EmploymentType | '')}
            error={fieldErrors.employmentType}
            hint="Lets analytics compare full-time and part-time agents."
          >
            <option value="">Not set</option>
            <option value="full_time">{EMPLOYMENT_LABELS.full_time}</option>
            <option value="part_time">{EMPLOYMENT_LABELS.part_time}</option>
          </SelectField>
        </div>
        <CheckboxGroup legend="Roles" options={ROLE_OPTIONS} value={form.roles} onChange={(v) => set('roles', v)} error={fieldErrors.roles} />
        <CheckboxGroup
          legend="Teams"
          options={teamOptions}
          value={form.teamIds}
          onChange={(v) => set('teamIds', v)}
          error={fieldErrors.teamIds}
          emptyText="No teams yet. Create teams on the Teams page, then add members here."
        />
      </div>
      <div className="modal-footer">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={save.busy}>
          Cancel
        </button>
        <SubmitButton busy={save.busy}>{isNew ? 'Create user' : 'Save changes'}</SubmitButton>
      </div>
    </form>
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
