import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond, parseStatCpuTicks, parseSystemCpu, parseVmRssKb, pidsByName, ProcessMonitor, readCpuTicks, readRssKb, SystemCpuMonitor } from './proc.js';

const linux = process.platform === 'linux';

describe('/proc parsing', () => {
  it('sums utime and stime, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 5000 18446744073709551615';
    expect(parseStatCpuTicks(stat)).toBe(1234 + 567);
  });

  it('reads VmRSS in kB', () => {
    expect(parseVmRssKb('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n')).toBe(123456);
    expect(parseVmRssKb('Name:\tkthreadd\n')).toBeNull();
  });

  it('reads busy and total ticks and the CPU count from /proc/stat', () => {
    const text = 'cpu  100 5 50 800 20 1 4 0 0 0\ncpu0 50 2 25 400 10 1 2 0 0 0\ncpu1 50 3 25 400 10 0 2 0 0 0\nintr 1\n';
    expect(parseSystemCpu(text)).toEqual({ busy: 160, total: 980, cores: 2 });
  });
});

describe.runIf(linux)('sampling live processes', () => {
  it('reads this process', () => {
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
    expect(readCpuTicks(process.pid)).toBeGreaterThanOrEqual(0);
    expect(readRssKb(process.pid)).toBeGreaterThan(1000);
    expect(readCpuTicks(2 ** 30)).toBeNull();
  });

  it('measures the CPU time a process used in the window, however loaded the machine is', async () => {
    const mon = new ProcessMonitor(() => [process.pid], 50);
    const sys = new SystemCpuMonitor();
    mon.start();
    sys.start();
    const before = process.cpuUsage();
    const usedMs = () => {
      const u = process.cpuUsage(before);
      return (u.user + u.system) / 1000;
    };
    while (usedMs() < 300) Math.sqrt(Math.random());
    await new Promise((r) => setTimeout(r, 20));
    const w = mon.stop();
    const s = sys.stop();
    const cpuSeconds = (w.cpuPercent / 100) * w.wallSeconds;
    expect(cpuSeconds).toBeGreaterThan(0.25);
    expect(cpuSeconds).toBeLessThan(1.5);
    expect(w.rssMaxMb).toBeGreaterThan(1);
    expect(s.busyPercent).toBeGreaterThan(0);
    expect(s.cores).toBeGreaterThan(0);
  });

  it('finds processes by command name', () => {
    const comm = pidsByName('node');
    expect(Array.isArray(comm)).toBe(true);
  });
});
