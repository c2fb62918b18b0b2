import { writeFile } from 'node:fs/promises';
import { appSchedule, openCore, reconcileJobs, runProcess, startSchedule, unfinishedFinalizations, waitingImportsReady } from '@duet/core';
import { loadWorkersConfig } from './config.js';
import { checkMediaTools } from './finalize/ffmpeg.js';
import { createHandlers } from './registry.js';

/** Production workers process: consumes BullMQ jobs with the exhaustive handler registry. */
const log = (level: string, msg: string) => console.log(`${new Date().toISOString()} ${level.padEnd(5)} [workers] ${msg}`);

await runProcess('workers', async () => {
  const config = loadWorkersConfig();
  const tools = await checkMediaTools();
  log('info', `media tools: ${tools.ffmpeg}; ${tools.ffprobe}`);
  const core = await openCore(config, log, { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await core.jobs.start(createHandlers({ db: core.db, store: core.store, jobs: core.jobs, log: (m) => log('info', m) }));
  const n = await reconcileJobs(core.db, core.jobs, [unfinishedFinalizations, waitingImportsReady]);
  const stopSchedule = startSchedule(core.jobs, appSchedule(config), (m) => log('warn', m));
  log('info', `workers ready (${core.jobs.driver}); re-enqueued ${n} unfinished job(s)`);
  // A process without an HTTP port proves liveness by touching a file the healthcheck reads.
  let heartbeat: NodeJS.Timeout | undefined;
  if (config.HEARTBEAT_FILE) {
    const file = config.HEARTBEAT_FILE;
    const beat = () => writeFile(file, String(Date.now())).catch((e: Error) => log('warn', `heartbeat: ${e.message}`));
    await beat();
    heartbeat = setInterval(beat, 10_000).unref();
  }
  return {
    graceMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      clearInterval(heartbeat);
      stopSchedule();
      await core.close();
    },
  };
});
