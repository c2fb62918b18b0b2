import type { Me, RecorderTokenSummary, Role, TeamSummary, UserSummary } from '@duet/protocol';
import { api } from '../api';
import { hasRole, useMe } from '../auth';
import { plural, ROLE_LABELS } from '../format';
import { Link } from '../router';
import { Card, ErrorBanner, Loading, RoleChips, usePageTitle, useResource } from '../ui';
import type { Resource } from '../ui';

type Feature = { title: string; text: string };

/** What each role will do in Duet. Only administration exists today; the rest comes with the player. */
const FEATURES: Record<Exclude<Role, 'admin'>, Feature> = {
  agent: {
    title: 'Your interactions and evaluations',
    text: 'Replay your own calls with the screen beside the voice, read how they were scored, score yourself on the same scorecard and discuss a result.',
  },
  supervisor: {
    title: "Your team's interactions",
    text: 'Replay the full calls of your team, score them and coach with comments pinned to the moment they happened.',
  },
  qa: {
    title: 'Evaluations and calibration',
    text: 'Evaluate a fair sample of every agent on the teams you are granted, and calibrate with other evaluators on the same call.',
  },
  trainer: {
    title: 'Clips and Quality Blitz',
    text: 'Cut clips of excellent service into an exemplar library and run a monthly Quality Blitz: one theme, one recording a day.',
  },
  executive: {
    title: 'Curated playlists',
    text: 'Listen to selected real calls, audio-only and on the move, and send the ones that ask for action back to the team.',
  },
};

function greeting(now = new Date()): string {
  const h = now.getHours();
  if (h < 5) return 'Good evening';
  if (h < 12) return 'Good morning';
  if (h < 18) return 'Good afternoon';
  return 'Good evening';
}

export function HomePage() {
  usePageTitle('Home');
  const me = useMe();
  const firstName = me.displayName.split(/\s+/)[0] || me.displayName;
  const isAdmin = hasRole(me, 'admin');
  const upcoming = me.roles.filter((r): r is Exclude<Role, 'admin'> => r !== 'admin');
  // Only admins may read the directory; everyone else sees what their session says about them.
  const overview = useResource(async (signal): Promise<Overview | null> => {
    if (!isAdmin) return null;
    const [users, teams, tokens] = await Promise.all([api.listUsers(signal), api.listTeams(signal), api.listTokens(signal)]);
    return { users: users.users, teams: teams.teams, tokens: tokens.tokens };
  });

  return (
    <>
      <div className="page-header">
        <div className="page-header-text">
          <h1 tabIndex={-1}>
            {greeting()}, {firstName}
          </h1>
          <p className="page-description">
            Signed in as <strong>{me.username}</strong>
          </p>
        </div>
      </div>

      <div className="home-grid">
        <Card title="Your account" className="home-account">
          <dl className="facts">
            <div>
              <dt>Roles</dt>
              <dd>
                <RoleChips roles={me.roles} />
              </dd>
            </div>
            <div>
              <dt>Teams</dt>
              <dd>{overview.data ? teamNames(me, overview.data.teams) : teamCount(me)}</dd>
            </div>
          </dl>
        </Card>

        {isAdmin ? <AdminOverview data={overview} /> : null}
      </div>

      {upcoming.length > 0 ? (
        <section className="home-section" aria-labelledby="home-upcoming">
          <h2 id="home-upcoming" className="section-title">
            Your work in Duet
          </h2>
          <p className="section-text">
            Recording review is being built. Here is what you will find once the player ships.
          </p>
          <ul className="feature-grid">
            {upcoming.map((role) => (
              <li key={role} className="feature">
                <p className="feature-role">{ROLE_LABELS[role]}</p>
                <h3>{FEATURES[role].title}</h3>
                <p>{FEATURES[role].text}</p>
                <span className="badge badge-neutral">Coming with the player</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function teamCount(me: Me): string {
  return me.teamIds.length === 0 ? 'Not on a team yet' : `Member of ${plural(me.teamIds.length, 'team')}`;
}

function teamNames(me: Me, teams: readonly TeamSummary[]): string {
  if (me.teamIds.length === 0) return 'Not on a team';
  const byId = new Map(teams.map((t) => [t.id, t.name]));
  return me.teamIds.map((id) => byId.get(id) ?? 'Unknown team').join(', ');
}

type Overview = { users: UserSummary[]; teams: TeamSummary[]; tokens: RecorderTokenSummary[] };

function AdminOverview({ data }: { data: Resource<Overview | null> }) {
  return (
    <Card title="Administration" className="home-admin">
      {data.error ? <ErrorBanner error={data.error} onRetry={data.reload} /> : null}
      {data.loading && !data.data ? <Loading label="Loading overview…" /> : null}
      {data.data ? (
        <ul className="stat-grid">
          <Stat
            to="/admin/users"
            label="Users"
            value={data.data.users.filter((u) => !u.disabled).length}
            sub={disabledNote(data.data.users.filter((u) => u.disabled).length)}
          />
          <Stat
            to="/admin/teams"
            label="Teams"
            value={data.data.teams.length}
            sub={`${plural(data.data.teams.filter((t) => !t.supervisorId).length, 'team')} without a supervisor`}
          />
          <Stat
            to="/admin/tokens"
            label="Recorder tokens"
            value={data.data.tokens.filter((t) => !t.revokedAt).length}
            sub={`active · ${data.data.tokens.filter((t) => !t.revokedAt && !t.lastUsedAt).length} never used`}
          />
        </ul>
      ) : null}
      <p className="admin-links">
        <Link to="/admin/audit">Audit log</Link>
        <span aria-hidden="true">·</span>
        <Link to="/system">System health</Link>
      </p>
    </Card>
  );
}

function disabledNote(n: number): string {
  return n === 0 ? 'active · none disabled' : `active · ${n} disabled`;
}

function Stat({ to, label, value, sub }: { to: string; label: string; value: number; sub: string }) {
  return (
    <li>
      <Link to={to} className="stat">
        <span className="stat-label">{label}</span>
        <span className="stat-value">{value}</span>
        <span className="stat-sub">{sub}</span>
      </Link>
    </li>
  );
}
