/**
 * bench/recorder: what the recorder agent costs the page it records, in headless Chromium on a
 * busy CRM-like page: added total blocking time (with − without the recorder, medians over
 * alternating rounds), heap growth over a 10-minute recording, bundle size. See run.ts and
 * BENCHMARKS.md (`recorder`).
 *
 * Like bench/finalize, this registers bench/lib's resolve hook (`@duet/<pkg>` → its TypeScript
 * sources) before importing the bench, so the Duet server it starts is the working tree's.
 *
 * Knobs (environment): BENCH_RECORDER_ROUNDS (default 5: each round is one run without and one
 * with the recorder), BENCH_RECORDER_MINUTES (default 10: the heap runs; 0 skips them),
 * BENCH_RECORDER_PROFILE (auto: a CPU profile run when the added TBT is over target; 1 always,
 * 0 never), BENCH_RECORDER_BUNDLE=<file> (measure another build of the IIFE, its .map beside it),
 * BENCH_WRITE=1 (write bench/results/recorder.json for a non-default run).
 */
import { register } from 'node:module';

register(new URL('../lib/duet-source-hooks.mjs', import.meta.url));
const { main } = await import('./run.js');
process.exitCode = await main();
