import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serverConfigSchema } from '../../server/src/config.js';
import { workersConfigSchema } from '../../workers/src/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));


/**
 * No Docker engine here, so docker-compose.yml cannot run; this keeps it honest instead: valid
 * YAML, the topology the docs promise, and only environment keys the processes really read.
 */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8'), { merge: true });
  const services = compose.services as Record<string, Record<string, unknown>>;

  it('has the production topology with healthchecks', () => {
    expect(Object.keys(services).sort()).toEqual(['minio', 'minio-init', 'postgres', 'redis', 'server', 'workers']);
    for (const name of ['postgres', 'redis', 'minio', 'server', 'workers']) expect(services[name]!.healthcheck, name).toBeDefined();
    expect(services.server!.command).toEqual(['node', 'server/dist/main.js']);
    expect(services.workers!.command).toEqual(['node', 'workers/dist/main.js']);
    expect(services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(String((services['minio-init']!.command as string[])[0])).toMatch(/mc mb --ignore-existing local\/duet/);
  });

  it('sets only configuration keys that the server and workers know', () => {
    const serverKeys = new Set(Object.keys(serverConfigSchema.shape));
    const workerKeys = new Set(Object.keys(workersConfigSchema.shape));
    expect(serverKeys.has('DATABASE_URL')).toBe(true);
    for (const key of Object.keys(services.server!.environment as object)) expect(serverKeys, `server: ${key}`).toContain(key);
    for (const key of Object.keys(services.workers!.environment as object)) expect(workerKeys, `workers: ${key}`).toContain(key);
  });

  it('builds both services from the one multi-stage Dockerfile', () => {
    const dockerfile = readFileSync(`${root}/Dockerfile`, 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(services.server!.build).toBe('.');
    expect(services.workers!.image).toBe(services.server!.image);
    for (const pkg of ['protocol', 'core', 'server', 'workers', 'recorder-agent', 'review-ui', 'test', 'bench']) {
      expect(dockerfile, pkg).toContain(`COPY ${pkg}/package.json ${pkg}/`);
    }
  });
});
