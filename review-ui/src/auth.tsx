import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { LoginRequest, Me, Role } from '@duet/protocol';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from './api';
import { takeEarlyMe } from './player-prefetch';
import { navigate, nextAfterLogin, rememberPlace } from './router';

type AuthState =
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'anonymous'; notice: string | null }
  | { status: 'signed-in'; me: Me };

type AuthContextValue = {
  state: AuthState;
  login: (credentials: LoginRequest) => Promise<void>;
  logout: () => Promise<void>;
  retry: () => void;
};

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const signedIn = useCallback((me: Me) => {
    setCsrfToken(me.csrfToken);
    setState({ status: 'signed-in', me });
  }, []);

  /** `keepPlace`: come back here after signing in (a shared link opened signed out, an expired session). */
  const signedOut = useCallback((notice: string | null, keepPlace = true) => {
    setCsrfToken(null);
    setState({ status: 'anonymous', notice });
    if (keepPlace) rememberPlace();
    navigate('/login', { replace: true });
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    // On a player link the first check was started at boot, with the page's own requests.
    const early = attempt === 0 ? takeEarlyMe() : undefined;
    (early ?? api.me(controller.signal)).then(
      (me) => {
        if (!controller.signal.aborted) signedIn(me);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) signedOut(null);
        else if (error instanceof ApiError) setState({ status: 'error', error });
        else setState({ status: 'error', error: new ApiError(0, { error: 'unexpected', message: String(error) }) });
      },
    );
    return () => controller.abort();
  }, [attempt, signedIn, signedOut]);

  useEffect(() => {
    setUnauthorizedHandler(() => signedOut('Your session has ended. Sign in again to continue.'));
    return () => setUnauthorizedHandler(null);
  }, [signedOut]);

  const login = useCallback(
    async (credentials: LoginRequest) => {
      const me = await api.login(credentials);
      // Back to where the person was going (a shared moment), or home.
      const next = nextAfterLogin();
      signedIn(me);
      navigate(next, { replace: true });
    },
    [signedIn],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch (error) {
      // A session that has already ended is as good as a successful logout.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    signedOut(null, false);
  }, [signedOut]);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, login, logout, retry }), [state, login, logout, retry]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth needs an <AuthProvider> above it');
  return value;
}

/** The signed-in user; only for components rendered inside the signed-in shell. */
export function useMe(): Me {
  const { state } = useAuth();
  if (state.status !== 'signed-in') throw new Error('useMe is only available when signed in');
  return state.me;
}

export function hasRole(me: Me, role: Role): boolean {
  return me.roles.includes(role);
}
