import { describe, expect, it } from 'vitest';
import { describeMachine, machineInfo, parseCpuModel } from './machine.js';

describe('machine description', () => {
  it('reads the model name from /proc/cpuinfo text', () => {
    const text = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\ncpu MHz\t\t: 2449.998\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n';
    expect(parseCpuModel(text)).toBe('AMD EPYC 7B13');
    expect(parseCpuModel('processor\t: 0\n')).toBeNull();
  });

  it('formats cores, model and RAM', () => {
    expect(describeMachine({ cores: 2, model: 'AMD EPYC', ramGb: 23.5 })).toBe('2 cores, AMD EPYC, 23.5 GiB RAM');
    expect(describeMachine({ cores: 1, model: 'x', ramGb: 1 })).toBe('1 core, x, 1 GiB RAM');
  });

  it('describes this machine', () => {
    const info = machineInfo();
    expect(info.cores).toBeGreaterThan(0);
    expect(info.ramGb).toBeGreaterThan(0);
    expect(info.model.length).toBeGreaterThan(0);
  });
});
