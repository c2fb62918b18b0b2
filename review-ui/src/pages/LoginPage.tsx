import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api';
import { useAuth } from '../auth';
import { Logo } from '../Logo';
import { usePageTitle } from '../ui';

export function LoginPage({ notice }: { notice: string | null }) {
  usePageTitle('Sign in');
  const { login } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await login({ username: username.trim(), password });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Sign-in failed. Try again.');
      setPassword('');
      setSubmitting(false);
    }
  }

  return (
    <div className="login-page">
      <main id="main" className="login-main">
        <div className="login-card">
          <div className="login-brand">
            <Logo size={44} />
            <div>
              <p className="login-product">Duet</p>
              <p className="login-tagline">Screen and voice, reviewed together</p>
            </div>
          </div>

          <h1 className="login-title">Sign in</h1>

          {notice && !error ? (
            <div className="banner banner-info" role="status">
              <div className="banner-body">
                <p>{notice}</p>
              </div>
            </div>
          ) : null}
          {error ? (
            <div className="banner banner-error" role="alert">
              <div className="banner-body">
                <p>{error}</p>
              </div>
            </div>
          ) : null}

          <form className="login-form" onSubmit={submit} noValidate>
            <div className="field">
              <label htmlFor="login-username">Username</label>
              <input
                id="login-username"
                name="username"
                autoComplete="username"
                autoCapitalize="none"
                autoCorrect="off"
                spellCheck={false}
                required
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="login-password">Password</label>
              <input
                id="login-password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            <button type="submit" className="btn btn-primary btn-block" disabled={submitting} aria-busy={submitting}>
              {submitting ? <span className="spinner spinner-inline" aria-hidden="true" /> : null}
              Sign in
            </button>
          </form>
        </div>
        <p className="login-footnote">Accounts are created by your Duet administrator.</p>
      </main>
    </div>
  );
}
