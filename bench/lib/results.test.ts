import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeResult } from './results.js';

describe('writeResult', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes {date, machine, figures} as bench/results/<name>.json, leaving no temp file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-results-'));
    const file = await writeResult('ingest', { maxAgents: 400, p99AckMs: 61.2 }, { dir, machine: '2 cores, test, 1 GiB RAM', date: new Date('2026-11-23T12:00:00Z') });
    expect(file).toBe(path.join(dir, 'ingest.json'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      date: '2026-11-23T12:00:00.000Z',
      machine: '2 cores, test, 1 GiB RAM',
      figures: { maxAgents: 400, p99AckMs: 61.2 },
    });
    expect(await readdir(dir)).toEqual(['ingest.json']);
  });

  it('refuses names that are not simple file names', async () => {
    await expect(writeResult('../x', {}, { dir: os.tmpdir() })).rejects.toThrow(/lower-case/);
  });
});
