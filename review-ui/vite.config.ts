import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The review UI builds straight from protocol's TypeScript sources, so `vite build` works
 * without a prior `tsc -b`. Protocol's relative imports end in `.js`; Vite resolves those to
 * the `.ts` files when the importer is TypeScript. Its subpath exports (`@duet/protocol/constants`:
 * the constants without zod) map to the module of that name.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@duet\/protocol$/, replacement: fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) },
      { find: /^@duet\/protocol\/([\w-]+)$/, replacement: `${fileURLToPath(new URL('../protocol/src/', import.meta.url))}$1.ts` },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080' } },
  },
});
