/** Markdown tables and target verdicts for the build benchmark. */
import type { FormatRow } from './formats';
import type { HotSpot } from './profile';

export interface TableRow {
  strategy: string;
  sources: number;
  outputs: number;
  seconds: number;
  peakRssMB: number | null;
  cpuSeconds?: number;
  decodes: number;
  foreignCpuSeconds?: number | null;
  /** Rebuild rows get no throughput ratios (they decode nothing). */
  rebuild?: boolean;
}

const f = (n: number, digits = 1): string => n.toFixed(digits);
const ratio = (a: number, b: number | undefined): string => (b ? `${f(a / b, 2)}×` : '—');

export function strategyTable(rows: TableRow[], ceilingSps: number | undefined, sequentialSps: number | undefined): string {
  const head = '| strategy | sources | outputs | seconds | sources/s | outputs/s | peak RSS MB | vs ceiling | vs sequential | CPU s | decodes | foreign CPU s |';
  const lines = [head, `|${'---|'.repeat(12)}`];
  for (const r of rows) {
    const sps = r.sources / r.seconds;
    lines.push(`| ${r.strategy} | ${r.sources} | ${r.outputs} | ${f(r.seconds, 2)} | ${r.rebuild ? '—' : f(sps)} | `
      + `${r.rebuild ? '—' : f(r.outputs / r.seconds)} | ${r.peakRssMB === null ? '?' : f(r.peakRssMB, 0)} | `
      + `${r.rebuild ? '—' : ratio(sps, ceilingSps)} | ${r.rebuild ? '—' : ratio(sps, sequentialSps)} | `
      + `${r.cpuSeconds === undefined ? '—' : f(r.cpuSeconds, 2)} | ${r.decodes} | `
      + `${r.foreignCpuSeconds === undefined || r.foreignCpuSeconds === null ? '—' : f(r.foreignCpuSeconds, 2)} |`);
  }
  return lines.join('\n');
}

export function formatsMarkdown(rows: FormatRow[]): string {
  const lines = [
    `| size | output | config | plain ms | mozjpeg ms | CPU × | plain KB | mozjpeg KB | bytes saved | plain dB | mozjpeg dB | plain KB at mozjpeg dB | saved at equal PSNR |`,
    `|${'---|'.repeat(13)}`,
  ];
  for (const r of rows) {
    const saved = 1 - r.mozjpeg.bytes / r.plain.bytes;
    const atPsnr = r.plainBytesAtMozPsnr;
    lines.push(`| ${r.size} | ${r.dims} | ${r.configMozjpeg ? 'mozjpeg' : 'plain'} | ${f(r.plain.cpuMs)} | ${f(r.mozjpeg.cpuMs)} | `
      + `${f(r.mozjpeg.cpuMs / r.plain.cpuMs)} | ${f(r.plain.bytes / 1000)} | ${f(r.mozjpeg.bytes / 1000)} | ${f(saved * 100, 0)} % | `
      + `${f(r.plain.psnr, 2)} | ${f(r.mozjpeg.psnr, 2)} | ${atPsnr === null ? 'n/a' : f(atPsnr / 1000)} | `
      + `${atPsnr === null ? 'n/a' : `${f((1 - r.mozjpeg.bytes / atPsnr) * 100, 0)} %`} |`);
  }
  return lines.join('\n');
}

/** Extra CPU per KB saved at equal PSNR, per size: the number to decide "mozjpeg where it pays". */
export function mozjpegVerdict(rows: FormatRow[]): string {
  return rows.map((r) => {
    const extraMs = r.mozjpeg.cpuMs - r.plain.cpuMs;
    const base = r.plainBytesAtMozPsnr ?? r.plain.bytes;
    const savedKB = (base - r.mozjpeg.bytes) / 1000;
    const cost = savedKB > 0 ? `${f(extraMs / savedKB, 2)} ms CPU per KB saved` : 'saves nothing at equal PSNR';
    return `- ${r.size}: +${f(extraMs)} ms CPU/output for ${f(savedKB)} KB (${f((savedKB * 1000 / base) * 100, 0)} %) smaller at equal PSNR: ${cost}; config uses ${r.configMozjpeg ? 'mozjpeg' : 'plain'}.`;
  }).join('\n');
}

export function hotSpots(title: string, spots: HotSpot[], totalMs: number): string {
  const lines = [`${title} (profile ${f(totalMs / 1000, 2)} s)`, '', '| self ms | share | function | where |', '|---|---|---|---|'];
  for (const s of spots) lines.push(`| ${f(s.selfMs, 0)} | ${f(s.share * 100)} % | ${s.fn || '—'} | ${s.where} |`);
  return lines.join('\n');
}

export const verdict = (ok: boolean): string => (ok ? '**PASS**' : '**FAIL**');
