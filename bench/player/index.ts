/**
 * bench/player: the synced player against a 60-minute interaction in headless Chromium: time to
 * first play, seek latency (p50/p95 of 50 seeded random points, beside rrweb's own Replayer
 * holding the whole hour, same run) and screen/voice skew over the hour, measured with a fixture
 * whose beeps and screen changes happen together and which went through the real ingest and
 * finalize. See run.ts and BENCHMARKS.md (`player`).
 *
 * Like the other benches, this registers bench/lib's resolve hook (`@duet/<pkg>` → its TypeScript
 * sources) before importing the bench, so the server it starts is the working tree's.
 *
 * Knobs (environment): BENCH_PLAYER_BEFORE=<git ref> (also measure a UI build whose player files
 * come from that ref, in the same run: before/after), BENCH_PLAYER_SEEKS (default 50),
 * BENCH_PLAYER_FIRST_PLAYS (default 3), BENCH_PLAYER_SKEW=0 (skip the skew windows),
 * BENCH_WRITE=0 (do not write bench/results/player.json; a non-default run never writes it).
 */
import { register } from 'node:module';

register(new URL('../lib/duet-source-hooks.mjs', import.meta.url));
const { main } = await import('./run.js');
process.exitCode = await main();
