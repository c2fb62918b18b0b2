import { useMemo, useSyncExternalStore } from 'react';
import type { AnchorHTMLAttributes, MouseEvent } from 'react';

/**
 * A dependency-free path router: `history.pushState` to move, `popstate` for back/forward,
 * `useSyncExternalStore` so every reader sees the same location. The server must answer
 * unknown non-API paths with index.html for deep links to work.
 */
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', notify);
  };
}

/** The current path without a trailing slash (except for `/` itself). */
function currentPath(): string {
  const p = window.location.pathname;
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

function currentSearch(): string {
  return window.location.search;
}

/** The current query string as `URLSearchParams` (a new object when the search changes). */
export function useSearch(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, currentSearch);
  return useMemo(() => new URLSearchParams(search), [search]);
}

export function navigate(to: string, options: { replace?: boolean; keepScroll?: boolean } = {}): void {
  const here = window.location.pathname + window.location.search;
  if (to === here && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  if (!options.keepScroll) window.scrollTo(0, 0);
  notify();
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

/** An ordinary link that navigates in-app on a plain left click and behaves natively otherwise. */
export function Link({ to, onClick, target, ...rest }: LinkProps) {
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || (target && target !== '_self')) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={to} target={target} onClick={handleClick} {...rest} />;
}

/** A link that marks itself `aria-current="page"` when its path is the current one. */
export function NavLink({ to, active: forced, ...rest }: LinkProps & { active?: boolean }) {
  const path = usePath();
  const active = forced ?? (to === '/' ? path === '/' : path === to || path.startsWith(to + '/'));
  return <Link to={to} aria-current={active ? 'page' : undefined} {...rest} />;
}

const AFTER_LOGIN_KEY = 'duet.afterLogin';

/**
 * Remembers the page a signed-out person opened (a shared moment, a bookmark) so that signing in
 * brings them there. Kept in sessionStorage, not in the login URL, so /login stays /login.
 */
export function rememberPlace(): void {
  const { pathname, search } = window.location;
  if (pathname === '/' || pathname.startsWith('/login')) return;
  try {
    window.sessionStorage.setItem(AFTER_LOGIN_KEY, pathname + search);
  } catch {
    /* storage disabled: the person lands on Home */
  }
}

/** Where to go after signing in: the remembered page when it is a path of this app, else Home. */
export function nextAfterLogin(): string {
  let next: string | null;
  try {
    next = window.sessionStorage.getItem(AFTER_LOGIN_KEY);
    window.sessionStorage.removeItem(AFTER_LOGIN_KEY);
  } catch {
    next = null;
  }
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login') ? next : '/';
}
