import { expect } from 'chai';
import fc from 'fast-check';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { folderHistory } from '../../lib/history/history-place';
import { readHistory } from '../../lib/history/read-history';
import { recordRun } from '../../lib/history/record-run';
import { rollUpHistory, type RollUpLimits } from '../../lib/history/roll-up';
import { RunTracker } from '../../lib/history/run-tracker';
import type { RunRecord } from '../../lib/history/types';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

/**
 * Generated histories (fast-check): runs recorded in random months, hostile objects dropped among them
 * (junk JSON, a batch with a negative count, a month file claiming other runs, names that are not ours),
 * and roll-ups at random moments with small limits. Invariants: nothing throws; a roll-up never deletes
 * what it did not write or cannot parse; every run recorded within the kept months is read back exactly
 * once or counted in its month's `dropped` totals, whose class A requests add up to what was recorded;
 * after a roll-up no batch is left and at most `keepMonths` months are kept.
 * HISTORY_PROP_RUNS scales it; HISTORY_PROP_SEED (and HISTORY_PROP_PATH) replays.
 */
const RUNS = Number(process.env.HISTORY_PROP_RUNS ?? 200);
const SEED = process.env.HISTORY_PROP_SEED ? { seed: Number(process.env.HISTORY_PROP_SEED), path: process.env.HISTORY_PROP_PATH } : undefined;
const LIMITS: RollUpLimits = { keepMonths: 3, maxRunsPerMonth: 3 };
const NOW = Date.UTC(2026, 11, 20);
const DAY = 86_400_000;

type Step =
  | { kind: 'record'; daysAgo: number; classA: number; command: 'sync' | 'verify' }
  | { kind: 'hostile'; name: string; text: string }
  | { kind: 'rollUp'; daysAgo: number };

const hostileText = fc.oneof(
  fc.constant('not json'), fc.constant('[]'), fc.constant('{"version":1,"runs":[{"id":"../../x"}]}'),
  fc.json(), fc.constant('{"version":1,"month":"2026-12","runs":[],"dropped":{"runs":-1,"requests":{"classA":0,"classB":0,"free":0},"costUsd":0}}'),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('record' as const), daysAgo: fc.integer({ min: 0, max: 100 }), classA: fc.integer({ min: 0, max: 50 }), command: fc.constantFrom('sync' as const, 'verify' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hostile' as const), name: fc.constantFrom('runs/evil.json', 'runs/x.json', 'months/2026-12.json.bak', 'months/zz.json', 'months/1999-01.txt'), text: hostileText }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rollUp' as const), daysAgo: fc.integer({ min: 0, max: 40 }) }) },
);

const monthOf = (time: number) => new Date(time).toISOString().slice(0, 7);
function keptFrom(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - (LIMITS.keepMonths - 1), 1)).toISOString().slice(0, 7);
}

describe('generated run histories: roll-ups keep every run once, stay bounded and delete only their own', function () {
  this.timeout(120_000);

  it(`${RUNS} histories of records, hostile objects and roll-ups`, async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const dir = await makeTmpDir('history-prop');
      try {
        const place = folderHistory(dir);
        const recorded: RunRecord[] = [];
        const foreign = new Map<string, string>();
        let oldestKept = '0000-00';
        let serial = 0;
        for (const s of steps) {
          if (s.kind === 'record') {
            serial += 1;
            const tracker = new RunTracker(s.command, 'production', new Date(NOW - s.daysAgo * DAY + serial));
            for (let i = 0; i < s.classA; i += 1) tracker.meter.count('PutObject');
            const run = tracker.finish({ ok: true }, new Date(NOW), false);
            recorded.push(run);
            await recordRun(place, run);
          } else if (s.kind === 'hostile') {
            if ([...foreign.keys()].includes(s.name)) continue;
            await mkdir(join(dir, s.name.split('/')[0] ?? ''), { recursive: true });
            await writeFile(join(dir, s.name), s.text);
            foreign.set(s.name, s.text);
          } else {
            const now = NOW - s.daysAgo * DAY;
            const result = await rollUpHistory(place, new Date(now), LIMITS);
            expect(result.conflicts).to.deep.equal([]);
            oldestKept = keptFrom(now) > oldestKept ? keptFrom(now) : oldestKept;
            const left = (await readdir(join(dir, 'runs')).catch(() => [])).filter((n) => !foreign.has(`runs/${n}`));
            expect(left, 'batches left after a roll-up').to.deep.equal([]);
            const months = (await readdir(join(dir, 'months')).catch(() => [])).filter((n) => !foreign.has(`months/${n}`));
            expect(months.length).to.be.at.most(LIMITS.keepMonths + 1); // a roll-up at an earlier "now" may keep one month more
          }
        }
        for (const [name, text] of foreign) expect(await readFile(join(dir, name), 'utf8'), `${name} untouched`).to.equal(text);
        const { runs } = await readHistory(place);
        const ids = runs.map((r) => r.id);
        expect(new Set(ids).size, 'no run twice').to.equal(ids.length);
        const byMonth = new Map<string, RunRecord[]>();
        for (const r of recorded) byMonth.set(monthOf(Date.parse(r.time)), [...(byMonth.get(monthOf(Date.parse(r.time))) ?? []), r]);
        for (const [month, list] of byMonth) {
          if (month < oldestKept) continue; // expired with its month
          const file = await readFile(join(dir, 'months', `${month}.json`), 'utf8').then((t) => JSON.parse(t) as { dropped: { runs: number; requests: { classA: number } } }, () => undefined);
          const read = runs.filter((r) => monthOf(Date.parse(r.time)) === month);
          const dropped = file?.dropped ?? { runs: 0, requests: { classA: 0 } };
          expect(read.length + dropped.runs, `${month}: runs read back or dropped`).to.equal(list.length);
          expect(read.reduce((sum, r) => sum + r.requests.classA, 0) + dropped.requests.classA, `${month}: class A adds up`)
            .to.equal(list.reduce((sum, r) => sum + r.requests.classA, 0));
        }
      } finally {
        await removeTmp(dir);
      }
    }), { numRuns: RUNS, ...SEED });
  });
});
