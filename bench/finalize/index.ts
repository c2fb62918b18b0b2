/**
 * bench/finalize: call end → playable for a 60-minute interaction, and storage per recorded hour.
 * See run.ts for what is measured and BENCHMARKS.md (`finalize`) for the figures.
 *
 * `npm run bench -- finalize` starts this file with tsx only; Duet's packages import each other as
 * `@duet/*`, which would resolve to their built dist/ (stale or missing). So the first thing done
 * here is registering bench/lib's resolve hook (`@duet/<pkg>` → `<pkg>/src/index.ts`), and only
 * then is the bench itself imported: it measures the code in the working tree.
 *
 * Knobs (environment): BENCH_FINALIZE_RUNS (default 3), BENCH_FINALIZE_BUDGET_S (default 300:
 * runs after the first, and the PostgreSQL run, only while the bench stays within it),
 * BENCH_FINALIZE_POSTGRES=0 (skip the PostgreSQL run), BENCH_PG_ADMIN_URL,
 * BENCH_FINALIZE_REENCODE=0 (skip the re-encode baseline), BENCH_WRITE=0 (do not write
 * bench/results/finalize.json). Exits non-zero when the audio checks fail (checks.ts).
 */
import { register } from 'node:module';

register(new URL('../lib/duet-source-hooks.mjs', import.meta.url));
const { main } = await import('./run.js');
process.exitCode = await main();
