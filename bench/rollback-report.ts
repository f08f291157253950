/** The rollback benchmark's Markdown report: per-round times, requests by kind, bytes, copies, verdicts. */
import type { RollbackOutcome } from '../lib/restore/run-rollback';
import type { ByteCounts } from './counting-store';
import { median } from './bench-bucket';

export interface Measured<T> {
  readonly value: T;
  readonly seconds: number;
  readonly requests: Readonly<Record<string, number>>;
  readonly bytes: ByteCounts;
}

export interface Round {
  readonly noChange: Measured<RollbackOutcome>;
  readonly readPlan: Measured<RollbackOutcome>;
  readonly rollback: Measured<RollbackOutcome>;
  readonly forward: Measured<RollbackOutcome>;
  readonly naive: Measured<unknown>;
  readonly copies: Measured<unknown>;
}

export interface RollbackReport {
  readonly count: number;
  readonly changed: number;
  readonly bytes: number;
  readonly where: string;
  readonly concurrency: number;
  readonly rounds: readonly Round[];
  readonly syncs: readonly [Measured<unknown>, Measured<unknown>];
  readonly load: readonly [number[], number[]];
}

const KINDS = ['list', 'head', 'get', 'put', 'copy', 'delete', 'other'] as const;

function requestsOf(m: Measured<unknown>): string {
  return KINDS.filter((k) => k !== 'other' || (m.requests[k] ?? 0) > 0).map((k) => `${k.toUpperCase()} ${m.requests[k] ?? 0}`).join(' · ');
}

/** The rounds' request counts: one line when they agree, else round by round. */
function requestsAcross(ms: readonly Measured<unknown>[]): string {
  const each = ms.map(requestsOf);
  return each.every((r) => r === each[0]) ? (each[0] ?? '') : each.map((r, i) => `r${i + 1}: ${r}`).join('<br>');
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const sum = (bytes: Readonly<Record<string, number>>) => Object.values(bytes).reduce((a, b) => a + b, 0);
/** `` `_releases/<id>.json` 2957.3 KB, … ``: the tool's JSON objects by key (Markdown code), release ids elided. */
const byKey = (bytes: Readonly<Record<string, number>> = {}) => Object.entries(bytes)
  .map(([key, n]) => `\`${key.replace(/\d{8}T[^/]+\.json$/, '<id>.json')}\` ${kb(n)}`).join(', ');
const copiesOf = (m: Measured<RollbackOutcome>) => `${m.value.result?.completed.archive ?? 0} archive + ${m.value.result?.completed.restore ?? 0} restore`;

export function printRollbackReport(r: RollbackReport): void {
  const rounds = r.rounds;
  const steps: [string, (round: Round) => Measured<unknown>][] = [
    ['no-change pass: `--release latest --dry-run` (list the bucket and the archive, read pointer + release + state record, plan: nothing to do)', (x) => x.noChange],
    ['rollback read + plan: `--release previous --dry-run` (the same, with two release records)', (x) => x.readPlan],
    [`**rollback to the previous release** (server-side copies, new release + state record)`, (x) => x.rollback],
    [`naive restore of the same ${r.changed}: GET from the archive + PUT back, ${r.concurrency} in flight, no listing`, (x) => x.naive],
    [`the rollback's ${r.changed} restore copies alone (archive → scratch key, same headers), ${r.concurrency} in flight, no listing`, (x) => x.copies],
    ['roll forward again (not compared: it resets the bucket for the next round)', (x) => x.forward],
  ];
  const med = (pick: (round: Round) => Measured<unknown>) => median(rounds.map((x) => pick(x).seconds));
  console.log(`\n${r.count} objects (${(r.bytes / 1e6).toFixed(1)} MB, ${kb(r.bytes / r.count)} average), ${r.changed} changed `
    + `(${((100 * r.changed) / r.count).toFixed(1)} %); ${r.where}; concurrency ${r.concurrency}; ${rounds.length} rounds, every request through the counting proxy; `
    + `load average ${r.load[0].map((l) => l.toFixed(2)).join(' ')} at start, ${r.load[1].map((l) => l.toFixed(2)).join(' ')} at end\n`);
  console.log(`setup: v1 sync ${r.syncs[0].seconds.toFixed(2)} s (${requestsOf(r.syncs[0])}); `
    + `v2 sync ${r.syncs[1].seconds.toFixed(2)} s (${requestsOf(r.syncs[1])})\n`);
  console.log(`| step | ${rounds.map((_, i) => `round ${i + 1} s`).join(' | ')} | median s | requests |`);
  console.log(`|---|${rounds.map(() => '---|').join('')}---|---|`);
  for (const [name, pick] of steps) {
    console.log(`| ${name} | ${rounds.map((x) => pick(x).seconds.toFixed(2)).join(' | ')} | ${med(pick).toFixed(2)} | ${requestsAcross(rounds.map(pick))} |`);
  }
  const backs = rounds.map((x) => x.rollback);
  console.log(`\n- rollback copies per round: ${backs.map(copiesOf).join('; ')}`);
  console.log(`- roll-forward copies per round: ${rounds.map((x) => copiesOf(x.forward)).join('; ')}`);
  console.log(`- rollback bytes uploaded: image bytes ${backs.map((m) => m.bytes.objectPutBytes).join(' / ')}; JSON records (round 1): ${byKey(backs[0]?.bytes.recordPuts)}`);
  console.log(`- rollback bytes downloaded (round 1): ${byKey(backs[0]?.bytes.gets)}; total per round ${backs.map((m) => kb(sum(m.bytes.gets))).join(' / ')}`);
  console.log(`- naive restore bytes: ${kb(sum(rounds[0]?.naive.bytes.gets ?? {}))} down, ${kb(rounds[0]?.naive.bytes.objectPutBytes ?? 0)} up per round`);

  const total = med((x) => x.rollback);
  const readPlan = med((x) => x.readPlan);
  const writes = median(rounds.map((x) => x.rollback.seconds - x.readPlan.seconds));
  const naive = med((x) => x.naive);
  const copies = med((x) => x.copies);
  console.log(`\n- same objects, same pool: naive GET + PUT ${naive.toFixed(2)} s vs server-side copies ${copies.toFixed(2)} s → copies ${(naive / copies).toFixed(2)}× as fast`);
  console.log(`- rollback write phase (rollback − read + plan, per round, median): ${writes.toFixed(2)} s = copies + the new release record, pointer and state record`);
  console.log(`- whole rollback ${total.toFixed(2)} s vs a naive restore with the same read pass (${readPlan.toFixed(2)} + ${naive.toFixed(2)} s, records not counted): ${((readPlan + naive) / total).toFixed(2)}×; floor (no-change pass) ${med((x) => x.noChange).toFixed(2)} s`);
  const copiesOnly = backs.every((m) => m.bytes.objectPutBytes === 0 && (m.requests.put ?? 0) === m.bytes.recordPutCount);
  console.log(`- server-side copies only (0 image bytes uploaded; PUTs = the release record, pointer and state record, marked then saved): ${copiesOnly ? 'PASS' : 'FAIL'}`);
  console.log(`- finishes in seconds (< 10 s): median ${total.toFixed(2)} s: ${total < 10 ? 'PASS' : 'FAIL'}`);
}
