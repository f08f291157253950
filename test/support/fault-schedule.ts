/**
 * Random fault schedules for the fault proxy: each request, with probability `rate`, gets one fault
 * drawn from the mix a real store and network give — 503/500/429 (with and without Retry-After),
 * connections reset before the request or after it was served, bodies cut short, slow and stalled
 * answers and bodies. Deterministic from its seed, so a failing schedule replays exactly.
 */
import fc from 'fast-check';
import type { FaultEffect, FaultProxy } from '../servers/fault-proxy';

export interface FaultSchedule {
  readonly seed: number;
  /** Share of requests that get a fault. */
  readonly rate: number;
  /** Faults that are slow answers rather than errors: milliseconds added. */
  readonly slowMs: number;
  /** A status for the command's first image PUT or first copy, whatever else happens: finding 1's single 503. */
  readonly first?: number;
}

export const faultSchedules: fc.Arbitrary<FaultSchedule> = fc.record({
  seed: fc.nat(),
  rate: fc.constantFrom(0.1, 0.25, 0.4, 0.6, 0.8),
  slowMs: fc.integer({ min: 20, max: 300 }),
});

/** mulberry32: a small, fast, seedable PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIX: readonly (FaultEffect & { weight: number; slow?: boolean })[] = [
  { action: 503, weight: 4 },
  { action: 503, retryAfter: 1, weight: 1 },
  { action: 429, weight: 2 },
  { action: 429, retryAfter: 0, weight: 1 },
  { action: 500, weight: 3 },
  { action: 'drop', weight: 3 },
  { action: 'reset-after', weight: 3 },
  { action: 'truncate', weight: 3 },
  { action: 'stall', weight: 1 },
  { action: 'stall-body', weight: 1 },
  { action: 'slow-body', weight: 1 },
  { action: 0, weight: 3, slow: true },
];
const TOTAL = MIX.reduce((sum, f) => sum + f.weight, 0);

/** Puts the schedule on the proxy; returns a function that takes it off. */
export function applySchedule(proxy: FaultProxy, schedule: FaultSchedule): () => void {
  const next = random(schedule.seed);
  let firstWrite = schedule.first !== undefined;
  proxy.chaos = (op, key) => {
    if (firstWrite && ((op === 'put' && !key.startsWith('_')) || op === 'copy')) {
      firstWrite = false;
      return { action: schedule.first as number };
    }
    if (next() >= schedule.rate) return undefined;
    let pick = next() * TOTAL;
    const fault = MIX.find((f) => (pick -= f.weight) < 0) ?? (MIX[0] as (typeof MIX)[number]);
    return fault.slow ? { action: 0, delayMs: schedule.slowMs } : fault;
  };
  return () => { proxy.chaos = undefined; };
}
