export { createHandlers } from './registry.js';
export { loadWorkersConfig, type WorkersConfig } from './config.js';
export { checkMediaTools } from './finalize/ffmpeg.js';
