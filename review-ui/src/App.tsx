import { Suspense, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Me, Role } from '@duet/protocol';
import { useAuth, useMe } from './auth';
import { ROLE_LABELS } from './format';
import { Link, navigate, NavLink, nextAfterLogin, rememberPlace, usePath } from './router';
import { ErrorBanner, Loading, usePageTitle } from './ui';
import { Logo } from './Logo';
import { LoginPage } from './pages/LoginPage';
import { HomePage } from './pages/HomePage';
import { LibraryPage } from './pages/LibraryPage';
import { lazyNamed } from './lazy-named';
import { QueryProvider } from './query';
import type { AppRoute } from './app-route';
import { EVALUATION_ROUTES } from './scoring/evaluation-routes';
import { PROGRAM_ROUTES } from './scoring/program-routes';
import { NotificationBell } from './scoring/evaluation/NotificationBell';

// Each page that is not where people land is its own chunk, loaded when it is opened: the
// player (rrweb), the admin pages, and the quality pages (in their route lists). The library and
// home stay in the entry: they are the landing pages.
const PlayerPage = lazyNamed(() => import('./pages/PlayerPage').then((m) => m.PlayerPage));
const UsersPage = lazyNamed(() => import('./pages/UsersPage').then((m) => m.UsersPage));
const TeamsPage = lazyNamed(() => import('./pages/TeamsPage').then((m) => m.TeamsPage));
const TokensPage = lazyNamed(() => import('./pages/TokensPage').then((m) => m.TokensPage));
const AuditPage = lazyNamed(() => import('./pages/AuditPage').then((m) => m.AuditPage));
const SystemPage = lazyNamed(() => import('./pages/SystemPage').then((m) => m.SystemPage));

function HomeOrLibrary() {
  const me = useMe();
  return usesLibrary(me) ? <LibraryPage /> : <HomePage />;
}

const PLAYER_PATH = /^\/interactions\/([0-9a-f-]{36})$/i;

type Route = AppRoute;

/** Roles whose day starts in the interaction library. */
const LIBRARY_ROLES: readonly Role[] = ['agent', 'supervisor', 'qa', 'trainer'];
const usesLibrary = (me: Me) => me.roles.some((r) => LIBRARY_ROLES.includes(r));

/**
 * `/` is where each role lands: agents on their own interactions, supervisors, QA and trainers
 * on their teams', admins and executives on the overview. Admins reach the library from the nav.
 */
const ROUTES: Route[] = [
  { path: '/', label: 'Home', render: () => <HomeOrLibrary /> },
  { path: '/interactions', label: 'Interactions', role: 'admin', render: () => <LibraryPage /> },
  { path: '/admin/users', label: 'Users', role: 'admin', render: () => <UsersPage /> },
  { path: '/admin/teams', label: 'Teams', role: 'admin', render: () => <TeamsPage /> },
  { path: '/admin/tokens', label: 'Recorder tokens', role: 'admin', render: () => <TokensPage /> },
  { path: '/admin/audit', label: 'Audit log', role: 'admin', render: () => <AuditPage /> },
  { path: '/system', label: 'System', role: 'admin', render: () => <SystemPage /> },
  ...EVALUATION_ROUTES,
  ...PROGRAM_ROUTES,
];

/** The route for a path: exact paths first, then patterns (detail pages such as `/x/:id`). */
function findRoute(path: string): { route: Route; params: string[] } | undefined {
  const exact = ROUTES.find((r) => r.path === path);
  if (exact) return { route: exact, params: [] };
  for (const r of ROUTES) {
    const m = r.pattern?.exec(path);
    if (m) return { route: r, params: m.slice(1).map((g) => g ?? '') };
  }
  return undefined;
}

export function App() {
  const { state, retry } = useAuth();
  const path = usePath();

  // Signed-in users have nothing to do on /login; anonymous users have nothing to do elsewhere.
  const wrongPlace =
    (state.status === 'signed-in' && path === '/login') || (state.status === 'anonymous' && path !== '/login');
  useEffect(() => {
    if (!wrongPlace) return;
    if (state.status === 'signed-in') navigate(nextAfterLogin(), { replace: true });
    else {
      rememberPlace();
      navigate('/login', { replace: true });
    }
  }, [wrongPlace, state.status, path]);

  if (state.status === 'loading' || wrongPlace) {
    return (
      <div className="boot">
        <Loading label="Loading Duet…" />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <main className="boot" id="main">
        <div className="boot-card">
          <Logo size={40} />
          <ErrorBanner error={state.error} title="Duet could not start" onRetry={retry} />
        </div>
      </main>
    );
  }
  if (state.status === 'anonymous') return <LoginPage notice={state.notice} />;
  return (
    <QueryProvider key={state.me.id}>
      <Shell path={path} />
    </QueryProvider>
  );
}


