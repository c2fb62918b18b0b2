import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory of processes and of the machine, read from Linux /proc: a benchmark measures the
 * server in its own process, so the load generator's work does not count as the server's.
 */

let hz: number | undefined;
/** Kernel clock ticks per second (`getconf CLK_TCK`, nearly always 100). */
export function clockTicksPerSecond(): number {
  if (hz === undefined) {
    try {
      hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      hz = 100;
    }
  }
  return hz;
}

/**
 * utime + stime (ticks) from the text of /proc/<pid>/stat. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so fields are counted after the last ")".
 */
export function parseStatCpuTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc/<pid>/stat');
  return utime + stime;
}

/** VmRSS in kB from the text of /proc/<pid>/status; null when absent (a zombie, a kernel thread). */
export function parseVmRssKb(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : null;
}

/** Busy and total ticks over all CPUs, and the CPU count, from the text of /proc/stat. */
export function parseSystemCpu(procStat: string): { busy: number; total: number; cores: number } {
  const lines = procStat.split('\n');
  const all = lines.find((l) => l.startsWith('cpu '));
  if (!all) throw new Error('unreadable /proc/stat');
  const v = all.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = v.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total, cores: lines.filter((l) => /^cpu\d+ /.test(l)).length };
}

export function readCpuTicks(pid: number): number | null {
  try {
    return parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function readRssKb(pid: number): number | null {
  try {
    return parseVmRssKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

export interface ProcessWindow {
  /** CPU time used in the window as % of one core (200 = two cores busy) */
  cpuPercent: number;
  /** highest summed RSS seen by the periodic samples, MB */
  rssMaxMb: number;
  /** summed RSS at the end of the window, MB */
  rssEndMb: number;
  wallSeconds: number;
}

/**
 * Measures a group of processes over a window: CPU from utime+stime deltas, RSS sampled every
 * `intervalMs`. The group is re-read at every sample: a process that appears during the window
 * (a new database connection) counts from its start, one that exits keeps its last reading.
 */
export class ProcessMonitor {
  private startTicks = new Map<number, number>();
  private lastTicks = new Map<number, number>();
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private rssMaxKb = 0;

  constructor(
    private readonly getPids: () => number[],
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.startTicks.clear();
    this.lastTicks.clear();
    for (const pid of this.getPids()) {
      const t = readCpuTicks(pid);
      if (t !== null) {
        this.startTicks.set(pid, t);
        this.lastTicks.set(pid, t);
      }
    }
    this.rssMaxKb = 0;
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): number {
    let rss = 0;
    for (const pid of this.getPids()) {
      const t = readCpuTicks(pid);
      if (t === null) continue;
      if (!this.startTicks.has(pid)) this.startTicks.set(pid, 0);
      this.lastTicks.set(pid, t);
      rss += readRssKb(pid) ?? 0;
    }
    this.rssMaxKb = Math.max(this.rssMaxKb, rss);
    return rss;
  }

  stop(): ProcessWindow {
    clearInterval(this.timer);
    const rssEnd = this.sample();
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    let ticks = 0;
    for (const [pid, start] of this.startTicks) ticks += (this.lastTicks.get(pid) ?? start) - start;
    return {
      cpuPercent: wallSeconds > 0 ? ((ticks / clockTicksPerSecond()) / wallSeconds) * 100 : 0,
      rssMaxMb: this.rssMaxKb / 1024,
      rssEndMb: rssEnd / 1024,
      wallSeconds,
    };
  }
}

/** Machine-wide CPU busy over a window, as % of one core (so at most cores × 100). */
export class SystemCpuMonitor {
  private start0: { busy: number; total: number; cores: number } | undefined;

  start(): void {
    this.start0 = parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
  }

  stop(): { busyPercent: number; cores: number } {
    const end = parseSystemCpu(readFileSync('/proc/stat', 'utf8'));
    const s = this.start0 ?? end;
    const total = end.total - s.total;
    return { busyPercent: total > 0 ? ((end.busy - s.busy) / total) * end.cores * 100 : 0, cores: end.cores };
  }
}

/** Pids whose command name (/proc/<pid>/comm) is `name`, e.g. every `postgres` process. */
export function pidsByName(name: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() === name) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

export interface ProcessUse {
  pid: number;
  name: string;
  cpuPercent: number;
}

/** The busiest processes over a short window (a `top` snapshot), to report other load on the machine. */
export async function topProcesses(windowMs = 3000, limit = 5): Promise<ProcessUse[]> {
  const read = () => {
    const m = new Map<number, number>();
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      const t = readCpuTicks(Number(e));
      if (t !== null) m.set(Number(e), t);
    }
    return m;
  };
  const before = read();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const after = read();
  const seconds = (performance.now() - t0) / 1000;
  const out: ProcessUse[] = [];
  for (const [pid, t] of after) {
    const d = t - (before.get(pid) ?? t);
    if (d <= 0) continue;
    let name = '?';
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      /* gone */
    }
    out.push({ pid, name, cpuPercent: ((d / clockTicksPerSecond()) / seconds) * 100 });
  }
  return out.sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, limit);
}
