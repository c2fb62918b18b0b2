import { defineConfig } from 'vite';

/**
 * The browser bundles: ESM (`duet-recorder.js`, for apps with a bundler) and a script-tag IIFE
 * (`duet-recorder.iife.js`, sets `window.DuetRecorder`), both with rrweb and socket.io-client
 * inside, minified. tsc builds `dist/` (types and the npm entry); this builds `bundle/`.
 */
export default defineConfig({
  build: {
    outDir: 'bundle',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2020',
    lib: { entry: 'src/index.ts', name: 'DuetRecorder', formats: ['es', 'iife'], fileName: (format) => (format === 'es' ? 'duet-recorder.js' : 'duet-recorder.iife.js') },
  },
});
