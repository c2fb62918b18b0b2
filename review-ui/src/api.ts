import type {
  ApiError as ApiErrorBody,
  AuditEntry,
  CreatedRecorderToken,
  CreateGrantRequest,
  CreateRecorderTokenRequest,
  CreateTeamRequest,
  CreateUserRequest,
  Directory,
  GrantSummary,
  Health,
  InteractionList,
  InteractionListQuery,
  InteractionSummary,
  LoginRequest,
  Manifest,
  Me,
  RecorderTokenSummary,
  TeamSummary,
  UpdateTeamRequest,
  UpdateUserRequest,
  UserSummary,
} from '@duet/protocol';

export type Issue = { path: string; message: string };

/**
 * A failed API call. `status` is the HTTP status (0 when the server could not be reached),
 * `code` the stable machine code of the error body, `issues` its field-level problems.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: Issue[];
  readonly retryAfterSeconds: number | null;
  /** media still processing: how far (0..1), when the server knows */
  readonly progress: number | null;

  constructor(status: number, body: ApiErrorBody, retryAfterSeconds: number | null = null) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error;
    this.issues = body.issues ?? [];
    this.retryAfterSeconds = retryAfterSeconds;
    this.progress = body.progress ?? null;
  }

  /** Field-level messages keyed by the first segment of each issue's path (`teamIds.0` → `teamIds`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.issues) {
      const field = issue.path.split('.')[0] ?? '';
      if (field && !(field in out)) out[field] = sentence(issue.message);
    }
    return out;
  }

  /** Issues that belong to no field (an empty path), to show at the top of a form. */
  formIssues(): string[] {
    return this.issues.filter((i) => !i.path).map((i) => sentence(i.message));
  }
}

/** Schema messages start in lower case ("at least 10 characters"); shown alone, they read better capitalised. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The token from `/api/auth/me` or the login answer; echoed on every state-changing call. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an authenticated call answers 401: the session has ended. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Options = {
  signal?: AbortSignal;
  /** A 401 here is an answer (wrong password, no session yet), not an ended session. */
  expect401?: boolean;
  /** Non-2xx statuses whose body is still the expected answer (health answers 503 when degraded). */
  alsoOk?: number[];
};

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.error === 'string' && typeof v.message === 'string';
}

function fallbackMessage(status: number, statusText: string): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'The server does not know this address.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `The server failed (${status}${statusText ? ` ${statusText}` : ''}). Try again; if it persists, check the server log.`;
  return `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
}

/** One JSON call with the session's CSRF token; feature folders build their own API lists on it. */
export async function request<T>(method: Method, path: string, body?: unknown, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, {
      error: 'network',
      message: 'Cannot reach the Duet server. Check your connection and try again.',
    });
  }

  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }

  const ok = response.ok || (options.alsoOk?.includes(response.status) === true && !isErrorBody(parsed) && parsed !== undefined);
  if (!ok) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const error = new ApiError(
      response.status,
      isErrorBody(parsed) ? parsed : { error: 'http_' + response.status, message: fallbackMessage(response.status, response.statusText) },
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    );
    if (response.status === 401 && !options.expect401) onUnauthorized?.();
    throw error;
  }
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  // auth
  me: (signal?: AbortSignal) => request<Me>('GET', '/api/auth/me', undefined, { signal, expect401: true }),
  login: (body: LoginRequest) => request<Me>('POST', '/api/auth/login', body, { expect401: true }),
  logout: () => request<void>('POST', '/api/auth/logout', undefined, { expect401: true }),

  // users
  listUsers: (signal?: AbortSignal) => request<{ users: UserSummary[] }>('GET', '/api/admin/users', undefined, { signal }),
  createUser: (body: CreateUserRequest) => request<UserSummary>('POST', '/api/admin/users', body),
  updateUser: (id: string, body: UpdateUserRequest) => request<UserSummary>('PATCH', `/api/admin/users/${enc(id)}`, body),

  // teams and grants
  listTeams: (signal?: AbortSignal) => request<{ teams: TeamSummary[] }>('GET', '/api/admin/teams', undefined, { signal }),
  createTeam: (body: CreateTeamRequest) => request<TeamSummary>('POST', '/api/admin/teams', body),
  updateTeam: (id: string, body: UpdateTeamRequest) => request<TeamSummary>('PATCH', `/api/admin/teams/${enc(id)}`, body),
  listGrants: (signal?: AbortSignal) => request<{ grants: GrantSummary[] }>('GET', '/api/admin/grants', undefined, { signal }),
  createGrant: (body: CreateGrantRequest) => request<GrantSummary>('POST', '/api/admin/grants', body),
  deleteGrant: (id: string) => request<void>('DELETE', `/api/admin/grants/${enc(id)}`),

  // recorder tokens
  listTokens: (signal?: AbortSignal) =>
    request<{ tokens: RecorderTokenSummary[] }>('GET', '/api/admin/recorder-tokens', undefined, { signal }),
  createToken: (body: CreateRecorderTokenRequest) => request<CreatedRecorderToken>('POST', '/api/admin/recorder-tokens', body),
  revokeToken: (id: string) => request<void>('DELETE', `/api/admin/recorder-tokens/${enc(id)}`),

  // audit and health
  audit: (params: { limit: number; before?: string }, signal?: AbortSignal) => {
    const q = new URLSearchParams({ limit: String(params.limit) });
    if (params.before) q.set('before', params.before);
    return request<{ entries: AuditEntry[] }>('GET', `/api/admin/audit?${q.toString()}`, undefined, { signal });
  },
  health: (signal?: AbortSignal) => request<Health>('GET', '/api/health', undefined, { signal, alsoOk: [503] }),

  // interactions (scoped by the server: an agent sees their own, a supervisor their teams')
  listInteractions: (query: Partial<InteractionListQuery>, signal?: AbortSignal) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    return request<InteractionList>('GET', `/api/interactions?${q.toString()}`, undefined, { signal });
  },
  interaction: (id: string, signal?: AbortSignal) => request<InteractionSummary>('GET', `/api/interactions/${enc(id)}`, undefined, { signal }),
  /** The agents and teams this person may filter the library by. */
  directory: (signal?: AbortSignal) => request<Directory>('GET', '/api/directory', undefined, { signal }),
  /** Audited as a play. 409 `media_processing` / `media_failed` when there is nothing to play yet. */
  interactionMedia: (id: string, signal?: AbortSignal) => request<InteractionMedia>('GET', `/api/interactions/${enc(id)}/media`, undefined, { signal }),
};

/** `GET /api/interactions/:id/media`: the manifest and a short-lived signed URL per object key. */
export type InteractionMedia = { manifest: Manifest; urls: Record<string, string>; expiresInSeconds: number };
