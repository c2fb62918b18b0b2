import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/src/index.js';
import { loadServerConfig } from '../../server/src/config.js';
import { loadWorkersConfig } from '../../workers/src/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('configuration', () => {
  it('defaults to the embedded drivers with no environment at all', () => {
    const cfg = loadServerConfig({});
    expect(cfg).toMatchObject({ DATA_DIR: './data', PORT: 8080, HOST: '127.0.0.1', JOB_QUEUE_PREFIX: 'duet' });
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.REDIS_URL).toBeUndefined();
    expect(cfg.S3_BUCKET).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    expect(loadServerConfig({ DATABASE_URL: '', PORT: '' }).PORT).toBe(8080);
  });

  it('lists every bad key at once, with how to fix it', () => {
    let error: unknown;
    try {
      loadServerConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', S3_ENDPOINT: 'http://minio:9000', COOKIE_SECURE: 'maybe', SECRET_KEY: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((p) => p.key).sort();
    expect(keys).toEqual(['COOKIE_SECURE', 'DATABASE_URL', 'PORT', 'S3_ACCESS_KEY_ID', 'S3_BUCKET', 'S3_SECRET_ACCESS_KEY', 'SECRET_KEY']);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL \(unset it to use the embedded PGlite database/);
    expect(message).toMatch(/S3_BUCKET: is required when any S3_\* key is set/);
  });

  it('a separate workers process needs Redis and PostgreSQL', () => {
    expect(() => loadWorkersConfig({})).toThrow(/REDIS_URL: is required for a separate workers process[\s\S]*DATABASE_URL/);
  });

  it('the built server refuses to start on bad config and says why (exit 78)', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'server/dist/main.js')], {
      env: { PATH: process.env.PATH, PORT: '99999', REDIS_URL: 'http://nope' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/Invalid configuration/);
    expect(r.stderr).toMatch(/PORT: must be between 0 and 65535/);
    expect(r.stderr).toMatch(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });
});
