import fc from 'fast-check';
import { startS3rverProcess, type S3rverProcess } from '../servers/s3rver-process';
import { histories, type History } from '../support/history-arbitraries';
import { HistoryWorld } from '../support/history-world';
import { requireServer, type ServerKind } from '../support/sync-harness';

/**
 * Generated command histories (fast-check): random edits and builds, syncs, repairs, rollbacks, rebuilds,
 * prunes, damage behind the tool's back, and kills at random points (in-process for most, SIGKILL of a
 * forked worker for some). The invariants are in history-world.ts: the bucket is the latest release after
 * every completed writing command; every listed release stays restorable; every command ends.
 * HISTORY_RUNS / HISTORY_KILL9_RUNS / HISTORY_CEPH_RUNS scale it (npm run test:soak). A failure prints its
 * seed and path: HISTORY_SEED=<seed> HISTORY_PATH=<path> replays exactly that history (in one lane).
 */
const RUNS = Number(process.env.HISTORY_RUNS ?? 176);
const KILL9_RUNS = Number(process.env.HISTORY_KILL9_RUNS ?? 30);
const CEPH_RUNS = Number(process.env.HISTORY_CEPH_RUNS ?? 4);
const REPLAY = process.env.HISTORY_SEED ? { seed: Number(process.env.HISTORY_SEED), path: process.env.HISTORY_PATH } : undefined;
/** Histories run two at a time: while one waits on the server, the other computes. */
const LANES = REPLAY ? 1 : 2;

export interface Tally { sequences: number; steps: number; killed: number; sigkilled: number; restores: number; pairs: number; pairsOk: number }

async function runHistory(server: ServerKind, history: History, tally: Tally, shared?: S3rverProcess): Promise<void> {
  const world = await HistoryWorld.start(server, shared);
  try {
    for (const step of history.steps) await world.apply(step);
    await world.restoreOne(history.restorePick);
    tally.sequences += 1;
    tally.steps += history.steps.length;
    tally.killed += world.kills.inProcess;
    tally.sigkilled += world.kills.sigkill;
    tally.restores += world.restoresChecked;
    tally.pairs += world.overlaps.pairs;
    tally.pairsOk += world.overlaps.bothOk;
  } finally {
    await world.close();
  }
}

function suite(title: string, server: ServerKind, runs: number, withKill9: boolean): void {
  describe(title, function () {
    this.timeout(0); // every step has its own deadline (history-world.ts)
    const tally: Tally = { sequences: 0, steps: 0, killed: 0, sigkilled: 0, restores: 0, pairs: 0, pairsOk: 0 };
    let shared: S3rverProcess | undefined;
    before(async function () {
      await requireServer(this, server);
      if (server === 's3rver') shared = await startS3rverProcess();
    });
    after(async () => {
      await shared?.close();
      if (tally.sequences > 0) {
        process.stdout.write(`      ${tally.sequences} histories, ${tally.steps} steps; commands killed part-way: ${tally.killed} in-process, `
          + `${tally.sigkilled} by SIGKILL; ${tally.pairs} pairs of writers at once (${tally.pairsOk} both ended well); `
          + `${tally.restores} real restores checked byte for byte\n`);
      }
    });
    it(`${runs} random histories keep every invariant`, async () => {
      const property = fc.asyncProperty(histories({ withKill9 }), (history) => runHistory(server, history, tally, shared));
      const seed = REPLAY?.seed ?? Date.now() ^ (Math.random() * 0x7fffffff);
      await Promise.all(Array.from({ length: LANES }, (_, lane) => fc.assert(property, {
        numRuns: Math.ceil(runs / LANES), seed: seed + lane, path: REPLAY?.path,
      })));
    });
  });
}

suite('generated histories, killed in-process at random requests, against s3rver', 's3rver', RUNS, false);
suite('generated histories with a SIGKILLed worker, against s3rver', 's3rver', KILL9_RUNS, true);
suite('generated histories against Ceph radosgw', 'ceph', CEPH_RUNS, false);
