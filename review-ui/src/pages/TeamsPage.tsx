import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { GrantSummary, Role, TeamSummary, UpdateTeamRequest, UserSummary } from '@duet/protocol';
import { api } from '../api';
import { formatDate, plural, ROLE_LABELS } from '../format';
import {
  Card,
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

type Data = { teams: TeamSummary[]; users: UserSummary[]; grants: GrantSummary[] };

export function TeamsPage() {
  const data = useResource<Data>(async (signal) => {
    const [teams, users, grants] = await Promise.all([api.listTeams(signal), api.listUsers(signal), api.listGrants(signal)]);
    return { teams: teams.teams, users: users.users, grants: grants.grants };
  });
  const notice = useNotice();
  const [editing, setEditing] = useState<TeamSummary | 'new' | null>(null);

  const usersById = useMemo(() => new Map((data.data?.users ?? []).map((u) => [u.id, u])), [data.data]);
  const teams = useMemo(() => [...(data.data?.teams ?? [])].sort((a, b) => a.name.localeCompare(b.name)), [data.data]);

  return (
    <>
      <PageHeader
        title="Teams"
        description="Teams group agents under a supervisor and a trainer. QA analysts and trainers see a team's interactions through access grants."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={!data.data}>
            New team
          </button>
        }
      />
      <Notice message={notice.message} onDismiss={notice.dismiss} />
      {data.error ? <ErrorBanner error={data.error} onRetry={data.reload} /> : null}

      <Card title={data.data ? plural(teams.length, 'team') : 'Teams'}>
        {data.loading && !data.data ? <Loading label="Loading teams…" /> : null}
        {data.data && teams.length === 0 ? (
          <EmptyState
            title="No teams yet"
            action={
              <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
                New team
              </button>
            }
          >
            Create a team, give it a supervisor, then add agents to it from the Users page.
          </EmptyState>
        ) : null}
        {data.data && teams.length > 0 ? (
          <TableWrap label="Teams">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col">Supervisor</th>
                  <th scope="col">Trainer</th>
                  <th scope="col">Members</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {teams.map((t) => (
                  <tr key={t.id}>
                    <td className="cell-strong">{t.name}</td>
                    <td>{personName(t.supervisorId, usersById) ?? <span className="muted">None</span>}</td>
                    <td>{personName(t.trainerId, usersById) ?? <span className="muted">None</span>}</td>
                    <td>
                      <span className="cell-strong">{t.memberIds.length}</span>
                      {t.memberIds.length > 0 ? (
                        <span className="cell-sub">{memberPreview(t.memberIds, usersById)}</span>
                      ) : null}
                    </td>
                    <td className="cell-actions">
                      <button type="button" className="btn btn-secondary btn-sm" aria-label={`Edit ${t.name}`} onClick={() => setEditing(t)}>
                        Edit
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </Card>

      {data.data ? (
        <GrantsCard
          data={data.data}
          usersById={usersById}
          onChanged={(message) => {
            notice.show(message);
            data.reload();
          }}
        />
      ) : null}

      <Modal
        open={editing !== null}
        title={editing === 'new' ? 'New team' : `Edit ${editing?.name ?? ''}`}
        onClose={() => setEditing(null)}
        bare
      >
        {editing && data.data ? (
          <TeamForm
            key={editing === 'new' ? 'new' : editing.id}
            team={editing}
            users={data.data.users}
            onCancel={() => setEditing(null)}
            onSaved={(message) => {
              setEditing(null);
              notice.show(message);
              data.reload();
            }}
          />
        ) : null}
      </Modal>
    </>
  );
}

function personName(id: string | null, byId: Map<string, UserSummary>): string | null {
  if (!id) return null;
  const u = byId.get(id);
  return u ? u.displayName : 'Unknown user';
}

function memberPreview(ids: readonly string[], byId: Map<string, UserSummary>): string {
  const names = ids.map((id) => byId.get(id)?.displayName ?? 'Unknown').sort((a, b) => a.localeCompare(b));
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/** People who may fill a role: enabled holders of it, plus whoever holds the slot today. */
function candidates(users: readonly UserSummary[], role: Role, current: string | null): UserSummary[] {
  return users
    .filter((u) => (u.roles.includes(role) && !u.disabled) || u.id === current)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

function TeamForm({
  team,
  users,
  onCancel,
  onSaved,
}: {
  team: TeamSummary | 'new';
  users: UserSummary[];
  onCancel: () => void;
  onSaved: (message: string) => void;
}) {
  const existing = team === 'new' ? null : team;
  const [name, setName] = useState(existing?.name ?? '');
  const [supervisorId, setSupervisorId] = useState(existing?.supervisorId ?? '');
  const [trainerId, setTrainerId] = useState(existing?.trainerId ?? '');
  const formRef = useRef<HTMLFormElement>(null);
  const save = useAction();
  useFocusFirstInvalid(formRef, save.error);
  const errors = save.error?.fieldErrors() ?? {};
  const hasFieldErrors = Object.keys(errors).length > 0;

  const supervisors = candidates(users, 'supervisor', existing?.supervisorId ?? null);
  const trainers = candidates(users, 'trainer', existing?.trainerId ?? null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!existing) {
      const result = await save.run(() =>
        api.createTeam({ name: name.trim(), supervisorId: supervisorId || null, trainerId: trainerId || null }),
      );
      if (result.ok) onSaved(`Team ${result.value.name} created.`);
      return;
    }
    const patch: UpdateTeamRequest = {};
    if (name.trim() !== existing.name) patch.name = name.trim();
    if ((supervisorId || null) !== existing.supervisorId) patch.supervisorId = supervisorId || null;
    if ((trainerId || null) !== existing.trainerId) patch.trainerId = trainerId || null;
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    const result = await save.run(() => api.updateTeam(existing.id, patch));
    if (result.ok) onSaved(`Changes to ${result.value.name} saved.`);
  }

  return (
    <form ref={formRef} className="modal-form" onSubmit={submit} noValidate>
      <div className="modal-body form">
        {save.error && !hasFieldErrors ? <ErrorBanner error={save.error} title="Could not save" /> : null}
        <TextField label="Team name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} autoComplete="off" required />
        <SelectField
          label="Supervisor"
          value={supervisorId}
          onChange={(e) => setSupervisorId(e.target.value)}
          error={errors.supervisorId}
          hint={supervisors.length === 0 ? 'No user has the Supervisor role yet.' : 'Reviews and coaches this team.'}
        >
          <option value="">No supervisor</option>
          {supervisors.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username}){u.disabled ? ', disabled' : ''}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Trainer"
          value={trainerId}
          onChange={(e) => setTrainerId(e.target.value)}
          error={errors.trainerId}
          hint={trainers.length === 0 ? 'No user has the Trainer role yet.' : 'Runs clips and Quality Blitz for this team.'}
        >
          <option value="">No trainer</option>
          {trainers.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username}){u.disabled ? ', disabled' : ''}
            </option>
          ))}
        </SelectField>
        {!existing ? <p className="field-hint">Add agents to the team from the Users page.</p> : null}
      </div>
      <div className="modal-footer">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={save.busy}>
          Cancel
        </button>
        <SubmitButton busy={save.busy}>{existing ? 'Save changes' : 'Create team'}</SubmitButton>
      </div>
    </form>
  );
}

function GrantsCard({
  data,
  usersById,
  onChanged,
}: {
  data: Data;
  usersById: Map<string, UserSummary>;
  onChanged: (message: string) => void;
}) {
  const [userId, setUserId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [removing, setRemoving] = useState<GrantSummary | null>(null);
  const add = useAction();
  const remove = useAction();
  const [missing, setMissing] = useState<Record<string, string>>({});
  const errors = { ...(add.error?.fieldErrors() ?? {}), ...missing };

  const teamsById = new Map(data.teams.map((t) => [t.id, t]));
  const grantees = data.users
    .filter((u) => !u.disabled && (u.roles.includes('qa') || u.roles.includes('trainer')))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const teams = [...data.teams].sort((a, b) => a.name.localeCompare(b.name));
  const grants = [...data.grants].sort(
    (a, b) =>
      (usersById.get(a.userId)?.displayName ?? '').localeCompare(usersById.get(b.userId)?.displayName ?? '') ||
      (teamsById.get(a.teamId)?.name ?? '').localeCompare(teamsById.get(b.teamId)?.name ?? ''),
  );
  const duplicate = data.grants.some((g) => g.userId === userId && g.teamId === teamId);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const need: Record<string, string> = {};
    if (!userId) need.userId = 'Choose who gets access.';
    if (!teamId) need.teamId = 'Choose a team.';
    setMissing(need);
    if (Object.keys(need).length > 0) return;
    const result = await add.run(() => api.createGrant({ userId, teamId }));
    if (result.ok) {
      const who = usersById.get(userId)?.displayName ?? 'The user';
      const team = teamsById.get(teamId)?.name ?? 'the team';
      setUserId('');
      setTeamId('');
      onChanged(`${who} can now see ${team}.`);
    }
  }

  async function confirmRemove() {
    if (!removing) return;
    const grant = removing;
    const result = await remove.run(() => api.deleteGrant(grant.id));
    if (result.ok) {
      setRemoving(null);
      onChanged(`Access removed: ${describeGrant(grant, usersById, teamsById)}.`);
    }
  }

  return (
    <Card title="Access grants">
      <p className="card-text">
        QA analysts and trainers see a team's interactions only through an explicit grant. Supervisors see their own
        team without one.
      </p>
      {add.error && Object.keys(errors).length === 0 ? <ErrorBanner error={add.error} title="Could not grant access" /> : null}
      <form className="inline-form" onSubmit={submit} noValidate aria-label="Grant access">
        <SelectField
          label="QA analyst or trainer"
          value={userId}
          onChange={(e) => {
            setUserId(e.target.value);
            setMissing(({ userId: _, ...rest }) => rest);
          }}
          error={errors.userId}
          disabled={grantees.length === 0}
        >
          <option value="">{grantees.length === 0 ? 'No QA analysts or trainers yet' : 'Choose a person'}</option>
          {grantees.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.roles.filter((r) => r === 'qa' || r === 'trainer').map((r) => ROLE_LABELS[r]).join(', ')})
            </option>
          ))}
        </SelectField>
        <SelectField label="Team" value={teamId} onChange={(e) => {
            setTeamId(e.target.value);
            setMissing(({ teamId: _, ...rest }) => rest);
          }}
          error={errors.teamId} disabled={teams.length === 0}>
          <option value="">{teams.length === 0 ? 'No teams yet' : 'Choose a team'}</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <div className="inline-form-submit">
          <SubmitButton busy={add.busy} className="btn btn-primary">
            Grant access
          </SubmitButton>
        </div>
      </form>
      {duplicate ? <p className="field-hint">This person already has access to this team.</p> : null}

      {grants.length === 0 ? (
        <EmptyState title="No grants yet">Grant a QA analyst or trainer access to a team to let them evaluate it.</EmptyState>
      ) : (
        <TableWrap label="Access grants">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Roles</th>
                <th scope="col">Team</th>
                <th scope="col">Granted</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const u = usersById.get(g.userId);
                return (
                  <tr key={g.id}>
                    <td className="cell-strong">{u?.displayName ?? 'Unknown user'}</td>
                    <td>{u ? <RoleChips roles={u.roles} /> : null}</td>
                    <td>{teamsById.get(g.teamId)?.name ?? 'Unknown team'}</td>
                    <td>{formatDate(g.createdAt)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="btn btn-danger-outline btn-sm"
                        aria-label={`Remove access: ${describeGrant(g, usersById, teamsById)}`}
                        onClick={() => {
                          remove.clear();
                          setRemoving(g);
                        }}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}

      <ConfirmDialog
        open={removing !== null}
        title="Remove access?"
        confirmLabel="Remove access"
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setRemoving(null)}
        onConfirm={confirmRemove}
      >
        <p>
          {removing ? describeGrant(removing, usersById, teamsById) : ''}. They will no longer see this team's
          interactions. Evaluations they already made are kept.
        </p>
      </ConfirmDialog>
    </Card>
  );
}

function describeGrant(g: GrantSummary, users: Map<string, UserSummary>, teams: Map<string, TeamSummary>): string {
  return `${users.get(g.userId)?.displayName ?? 'Unknown user'} → ${teams.get(g.teamId)?.name ?? 'Unknown team'}`;
}
