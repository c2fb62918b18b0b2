import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { CoreRuntime, LoginThrottle } from '@duet/core';
import type { ServerConfig } from './config.js';
import { csrfProtection, sessionMiddleware } from './http/auth-context.js';
import { errorHandler, notFoundApi } from './http/errors.js';
import { uiAssets } from './http/ui-assets.js';
import { AgentChannel } from './ingest/agent-channel.js';
import { adminRouter } from './routes/admin.js';
import { authRouter } from './routes/auth.js';
import { commentsRouter } from './routes/comments.js';
import { ctiRouter } from './routes/cti.js';
import { demoApi, demoPages } from './routes/demo.js';
import { healthRouter } from './routes/health.js';
import { importsRouter } from './routes/imports.js';
import { interactionsRouter } from './routes/interactions.js';
import { notificationsRouter } from './routes/notifications.js';
import { objectsRouter } from './routes/objects.js';
import { scoringRouter } from './routes/scoring.js';

export interface AppOptions {
  core: CoreRuntime;
  config: ServerConfig;
  log: (msg: string) => void;
  /** tests tighten or loosen the login throttle */
  loginThrottle?: LoginThrottle;
  /** pushes to agents' recorders (CTI); without it CTI events reach nobody */
  channel?: AgentChannel;
}

const defaultUiDir = fileURLToPath(new URL('../../review-ui/dist', import.meta.url));

/** Builds the HTTP face: JSON API under /api, signed media, and the review UI. */
export function createApp({ core, config, log, loginThrottle, channel = new AgentChannel() }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (config.TRUST_PROXY) app.set('trust proxy', config.TRUST_PROXY);
  const s3Origin = config.S3_ENDPOINT ? new URL(config.S3_ENDPOINT).origin : null;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // 'unsafe-inline' for styles only: the review UI replays recorded pages in a sandboxed
          // about:blank iframe, which inherits this policy, and rrweb rebuilds a page's CSS as
          // inline <style> elements and style attributes; without it every replay is unstyled.
          // Scripts stay 'self' only (the iframe has no allow-scripts either), and img/font/
          // connect/media/frame sources still keep recorded pages from loading anything.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:', ...(s3Origin ? [s3Origin] : [])],
          connectSrc: ["'self'", ...(s3Origin ? [s3Origin] : [])],
          frameSrc: ["'self'"],
          // the recorder on Duet's own /demo pages gzips screen chunks in a worker made from a Blob
          workerSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  const cookieSecure = config.COOKIE_SECURE ?? config.PUBLIC_URL?.startsWith('https://') ?? false;
  const policy = { idleMinutes: config.SESSION_IDLE_MINUTES, absoluteHours: config.SESSION_ABSOLUTE_HOURS };
  const publicOrigin = config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : null;

  const api = express.Router();
  api.use(express.json({ limit: config.JSON_BODY_LIMIT_KB * 1024 }));
  api.use(cookieParser());
  api.use(sessionMiddleware(core.db, policy));
  // Before the CSRF guard: the import body is audio, not JSON; the router checks bearer tokens,
  // or the session's CSRF token for admins uploading by hand.
  api.use(
    importsRouter({ db: core.db, store: core.store, jobs: core.jobs, maxBytes: config.IMPORT_MAX_MB * 1_048_576, allowedOrigins: () => (publicOrigin ? [publicOrigin] : []) }),
  );
  // Before the CSRF guard too: a phone system's bearer token, no cookie.
  api.use(ctiRouter(core.db, channel));
  api.use(csrfProtection({ exempt: ['/auth/login'], allowedOrigins: () => (publicOrigin ? [publicOrigin] : []) }));
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(healthRouter(core));
  api.use(authRouter({ db: core.db, policy, cookieSecure, ...(loginThrottle ? { throttle: loginThrottle } : {}) }));
  api.use(adminRouter(core.db, core.jobs));
  api.use(interactionsRouter(core.db, core.store));
  api.use(commentsRouter(core.db));
  api.use(scoringRouter(core.db));
  api.use(notificationsRouter(core.db));
  const demoPagesOn = config.DEMO_PAGES ?? !config.DATABASE_URL;
  if (demoPagesOn) api.use(demoApi(core.db));
  if (core.store.driver === 'filesystem') api.use(objectsRouter({ store: core.store, secret: core.secret }));
  api.use(notFoundApi);
  app.use('/api', api);
  if (demoPagesOn) app.use(demoPages());

  const uiDir = path.resolve(config.UI_DIR ?? defaultUiDir);
  if (existsSync(path.join(uiDir, 'index.html'))) {
    // Hashed build assets: compressed, cached for a year. The rest (favicon, maps): an hour.
    app.use(uiAssets(uiDir));
    app.use(express.static(uiDir, { index: false, maxAge: '1h', immutable: false }));
    // Client-side routes: any other GET that wants HTML gets the app shell.
    app.get(/.*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(uiDir, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send(`The review UI is not built (no ${uiDir}/index.html). Run "npm run build".`);
    });
  }
  app.use(errorHandler(log));
  return app;
}
