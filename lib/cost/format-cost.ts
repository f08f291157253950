/** The cost model as text: last month, this month so far and its projection, then the seed comparison. */
import type { CostModel, MonthCost } from './cost-model';
import { R2_FREE_TIER } from './r2-prices';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const usd = (n: number) => `$${n.toFixed(2)}`;
const gb = (n: number) => `${n < 10 ? n.toFixed(3) : n.toFixed(1)} GB`;

/** Rows of cells as columns: the first left-aligned, the rest right-aligned. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

function storageCell(m: MonthCost): string {
  return m.storage ? gb(m.storage.total) : 'not measured';
}

function row(label: string, m: MonthCost): string[] {
  return [label, count(m.operations.classA), count(m.operations.classB), count(m.operations.free), storageCell(m), m.gbMonths.toFixed(3), usd(m.list.total), usd(m.bill.total)];
}

function storageLine(m: MonthCost): string {
  if (!m.storage) return 'Storage: not measured (no full listing yet: `gulp cost` and `gulp report` measure it).';
  const s = m.storage;
  return `Storage (measured ${s.measuredAt.slice(0, 10)} by ${s.run}): images ${gb(s.images)}, archive ${gb(s.archive)}, records ${gb(s.records)}.`;
}

function comparison(model: CostModel): string[] {
  const { seed, scaled } = model.comparison;
  const head = `Compared with the seed's estimate for ${count(seed.images)} images (both at list price):`;
  if (!scaled) return [head, `  this bucket: not measured (no full listing has counted its images yet); seed: ${usd(seed.totalUsd)}/month.`];
  const basis = scaled.opsProjected ? `${scaled.opsMonth} projected` : scaled.opsMonth;
  const lines = table([
    ['', 'seed', 'this bucket'],
    [`storage (× ${count(seed.images)}/${count(scaled.measuredImages)} images)`, `${gb(seed.storageGb)}  ${usd(seed.storageUsd)}`, `${gb(scaled.storageGb)}  ${usd(scaled.storageUsd)}`],
    [`build operations (class A, ${basis})`, `${count(seed.buildOps)}  ${usd(seed.buildOpsUsd)}`, `${count(scaled.classA)}  ${usd(scaled.classAUsd)}`],
    ['the tool\'s reads (class B)', '—', `${count(scaled.classB)}  ${usd(scaled.classBUsd)}`],
    ['public reads (seed\'s figure only)', `${count(seed.reads)}  ${usd(seed.readsUsd)}`, 'not counted (CDN)'],
    ['total a month', usd(seed.totalUsd), `${usd(scaled.totalUsd)} + public reads`],
  ]);
  const perImage = `  this bucket stores ${(scaled.bytesPerImage / 1e3).toFixed(0)} kB an image (images, archive and records), the seed assumed ~1,000 kB.`;
  const ops = '  operations are this bucket\'s own, not scaled: they follow what changes (a no-change deploy is ⌈N/1000⌉ list pages, 1 GET and 1 PUT).';
  return [head, ...lines.map((l) => `  ${l}`), perImage, ops];
}

/** A small aligned table of last month, this month to date and its projection, the storage, the comparison and the CDN note. */
export function formatCost(model: CostModel): string {
  const p = model.projection.progress;
  const env = model.environment ?? 'builds (no environment)';
  const rows = table([
    ['month', 'class A', 'class B', 'free', 'stored', 'GB-month', 'list', 'bill'],
    row(`${model.lastMonth.month}`, model.lastMonth),
    row(`${model.thisMonth.month} to date`, model.thisMonth),
    row(`${model.projection.month} projected`, model.projection),
  ]);
  return [
    `R2 cost, ${env}, at ${model.now.slice(0, 16).replace('T', ' ')} UTC (day ${p.daysElapsed.toFixed(1)} of ${p.daysInMonth}; projected × ${p.factor.toFixed(2)}):`,
    ...rows.map((l) => `  ${l}`),
    `  bill: after the free allowance (${count(R2_FREE_TIER.classA)} class A, ${count(R2_FREE_TIER.classB)} class B, ${R2_FREE_TIER.storageGbMonths} GB-month a month), usage rounded up to a million requests and a whole GB-month.`,
    storageLine(model.projection),
    ...comparison(model),
    model.cdnNote,
  ].join('\n');
}
