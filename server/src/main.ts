import { runProcess } from '@duet/core';
import { runServer } from './run.js';

/**
 * Production server process: serves HTTP and enqueues jobs; the workers process runs them.
 * (The all-in-one `npm start` uses scripts/start.mjs, which also runs the job handlers.)
 */
await runProcess('server', async () => {
  const running = await runServer();
  console.log(`Duet server listening on ${running.url} (${running.core.mode} mode)`);
  return { stop: running.close, graceMs: running.config.SHUTDOWN_TIMEOUT_MS };
});
