import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cores: number;
  model: string;
  ramGb: number;
}

/** Reads the CPU model from /proc/cpuinfo (Linux), falling back to what Node reports. */
export function parseCpuModel(cpuinfo: string): string | null {
  const line = cpuinfo.split('\n').find((l) => /^model name\s*:/.test(l));
  return line ? line.slice(line.indexOf(':') + 1).trim() || null : null;
}

export function machineInfo(): MachineInfo {
  let model: string | null = null;
  try {
    model = parseCpuModel(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    /* not Linux */
  }
  return {
    cores: os.availableParallelism(),
    model: model ?? os.cpus()[0]?.model ?? 'unknown CPU',
    ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** The `machine` string of a result file, e.g. "2 cores, AMD EPYC, 23.5 GiB RAM". */
export function describeMachine(info: MachineInfo = machineInfo()): string {
  return `${info.cores} ${info.cores === 1 ? 'core' : 'cores'}, ${info.model}, ${info.ramGb} GiB RAM`;
}
