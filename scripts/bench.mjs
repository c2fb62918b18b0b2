// `npm run bench [-- <name>]`: runs every benchmark under bench/<name>/index.ts (or one), each of
// which prints its figures and writes bench/results/<name>.json. Benchmarks arrive with the issues
// that set their targets (recorder, player, ...).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const benchDir = path.join(root, 'bench');
const all = readdirSync(benchDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(benchDir, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const names = wanted.length ? wanted : all;
if (!names.length) {
  console.log('No benchmarks yet: each arrives with the issue that sets its targets.');
  process.exit(0);
}
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', name, 'index.ts')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
