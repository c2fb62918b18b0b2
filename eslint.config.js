import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The folder rules of ARCHITECTURE.md, enforced: each package may import only the packages
 * listed for it. A violation is a lint error naming the rule it breaks.
 */
const forbid = (from, names, why) => ({
  files: [`${from}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: names.map((name) => ({
          group: [`@duet/${name}`, `@duet/${name}/*`, `**/${name}/src/**`, `../${name}/**`, `../../${name}/**`],
          message: `${from} must not import ${name}: ${why}`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/bundle/**', 'bench/.cache/**', '**/node_modules/**', 'data/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['review-ui/**/*.{ts,tsx}', 'recorder-agent/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The demo pages' scripts run in the browser, next to the recorder's script-tag bundle.
    files: ['server/demo/**/*.js'],
    languageOptions: { globals: { ...globals.browser, DuetRecorder: 'readonly' } },
  },
  forbid('protocol', ['core', 'server', 'workers', 'recorder-agent', 'review-ui', 'test', 'bench'], 'protocol is the dependency-free wire contract'),
  forbid('core', ['server', 'workers', 'recorder-agent', 'review-ui', 'test', 'bench'], 'core is the domain; faces depend on it, not the reverse'),
  forbid('server', ['workers', 'recorder-agent', 'review-ui', 'test', 'bench'], 'server and workers talk only through the job queue and the database'),
  forbid('workers', ['server', 'recorder-agent', 'review-ui', 'test', 'bench'], 'server and workers talk only through the job queue and the database'),
  forbid('recorder-agent', ['core', 'server', 'workers', 'review-ui', 'test', 'bench'], 'browser code may use protocol only'),
  forbid('review-ui', ['core', 'server', 'workers', 'recorder-agent', 'test', 'bench'], 'browser code may use protocol only'),
);
