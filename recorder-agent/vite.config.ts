import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { rrwebSlicedMutations } from './vite/rrweb-sliced-mutations.js';

const require = createRequire(import.meta.url);
const VIRTUAL = '\0duet-websocket-only-transports';

/**
 * The recorder connects with `transports: ['websocket']` only, but engine.io-client's transport
 * table pulls in HTTP long-polling (XHR and fetch) and WebTransport too. This swaps the table for
 * one with the WebSocket transport alone: about 3 KB less gzip for code the recorder never runs.
 */
function websocketOnly(): Plugin {
  const esmDir = path.dirname(require.resolve('engine.io-client')).replace(/build[\\/]cjs.*$/, 'build/esm');
  const websocket = path.join(esmDir, 'transports', 'websocket.js');
  return {
    name: 'duet-websocket-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer?.includes(`${path.sep}engine.io-client${path.sep}`) && /transports[\\/]index\.js$/.test(source)) return VIRTUAL;
      return null;
    },
    load(id) {
      if (id !== VIRTUAL) return null;
      return `import { WS } from ${JSON.stringify(websocket)};\nexport const transports = { websocket: WS };\n`;
    },
  };
}

/**
 * The browser bundles: ESM (`duet-recorder.js`, for apps with a bundler) and a script-tag IIFE
 * (`duet-recorder.iife.js`, sets `window.DuetRecorder`), both with rrweb and socket.io-client
 * inside, minified, rrweb with its mutation serialization sliced (vite/rrweb-sliced-mutations.ts).
 * tsc builds `dist/` (types and the npm entry); this builds `bundle/`.
 */
export default defineConfig({
  plugins: [websocketOnly(), rrwebSlicedMutations()],
  build: {
    outDir: 'bundle',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2020',
    lib: { entry: 'src/index.ts', name: 'DuetRecorder', formats: ['es', 'iife'], fileName: (format) => (format === 'es' ? 'duet-recorder.js' : 'duet-recorder.iife.js') },
  },
});
