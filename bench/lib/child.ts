import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Child processes for benchmarks: a TypeScript file run with tsx (and Duet's packages from
 * source), spoken to by request/reply over IPC. Structured-clone serialisation, so typed arrays
 * cross without JSON.
 */

const FROM_SOURCE = fileURLToPath(new URL('./duet-from-source.mjs', import.meta.url));

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface ChildOptions {
  env?: Record<string, string | undefined>;
  /** extra node flags, e.g. --cpu-prof */
  execArgv?: string[];
  /** name used in error messages */
  name?: string;
}

export class BenchChild {
  readonly proc: ChildProcess;
  readonly name: string;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(file: string, opts: ChildOptions = {}) {
    this.name = opts.name ?? file;
    this.proc = fork(file, [], {
      execArgv: ['--import', 'tsx', '--import', FROM_SOURCE, ...(opts.execArgv ?? [])],
      env: { ...process.env, ...opts.env },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (raw) => {
      const msg = raw as { id?: number; ok?: boolean; result?: unknown; error?: string };
      const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
      if (!p) return;
      this.pending.delete(msg.id!);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${this.name}: ${msg.error}`));
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitCode = code;
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before answering`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Sends `{ type, ...body }` and resolves with the child's answer. */
  request<T>(type: string, body: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} did not answer "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.proc.send({ id, type, ...body });
    });
  }

  /** Asks the child to stop (`stop` request), then kills it if it has not exited in time. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.alive) return;
    await this.request('stop', {}, timeoutMs).catch(() => {});
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves when the child sends `{ type: 'ready' }` (after its set-up), rejects if it exits first. */
  ready(timeoutMs = 120_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (raw: unknown) => {
        if ((raw as { type?: string }).type !== 'ready') return;
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        resolve();
      };
      this.proc.on('message', onMessage);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (code ${code}) during start-up`));
      });
    });
  }

  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
  }

  waitExit(): Promise<number | null> {
    return this.exited;
  }
}

export type RequestHandler = (msg: { type: string } & Record<string, unknown>) => Promise<unknown> | unknown;

/**
 * Child side: answers requests with `handler`; `stop` runs `onStop` then exits. When the parent
 * goes away (IPC closes) the child runs `onStop` and exits too, so nothing is left behind.
 */
export function serveRequests(handler: RequestHandler, onStop: () => Promise<void> = async () => {}): void {
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= onStop().catch((err: unknown) => console.error(err)));
  process.on('message', (raw) => {
    const msg = raw as { id: number; type: string } & Record<string, unknown>;
    void (async () => {
      if (msg.type === 'stop') {
        await stop();
        process.send?.({ id: msg.id, ok: true, result: null }, () => process.exit(0));
        return;
      }
      try {
        const result = await handler(msg);
        process.send?.({ id: msg.id, ok: true, result });
      } catch (err) {
        process.send?.({ id: msg.id, ok: false, error: (err as Error)?.stack ?? String(err) });
      }
    })();
  });
  process.on('disconnect', () => void stop().then(() => process.exit(1)));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void stop().then(() => process.exit(1)));
}
