/**
 * Which objects a sampled deep or public check reads: a deterministic slice that rotates daily, so
 * `--sample P` run every day covers the whole bucket in ⌈100 / P⌉ days, plus a random share (a fifth
 * of P) from the rest, so a problem is never invisible until its slice comes round.
 */
import { createHash } from 'node:crypto';

/** A key's stable place in [0, 100). */
export function slotOf(key: string): number {
  return (createHash('sha256').update(key).digest().readUInt32BE(0) % 1_000_000) / 10_000;
}

/** Days since the Unix epoch (UTC): the slice's position. */
export const dayNumber = (at: Date = new Date()): number => Math.floor(at.getTime() / 86_400_000);

export function inDailySlice(key: string, percent: number, day: number): boolean {
  const start = (day * percent) % 100;
  const offset = (slotOf(key) - start + 100) % 100;
  return offset < percent;
}

export function sampleKeys<T extends { key: string }>(
  objects: readonly T[], percent: number, options: { day: number; random?: () => number },
): T[] {
  if (percent >= 100) return [...objects];
  const random = options.random ?? Math.random;
  return objects.filter((o) => inDailySlice(o.key, percent, options.day) || random() < percent / 5 / 100);
}
