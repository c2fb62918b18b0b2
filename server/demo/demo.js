// Shared by the demo pages: who is signed in, signing in, and a recorder token for this browser.
const TOKEN_KEY = 'duet-demo-recorder-token';

export async function me() {
  const r = await fetch('/api/auth/me', { credentials: 'same-origin' });
  return r.ok ? r.json() : null;
}

export async function signIn(username, password) {
  const r = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.message || `Sign-in failed (${r.status})`);
  return me();
}

/**
 * A recorder token for the signed-in agent, kept in this browser so both demo tabs use the same
 * one. Duet shows a token only once; asking again revokes the previous demo token.
 */
export async function recorderToken(user, { renew = false } = {}) {
  const kept = localStorage.getItem(TOKEN_KEY);
  if (kept && !renew) {
    const [owner, token] = JSON.parse(kept);
    if (owner === user.id) return token;
  }
  const r = await fetch('/api/demo/recorder-token', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': user.csrfToken }, body: '{}' });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.message || `Could not get a recorder token (${r.status})`);
  localStorage.setItem(TOKEN_KEY, JSON.stringify([user.id, body.token]));
  return body.token;
}

/** Fills the header's "who" and returns the agent, or shows why the page cannot record. */
export async function requireAgent() {
  const who = document.querySelector('.who');
  const user = await me();
  if (!user) {
    who.innerHTML = 'Not signed in · <a href="/demo/">sign in on the demo start page</a>';
    return null;
  }
  who.textContent = `${user.displayName} (${user.username})`;
  if (!user.roles.includes('agent')) {
    who.textContent += ' · not an agent: sign in as an agent (e.g. alex) to record';
    return null;
  }
  return user;
}