function canSee(me: Me, route: Route): boolean {
  if (route.roles) return route.roles.some((r) => me.roles.includes(r));
  return !route.role || me.roles.includes(route.role);
}

function Shell({ path }: { path: string }) {
  const me = useMe();
  const { logout } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  const player = PLAYER_PATH.exec(path);
  const found = findRoute(path);
  const route = found?.route;
  const visible = ROUTES.filter((r) => !r.hidden && canSee(me, r) && !(r.path === '/interactions' && usesLibrary(me)));
  const navLabel = (r: Route) => (r.path === '/' && usesLibrary(me) ? 'Interactions' : r.label);

  // After an in-app navigation, close the phone menu and move focus to the new page's heading
  // so screen-reader and keyboard users land where the content changed.
  useEffect(() => {
    setMenuOpen(false);
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }, [path]);

  async function signOut() {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await logout();
    } catch (error) {
      setSignOutError(error instanceof Error ? error.message : String(error));
      setSigningOut(false);
    }
  }

  let content: ReactNode;
  if (player?.[1]) content = <PlayerPage key={player[1]} id={player[1].toLowerCase()} />;
  else if (!route) content = <NotFoundPage />;
  else if (!canSee(me, route)) content = <ForbiddenPage role={route.roles?.[0] ?? route.role ?? 'admin'} />;
  else content = route.render(found?.params ?? []);

  const initials = me.displayName
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand" aria-label="Duet home">
            <Logo size={30} />
            <span className="brand-name">Duet</span>
          </Link>
          <button
            type="button"
            className="menu-btn"
            aria-expanded={menuOpen}
            aria-controls="topbar-menu"
            onClick={() => setMenuOpen((o) => !o)}
          >
            <svg viewBox="0 0 20 20" aria-hidden="true">
              {menuOpen ? (
                <path d="M5 5l10 10M15 5L5 15" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              ) : (
                <path d="M3 5.5h14M3 10h14M3 14.5h14" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              )}
            </svg>
            Menu
          </button>
          <div id="topbar-menu" className={`topbar-menu ${menuOpen ? 'open' : ''}`}>
            <nav aria-label="Main" className="primary-nav">
              <ul>
                {visible.map((r) => (
                  <li key={r.path}>
                    <NavLink to={r.path} active={r.path === '/' && usesLibrary(me) ? path === '/' || Boolean(player) : undefined}>
                      {navLabel(r)}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="user-box">
              <NotificationBell />
              <span className="avatar" aria-hidden="true">
                {initials || '?'}
              </span>
              <span className="user-text">
                <span className="user-name" data-testid="current-user-name">
                  {me.displayName}
                </span>
                <span className="user-roles" data-testid="current-user-roles">
                  {me.roles.map((r) => ROLE_LABELS[r]).join(' · ')}
                </span>
              </span>
              <button type="button" className="btn btn-topbar btn-sm" onClick={signOut} disabled={signingOut} aria-busy={signingOut}>
                Sign out
              </button>
            </div>
          </div>
        </div>
      </header>
      <main id="main" ref={mainRef} className="main" tabIndex={-1}>
        <div className="container">
          {signOutError ? <ErrorBanner error={signOutError} title="Could not sign out" /> : null}
          <Suspense fallback={<Loading label={player ? 'Loading the player…' : 'Loading…'} />}>{content}</Suspense>
        </div>
      </main>
    </div>
  );
}

function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <div className="status-page">
      <p className="status-code">404</p>
      <h1 tabIndex={-1}>Not found</h1>
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <Link to="/" className="btn btn-primary">
        Go to Home
      </Link>
    </div>
  );
}

function ForbiddenPage({ role }: { role: Role }) {
  usePageTitle('Not allowed');
  return (
    <div className="status-page">
      <p className="status-code">403</p>
      <h1 tabIndex={-1}>Not allowed</h1>
      <p>This page is for users with the {ROLE_LABELS[role]} role. Ask an administrator if you need access.</p>
      <Link to="/" className="btn btn-primary">
        Go to Home
      </Link>
    </div>
  );
}
