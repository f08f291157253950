import fc from 'fast-check';
import { histories, type History } from '../support/history-arbitraries';
import { HistoryWorld } from '../support/history-world';
import { requireServer, type ServerKind } from '../support/sync-harness';

/**
 * Generated command histories (fast-check): random edits and builds, syncs, repairs, rollbacks, rebuilds,
 * prunes, damage behind the tool's back, and kills at random points (in-process for most, SIGKILL of a
 * forked worker for some). The invariants are in history-world.ts: the bucket is the latest release after
 * every completed writing command; every listed release stays restorable; every command ends.
 * HISTORY_RUNS / HISTORY_KILL9_RUNS / HISTORY_CEPH_RUNS scale it (npm run test:soak); a failure prints
 * its seed and path: rerun with HISTORY_SEED=<seed> HISTORY_PATH=<path> to replay it.
 */
const RUNS = Number(process.env.HISTORY_RUNS ?? 200);
const KILL9_RUNS = Number(process.env.HISTORY_KILL9_RUNS ?? 24);
const CEPH_RUNS = Number(process.env.HISTORY_CEPH_RUNS ?? 4);
const replay = process.env.HISTORY_SEED ? { seed: Number(process.env.HISTORY_SEED), path: process.env.HISTORY_PATH } : {};

interface Tally { sequences: number; steps: number; kills: number; restores: number }

async function runHistory(server: ServerKind, history: History, tally: Tally): Promise<void> {
  const world = await HistoryWorld.start(server);
  try {
    for (const step of history.steps) {
      await world.apply(step);
      if (step.kind === 'write' && (step.crashAt !== undefined || step.kill9 !== undefined)) tally.kills += 1;
    }
    await world.restoreOne(history.restorePick);
    tally.sequences += 1;
    tally.steps += history.steps.length;
    tally.restores += world.restoresChecked;
  } finally {
    await world.close();
  }
}

function suite(title: string, server: ServerKind, runs: number, withKill9: boolean): void {
  describe(title, function () {
    this.timeout(0); // each step has its own deadline (history-world.ts)
    const tally: Tally = { sequences: 0, steps: 0, kills: 0, restores: 0 };
    before(async function () { await requireServer(this, server); });
    after(() => {
      if (tally.sequences > 0) {
        process.stdout.write(`      ${tally.sequences} histories, ${tally.steps} steps, ${tally.kills} killed part-way, ${tally.restores} real restores checked\n`);
      }
    });
    it(`${runs} random histories keep every invariant`, async () => {
      await fc.assert(fc.asyncProperty(histories({ withKill9 }), (history) => runHistory(server, history, tally)), { numRuns: runs, ...replay });
    });
  });
}

suite('generated histories, killed in-process at random requests, against s3rver', 's3rver', RUNS, false);
suite('generated histories with a SIGKILLed worker, against s3rver', 's3rver', KILL9_RUNS, true);
suite('generated histories against Ceph radosgw', 'ceph', CEPH_RUNS, false);
