/** How figures read in alert messages. */

export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

export const percent = (n: number): string => `${Number(n.toFixed(1))} %`;

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${unit === 0 ? value : Number(value.toFixed(2))} ${units[unit]}`;
}

/** The newest run that `keep` accepts (runs are in any order). */
export function newest<T extends { readonly time: string }>(runs: readonly T[], keep: (run: T) => boolean = () => true): T | undefined {
  let found: T | undefined;
  for (const run of runs) if (keep(run) && (!found || run.time > found.time)) found = run;
  return found;
}
