import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.js';

/** `bench/results/<name>.json`, the shape BENCHMARKS.md describes. */
export interface BenchResult {
  date: string;
  machine: string;
  figures: Record<string, unknown>;
}

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Writes a benchmark's figures atomically (temp file + rename); returns the file's path. */
export async function writeResult(
  name: string,
  figures: Record<string, unknown>,
  opts: { dir?: string; machine?: string; date?: Date } = {},
): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`benchmark name "${name}" must be lower-case letters, digits and dashes`);
  const dir = opts.dir ?? RESULTS_DIR;
  const result: BenchResult = { date: (opts.date ?? new Date()).toISOString(), machine: opts.machine ?? describeMachine(), figures };
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(result, null, 2) + '\n');
  await rename(tmp, file);
  return file;
}
