import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources (no build needed for unit and contract tests);
// the multi-process tests under test/ start the built entry points instead.
export default defineConfig({
  resolve: {
    alias: {
      '@duet/protocol': src('protocol'),
      '@duet/core': src('core'),
      '@duet/server': src('server'),
      '@duet/workers': src('workers'),
    },
  },
  test: {
    include: ['{protocol,core,server,workers,recorder-agent,review-ui,test,bench}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel but not more than the machine has.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
