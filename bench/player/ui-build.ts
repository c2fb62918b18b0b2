/**
 * Builds the review UI the bench serves, into bench/.cache/player/ (never the shared
 * review-ui/dist that the browser tests of other work use).
 *
 * `current` is the working tree. A `before` build (BENCH_PLAYER_BEFORE=<git ref>) is the ref's
 * review-ui app (its src/ and index.html, everything the first play goes through: the shell, the
 * routes' code splitting, the player page and the player) with the working tree's build setup and
 * protocol, so both are measured in the same run against the same server. (Until round 3 only
 * src/player/ came from the ref: the first play's path runs through the rest of the app too.)
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_ROOT } from './fixture.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function viteBuild(root: string, outDir: string): Promise<void> {
  const { build } = await import('vite');
  const react = (await import('@vitejs/plugin-react')).default;
  await build({
    root,
    configFile: false,
    base: '/',
    logLevel: 'warn',
    plugins: [react()],
    // As review-ui/vite.config.ts: the package's index, and its subpath exports (zod-free modules).
    resolve: {
      alias: [
        { find: /^@duet\/protocol$/, replacement: path.join(ROOT, 'protocol/src/index.ts') },
        { find: /^@duet\/protocol\/([\w-]+)$/, replacement: `${path.join(ROOT, 'protocol/src')}/$1.ts` },
      ],
    },
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}

/** Builds one variant; returns its output directory (the server's UI_DIR). */
export async function buildUi(variant: { label: string; ref?: string }, log: (m: string) => void): Promise<string> {
  // Not under bench/.cache: express's static sender refuses paths with a dot-directory.
  const outDir = path.join(os.tmpdir(), 'duet-bench-player-ui', variant.label);
  const t0 = performance.now();
  if (!variant.ref) {
    await viteBuild(path.join(ROOT, 'review-ui'), outDir);
  } else {
    // Inside the repository, so the copy resolves react, rrweb and vite from the root node_modules.
    const src = path.join(CACHE_ROOT, `src-${variant.label}`, 'review-ui');
    await rm(path.dirname(src), { recursive: true, force: true });
    await mkdir(src, { recursive: true });
    await cp(path.join(ROOT, 'review-ui'), src, { recursive: true, filter: (f) => !/\/(node_modules|dist|src)(\/|$)/.test(f) });
    const files = execFileSync('git', ['ls-tree', '-r', '--name-only', variant.ref, 'review-ui/src/', 'review-ui/index.html'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    if (!files.some((f) => f.startsWith('review-ui/src/player/'))) throw new Error(`BENCH_PLAYER_BEFORE=${variant.ref}: no review-ui/src/player/ at that ref`);
    for (const f of files) {
      const text = execFileSync('git', ['show', `${variant.ref}:${f}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const to = path.join(src, path.relative('review-ui', f));
      await mkdir(path.dirname(to), { recursive: true });
      await writeFile(to, text);
    }
    await viteBuild(src, outDir);
  }
  log(`   built the review UI (${variant.label}${variant.ref ? `: app from ${variant.ref}` : ': working tree'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return outDir;
}
