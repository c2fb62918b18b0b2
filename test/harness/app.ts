import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { runServer, type RunningServer } from '../../server/src/index.js';
import { createHandlers } from '../../workers/src/index.js';
import { createTestDatabase } from './postgres.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Duet server (embedded drivers by default, or PostgreSQL) on a random port with
 * its own data directory, the demo organisation seeded and the job handlers running.
 */
export async function startTestServer(
  opts: { database?: 'pglite' | 'postgres'; env?: Record<string, string>; dataDir?: string; keepData?: boolean } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'duet-test-')));
  let dropDb = async () => {};
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'true', ...opts.env };
  if (opts.database === 'postgres') {
    const adminUrl = inject('postgresAdminUrl');
    if (!adminUrl) throw new Error('PostgreSQL is not available to this test run');
    const created = await createTestDatabase(adminUrl);
    env.DATABASE_URL = created.url;
    dropDb = created.drop;
  }
  const running = await runServer({ env, jobHandlers: createHandlers, log: () => {} });
  return Object.assign(running, {
    dataDir,
    stop: async () => {
      await running.close();
      await dropDb();
      if (!opts.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/** A tiny fetch client that keeps the session cookie and sends the CSRF token, like the UI. */
export class ApiClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async request(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(this.base + url, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async login(username: string, password = 'welcome-to-duet') {
    const r = await this.request('POST', '/api/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body);
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);
}

/**
 * One signed-in client per demo user, made on first use: `as('sofia')`. `baseUrl` is read then,
 * so it can name a server started later (in beforeAll). A failed sign-in fails the test.
 */
export function signedInAs(baseUrl: () => string): (username: string) => Promise<ApiClient> {
  const clients = new Map<string, ApiClient>();
  return async (username) => {
    let client = clients.get(username);
    if (!client) {
      client = new ApiClient(baseUrl());
      const r = await client.login(username);
      if (r.status !== 200) throw new Error(`sign-in as ${username} answered ${r.status}: ${JSON.stringify(r.body)}`);
      clients.set(username, client);
    }
    return client;
  };
}
