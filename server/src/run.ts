import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Server } from 'node:http';
import {
  bootstrapAdmin,
  DEMO_LOGINS,
  DEMO_PASSWORD,
  openCore,
  reconcileJobs,
  seedDemoOrganisation,
  unfinishedFinalizations,
  waitingImportsReady,
  startSchedule,
  appSchedule,
  type CoreRuntime,
  type DemoLogin,
  type JobDeps,
  type AppJobHandlers,
  type LoginThrottle,
} from '@duet/core';
import { Server as SocketServer } from 'socket.io';
import { INGEST_LIMITS, INGEST_NAMESPACE } from '@duet/protocol';
import { createApp } from './app.js';
import { AgentChannel } from './ingest/agent-channel.js';
import { registerIngest } from './ingest/namespace.js';
import { loadServerConfig, type ServerConfig } from './config.js';

export interface RunServerOptions {
  env?: Record<string, string | undefined>;
  /**
   * Job handlers to run in this process. The all-in-one launcher (`npm start`) passes the
   * workers' registry here; a production server process passes nothing and only enqueues.
   */
  jobHandlers?: (deps: JobDeps) => AppJobHandlers;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  loginThrottle?: LoginThrottle;
}

export interface RunningServer {
  url: string;
  config: ServerConfig;
  core: CoreRuntime;
  /** present when the demo organisation is in use */
  demo: { password: string; logins: readonly DemoLogin[] } | null;
  close(): Promise<void>;
}

const defaultLog = (level: string, msg: string) => {
  const line = `${new Date().toISOString()} ${level.padEnd(5)} ${msg}`;
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

export async function runServer(opts: RunServerOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? defaultLog;
  const config = loadServerConfig(opts.env ?? process.env);
  const core = await openCore(config, log, { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS });
  let server: Server | undefined;
  try {
    const seedDemo = config.SEED_DEMO ?? !config.DATABASE_URL;
    let demo: RunningServer['demo'] = null;
    if (seedDemo) {
      if (await seedDemoOrganisation(core.db)) log('info', 'seeded the demo organisation');
      demo = { password: DEMO_PASSWORD, logins: DEMO_LOGINS };
    } else if (config.ADMIN_PASSWORD && (await bootstrapAdmin(core.db, config.ADMIN_USERNAME, config.ADMIN_PASSWORD))) {
      log('info', `created the first admin "${config.ADMIN_USERNAME}"`);
    }
    let stopSchedule = () => {};
    if (opts.jobHandlers) {
      await core.jobs.start(opts.jobHandlers({ db: core.db, store: core.store, jobs: core.jobs, log: (m: string) => log('info', m) }));
      const n = await reconcileJobs(core.db, core.jobs, [unfinishedFinalizations, waitingImportsReady]);
      if (n) log('info', `re-enqueued ${n} unfinished job(s)`);
      stopSchedule = startSchedule(core.jobs, appSchedule(config), (m) => log('warn', m));
    }
    const channel = new AgentChannel();
    const app = createApp({ core, config, channel, log: (m) => log('error', m), ...(opts.loginThrottle ? { loginThrottle: opts.loginThrottle } : {}) });
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.PORT, config.HOST, () => resolve(s));
      s.once('error', reject);
    });
    // Recorders run inside other web applications (CRM, softphone) and authenticate with a
    // recorder token, not a cookie, so any origin may connect. Messages a bit over the chunk limit
    // still arrive and get an error ack naming the limit; far larger ones close the connection.
    const io = new SocketServer(server, {
      serveClient: false,
      maxHttpBufferSize: INGEST_LIMITS.maxChunkBytes * 2,
      cors: { origin: true, credentials: false },
    });
    // Several server processes: the Redis adapter makes an agent's room span all of them, so a
    // CTI event or a new interaction reaches the agent's tabs wherever they are connected.
    let closeAdapter = async () => {};
    if (config.REDIS_URL) {
      const [{ createAdapter }, { Redis }] = await Promise.all([import('@socket.io/redis-adapter'), import('ioredis')]);
      const pub = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
      const sub = pub.duplicate();
      for (const c of [pub, sub]) c.on('error', (err: Error) => log('warn', `socket.io Redis adapter: ${err.message}`));
      io.adapter(createAdapter(pub, sub, { key: `${config.JOB_QUEUE_PREFIX}-io` }));
      closeAdapter = async () => void (await Promise.allSettled([pub.quit(), sub.quit()]));
    }
    const ingest = registerIngest(io, core.db, core.jobs, (m) => log('error', m), { channel });
    channel.attach(io.of(INGEST_NAMESPACE));
    // Upgraded websockets leave the HTTP server's bookkeeping, so close() could not end them and
    // would wait on reconnecting recorders for minutes: they are tracked here and destroyed.
    const upgraded = new Set<Duplex>();
    server.on('upgrade', (_req, socket: Duplex) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
    });
    const { port } = server.address() as AddressInfo;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const url = config.PUBLIC_URL ?? `http://${host}:${port}`;
    const listening = server;
    return {
      url,
      config,
      core,
      demo,
      close: async () => {
        // Stop taking requests, let in-flight ones finish, then drain jobs and close the DB.
        stopSchedule();
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          // A recorder's unacked chunks stay in its outbox and are resent after the restart.
          io.disconnectSockets(true);
          for (const socket of upgraded) socket.destroy();
          listening.closeIdleConnections();
          setTimeout(() => listening.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
        });
        // Chunks taken but not yet committed are stored (and acked) before the database closes.
        await ingest.close();
        await closeAdapter();
        await core.close();
      },
    };
  } catch (err) {
    server?.close();
    await core.close();
    throw err;
  }
}
