import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../harness/app.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Launch {
  url: string;
  output: () => string;
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** Runs `npm start`'s launcher exactly as a user would, with its own data directory. */
async function launch(dataDir: string): Promise<Launch> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /Duet is running at (http:\/\/\S+)/.exec(out)?.[1];
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`launcher did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => out,
    stop: async (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

describe('npm start (the all-in-one launcher)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-launcher-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('starts with zero config, prints the URL and the demo logins, serves health and the UI', async () => {
    const app = await launch(dataDir);
    try {
      expect(app.output()).toMatch(/embedded mode · database: pglite · objects: filesystem · jobs: in-process/);
      expect(app.output()).toMatch(/Demo logins \(password for all: welcome-to-duet\)/);
      for (const user of ['admin', 'sofia', 'quinn', 'tess', 'evan', 'alex', 'blair', 'casey', 'devon']) expect(app.output()).toContain(`   ${user}`);
      const health = await (await fetch(`${app.url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', mode: 'embedded', migrations: { pending: [] } });
      const page = await (await fetch(`${app.url}/login`)).text();
      expect(page).toMatch(/<div id="root">/);
      expect((await new ApiClient(app.url).login('sofia')).status).toBe(200);
    } finally {
      // Ctrl-C: running jobs finish, the database closes, the process exits 0.
      expect(await app.stop('SIGINT')).toBe(0);
    }
    expect(app.output()).toMatch(/Stopped cleanly\./);
    expect(existsSync(path.join(dataDir, 'db.lock'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'secret.key'))).toBe(true);
  }, 90_000);

  it('keeps its data across restarts and seeds only once', async () => {
    const app = await launch(dataDir);
    try {
      expect(app.output()).not.toMatch(/seeded the demo organisation/);
      const admin = new ApiClient(app.url);
      await admin.login('admin');
      const audit = await admin.get('/api/admin/audit?action=system.seed_demo');
      expect(audit.body.entries).toHaveLength(1);
      expect((await admin.get('/api/admin/audit?action=auth.login')).body.entries.length).toBeGreaterThanOrEqual(2);
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  }, 90_000);

  it('refuses a second process on the same embedded database with a clear message', async () => {
    const first = await launch(dataDir);
    try {
      await expect(launch(dataDir)).rejects.toThrow(/embedded database is in use by process \d+/);
    } finally {
      expect(await first.stop('SIGINT')).toBe(0);
    }
  }, 90_000);
});
