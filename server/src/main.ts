import { ConfigError } from '@duet/core';
import { runServer } from './run.js';

/**
 * Production server process: serves HTTP and enqueues jobs; the workers process runs them.
 * (The all-in-one `npm start` uses scripts/start.mjs, which also runs the job handlers.)
 */
try {
  const running = await runServer();
  console.log(`Duet server listening on ${running.url} (${running.core.mode} mode)`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: shutting down`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(err);
  process.exit(1);
}
