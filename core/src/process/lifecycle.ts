import { ConfigError } from '../config/env.js';

/** sysexits' EX_CONFIG: orchestrators and operators can tell "fix the config" from a crash. */
export const EXIT_CONFIG = 78;

/**
 * Runs a process's start-up and keeps it until SIGINT/SIGTERM, then calls its `stop` once and
 * exits 0 (1 if stopping outlives the `graceMs` that start-up returned, read from its config). A bad configuration exits 78 with the list of
 * problems; any other start-up failure exits 1. Shared by the server and workers entry points.
 */
export async function runProcess(
  name: string,
  start: () => Promise<{ stop: () => Promise<void>; graceMs: number }>,
): Promise<void> {
  let running: { stop: () => Promise<void>; graceMs: number };
  try {
    running = await start();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(err instanceof ConfigError ? EXIT_CONFIG : 1);
  }
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[${name}] ${signal} received: shutting down`);
    const timer = setTimeout(() => {
      console.error(`[${name}] shutdown took longer than ${running.graceMs} ms; exiting (unfinished jobs are retried)`);
      process.exit(1);
    }, running.graceMs + 5_000);
    await running.stop();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
}
