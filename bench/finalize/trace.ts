import type * as ChildProcessModule from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import type { ObjectStore } from '../../core/src/index.js';

/**
 * Looks inside the finalize job without changing it: every child process it spawns (ffmpeg,
 * ffprobe) is timed from spawn to 'close' by wrapping node:child_process.spawn (the ESM named
 * export is updated with syncBuiltinESMExports, so `import { spawn }` in workers sees the wrapper),
 * and every object-store put is timed by a wrapping store. Overhead: one closure per call.
 */

export interface SpawnRecord {
  /** ms since the tracer's epoch (performance.now()) */
  startMs: number;
  endMs: number;
  bin: string;
  args: string[];
  kind: string;
}

/** Which step of finalization an ffmpeg/ffprobe command line is. */
export function classify(bin: string, args: readonly string[]): string {
  const name = path.basename(bin);
  const has = (s: string) => args.includes(s);
  const joined = args.join(' ');
  if (name.startsWith('ffprobe')) return 'ffprobe';
  if (joined.includes('anullsrc')) return 'silence-encode';
  if (joined.includes('silencedetect')) return 'silencedetect';
  if (has('s16le')) return 'peaks-decode';
  if (has('concat') && has('libopus')) return 'reencode';
  if (has('concat')) return 'concat-copy';
  if (has('webm')) return 'remux-webm-ogg';
  if (has('-ss')) return 'cut-copy';
  return name;
}

const require = createRequire(import.meta.url);
const cp = require('node:child_process') as typeof ChildProcessModule;

export class SpawnTracer {
  readonly records: SpawnRecord[] = [];
  private original: typeof cp.spawn | null = null;

  install(): void {
    if (this.original) return;
    const original = cp.spawn;
    this.original = original;
    const records = this.records;
    const traced = function (this: unknown, ...a: unknown[]) {
      const child = (original as (...x: unknown[]) => ChildProcessModule.ChildProcess).apply(this, a);
      const bin = String(a[0]);
      const args = Array.isArray(a[1]) ? (a[1] as unknown[]).map(String) : [];
      const rec: SpawnRecord = { startMs: performance.now(), endMs: Number.NaN, bin, args, kind: classify(bin, args) };
      records.push(rec);
      child.once('close', () => (rec.endMs = performance.now()));
      return child;
    };
    cp.spawn = traced as typeof cp.spawn;
    syncBuiltinESMExports();
  }

  uninstall(): void {
    if (!this.original) return;
    cp.spawn = this.original;
    this.original = null;
    syncBuiltinESMExports();
  }

  reset(): void {
    this.records.length = 0;
  }

  /** Seconds per kind within [fromMs, toMs], and counts. */
  summary(fromMs = -Infinity, toMs = Infinity): Record<string, { count: number; seconds: number }> {
    const out: Record<string, { count: number; seconds: number }> = {};
    for (const r of this.records) {
      if (r.startMs < fromMs || r.startMs > toMs) continue;
      const s = (out[r.kind] ??= { count: 0, seconds: 0 });
      s.count++;
      s.seconds += (r.endMs - r.startMs) / 1000;
    }
    return out;
  }
}

export interface PutRecord {
  key: string;
  bytes: number;
  startMs: number;
  endMs: number;
}

/** The store with every put timed into `records`; everything else passes through. */
export function timedStore(store: ObjectStore, records: PutRecord[]): ObjectStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'put') {
        const put: ObjectStore['put'] = async (key, body, opts) => {
          const rec: PutRecord = { key, bytes: opts?.contentLength ?? (Buffer.isBuffer(body) ? body.byteLength : -1), startMs: performance.now(), endMs: Number.NaN };
          try {
            return await target.put(key, body, opts);
          } finally {
            rec.endMs = performance.now();
            records.push(rec);
          }
        };
        return put;
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
