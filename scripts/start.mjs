// `npm start`: the zero-config, all-in-one Duet. Installs and builds when needed, then runs the
// server with the job handlers in the same process (embedded mode unless env says otherwise).
// Plain JavaScript because it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Duet needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`"${cmd} ${args.join(' ')}" failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

// 1. Install when node_modules is missing or older than the lock file.
if (mtime('node_modules/.package-lock.json') < mtime('package-lock.json')) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// 2. Build when an output is missing or any source is newer than the oldest output.
const outputs = ['protocol/dist/index.js', 'core/dist/index.js', 'server/dist/index.js', 'workers/dist/index.js', 'review-ui/dist/index.html', 'recorder-agent/bundle/duet-recorder.iife.js'];
const sources = ['protocol/src', 'core/src', 'server/src', 'workers/src', 'review-ui/src', 'review-ui/index.html', 'recorder-agent/src'];
const oldestOutput = Math.min(...outputs.map(mtime));
const newestSource = Math.max(...sources.map((s) => (existsSync(s) && statSync(s).isDirectory() ? newestMtime(s) : mtime(s))));
if (oldestOutput === 0 || newestSource > oldestOutput) run('npm', ['run', 'build']);

// 3. Run.
const { runServer } = await import(pathToFileURL(path.join(root, 'server/dist/index.js')).href);
const { createHandlers, checkMediaTools } = await import(pathToFileURL(path.join(root, 'workers/dist/index.js')).href);

// The job handlers run in this process: make sure ffmpeg can do what finalization needs.
try {
  await checkMediaTools();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

let running;
try {
  running = await runServer({ jobHandlers: createHandlers });
} catch (err) {
  console.error(err?.name === 'ConfigError' ? err.message : err);
  process.exit(err?.name === 'ConfigError' ? 78 : 1);
}

const { core, url, demo } = running;
const line = '─'.repeat(64);
console.log(`\n${line}\n Duet is running at ${url}\n ${core.mode} mode · database: ${core.database.driver} · objects: ${core.store.driver} · jobs: ${core.jobs.driver}`);
if (demo) {
  console.log(`\n Demo logins (password for all: ${demo.password})`);
  for (const l of demo.logins) console.log(`   ${l.username.padEnd(8)} ${l.displayName.padEnd(14)} ${l.note}`);
  console.log(`\n Record a call with your own microphone: ${url}/demo/ (sign in as an agent)`);
}
console.log(`\n Press Ctrl-C to stop.\n${line}\n`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Duet (finishing running jobs, closing the database)…`);
  await running.close();
  console.log('Stopped cleanly.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
