export { runServer, type RunServerOptions, type RunningServer } from './run.js';
export { createApp } from './app.js';
export { loadServerConfig, serverConfigSchema, type ServerConfig } from './config.js';
