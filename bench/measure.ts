/** Child-side measurement: wall seconds, own CPU, CPU used by other processes meanwhile, peak RSS. */
import { readFileSync } from 'node:fs';

export interface Measured {
  seconds: number;
  cpuSeconds: number;
  /** Busy CPU seconds of the whole machine minus ours during the run (a shared box: > 0.3 s means noise). */
  foreignCpuSeconds: number | null;
  /**
   * Peak RSS of this child in MiB: VmHWM from /proc/self/status. process.resourceUsage().maxRSS is kept
   * too, but Linux carries the parent's high-water mark over fork+exec into it, so it can overstate.
   */
  peakRssMB: number;
  maxRssMB: number;
}

function vmHwmMB(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] as string;
    const [user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).slice(1).map(Number) as number[];
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100; // USER_HZ
  } catch {
    return null;
  }
}

export async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; measured: Measured }> {
  const busy0 = machineBusySeconds();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const busy1 = machineBusySeconds();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    value,
    measured: {
      seconds,
      cpuSeconds,
      foreignCpuSeconds: busy0 === null || busy1 === null ? null : Math.max(0, busy1 - busy0 - cpuSeconds),
      peakRssMB: vmHwmMB() ?? process.resourceUsage().maxRSS / 1024,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    },
  };
}
