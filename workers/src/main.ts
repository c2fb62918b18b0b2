import { writeFile } from 'node:fs/promises';
import { APP_SCHEDULE, ConfigError, openCore, reconcileJobs, startSchedule } from '@duet/core';
import { loadWorkersConfig } from './config.js';
import { createHandlers } from './registry.js';

/** Production workers process: consumes BullMQ jobs with the exhaustive handler registry. */
const log = (level: string, msg: string) => console.log(`${new Date().toISOString()} ${level.padEnd(5)} [workers] ${msg}`);
try {
  const config = loadWorkersConfig();
  const core = await openCore(config, log, { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  await core.jobs.start(createHandlers({ db: core.db, store: core.store, log: (m) => log('info', m) }));
  const n = await reconcileJobs(core.db, core.jobs);
  const stopSchedule = startSchedule(core.jobs, APP_SCHEDULE, (m) => log('warn', m));
  log('info', `workers ready (${core.jobs.driver}); re-enqueued ${n} unfinished job(s)`);
  // A process without an HTTP port proves liveness by touching a file the healthcheck reads.
  if (config.HEARTBEAT_FILE) {
    const beat = () => writeFile(config.HEARTBEAT_FILE!, String(Date.now())).catch((e: Error) => log('warn', `heartbeat: ${e.message}`));
    await beat();
    setInterval(beat, 10_000).unref();
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal} received: finishing running jobs`);
    const timer = setTimeout(() => {
      log('error', 'shutdown timed out; exiting with jobs still running (they will be retried)');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    stopSchedule();
    await core.close();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
}
