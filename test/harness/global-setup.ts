import type { TestProject } from 'vitest/node';
import { findOrStartPostgres } from './postgres.js';
import { findOrStartRedis } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance URL of a real PostgreSQL, or null when none could be found or started. */
    postgresAdminUrl: string | null;
    redisUrl: string | null;
  }
}

/**
 * Finds or starts the real services once for the whole run. Where one cannot be had, the suites
 * that need it are skipped with a loud reason, except in CI (CI=true), where that is a failure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const missing: string[] = [];

  const pgResult = await findOrStartPostgres();
  if ('unavailable' in pgResult) {
    missing.push(`PostgreSQL: ${pgResult.unavailable}`);
    project.provide('postgresAdminUrl', null);
  } else {
    stops.push(pgResult.stop);
    project.provide('postgresAdminUrl', pgResult.adminUrl);
    console.log(`[harness] PostgreSQL ${pgResult.origin} at ${pgResult.adminUrl}`);
  }

  const redisResult = await findOrStartRedis();
  if ('unavailable' in redisResult) {
    missing.push(`Redis: ${redisResult.unavailable}`);
    project.provide('redisUrl', null);
  } else {
    stops.push(redisResult.stop);
    project.provide('redisUrl', redisResult.url);
    console.log(`[harness] Redis ${redisResult.origin} at ${redisResult.url}`);
  }

  if (missing.length) {
    const text = `[harness] SUITES WILL BE SKIPPED, services missing:\n  - ${missing.join('\n  - ')}`;
    if (process.env.CI === 'true') throw new Error(`${text}\nIn CI a skipped suite is a failure.`);
    console.warn(`\n${'!'.repeat(72)}\n${text}\n${'!'.repeat(72)}\n`);
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}
