/**
 * The same-run baseline of bench/recorder: Sentry's Session Replay (`@sentry/browser`, the SDK
 * and `replayIntegration()` with its defaults), the product whose published heavy scenario the
 * recorder's target is set against (+374 ms). Measured on the same page, machine and rounds as
 * Duet's recorder, so the two added TBTs can be compared as a ratio that holds on a slow or noisy
 * machine, where an absolute figure does not (TBT counts only what exceeds 50 ms per task, so it
 * grows faster than the machine slows).
 *
 * The script-tag bundle is built here with Vite from the npm package (minified, as Sentry's CDN
 * bundle is) into bench/.cache (not committed). Replay data goes to the CRM page's own server,
 * which answers Sentry's envelope endpoint and counts the replay recordings it receives, so a run
 * that recorded nothing is an error, not a cheap baseline.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = path.join(ROOT, 'bench', '.cache', 'recorder');
export const SENTRY_BUNDLE = path.join(CACHE, 'sentry-replay.iife.js');

/** What the page calls at DOMContentLoaded, where Duet's recorder starts too. */
const ENTRY = `
import { init, replayIntegration } from '@sentry/browser';
window.__startSentryReplay = (dsn) =>
  init({ dsn, integrations: [replayIntegration()], replaysSessionSampleRate: 1, replaysOnErrorSampleRate: 0, tracesSampleRate: 0 });
`;

/** Builds the bundle when missing or older than the installed package; returns its path. */
export async function ensureSentryBundle(): Promise<string> {
  const pkg = path.join(ROOT, 'node_modules', '@sentry', 'browser', 'package.json');
  const installed = (await stat(pkg)).mtimeMs;
  const built = await stat(SENTRY_BUNDLE).then((s) => s.mtimeMs, () => 0);
  if (built > installed) return SENTRY_BUNDLE;
  console.log('building the Sentry Replay baseline bundle (bench/.cache/recorder) …');
  await mkdir(CACHE, { recursive: true });
  const entry = path.join(CACHE, 'sentry-entry.js');
  await writeFile(entry, ENTRY);
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: CACHE,
      emptyOutDir: false,
      minify: true,
      sourcemap: false,
      lib: { entry, formats: ['iife'], name: 'SentryReplayBaseline', fileName: () => path.basename(SENTRY_BUNDLE) },
    },
  });
  return SENTRY_BUNDLE;
}

/** The script tag and start call of the Sentry variant of the page. */
export function sentryHead(dsn: string): string {
  return `<script src="/sentry-replay.iife.js"></script>
<script>addEventListener('DOMContentLoaded', () => window.__startSentryReplay(${JSON.stringify(dsn)}));</script>`;
}

/**
 * Answers Sentry's envelope endpoint (`POST /api/<project>/envelope/`) and counts what arrived.
 * An envelope is newline-delimited: a header, then item headers each followed by its payload.
 */
export class SentryInbox {
  envelopes = 0;
  replayRecordings = 0;
  bytes = 0;

  /** true when the request was Sentry's and has been answered */
  handle(pathname: string, body: Buffer, respond: (status: number, json: string) => void): boolean {
    if (!/^\/api\/\d+\/envelope\/?$/.test(pathname)) return false;
    this.envelopes++;
    this.bytes += body.length;
    // Item headers are JSON lines with a "type"; replay payloads may be binary (compressed).
    for (const m of body.toString('latin1').matchAll(/"type":"replay_recording"/g)) if (m) this.replayRecordings++;
    respond(200, '{}');
    return true;
  }
}
