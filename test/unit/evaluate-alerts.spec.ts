import { expect } from 'chai';
import { archiveGrowth } from '../../lib/alerts/archive-growth';
import { evaluateAlerts } from '../../lib/alerts/evaluate-alerts';
import { DEFAULT_ALERT_THRESHOLDS, type RunRecord } from '../../lib/history/types';
import { runAt, storage } from '../helpers/run-record';

const GB = 1e9;
const thresholds = DEFAULT_ALERT_THRESHOLDS;
const now = new Date('2026-03-20T12:00:00Z');

function alertsOf(runs: RunRecord[], current?: RunRecord, at = now) {
  return evaluateAlerts({ runs, current, thresholds, environment: 'production', now: at });
}

/** Two quiet months: steady syncs, a fast verify, the archive growing no faster than the images. */
function quietHistory(): RunRecord[] {
  return [
    runAt({ time: '2026-01-10T00:00:00Z', requests: { classA: 2000, classB: 500 }, writes: { attempted: 1000, failed: 0, bytes: 1, deleted: 0 } }),
    runAt({ time: '2026-02-10T00:00:00Z', requests: { classA: 2000, classB: 500 }, writes: { attempted: 1000, failed: 0, bytes: 1, deleted: 0 } }),
    runAt({ time: '2026-03-01T00:00:00Z', command: 'verify', requests: { classA: 1, classB: 100 }, storage: storage({ count: 100, bytes: 1 * GB }, 0.1 * GB) }),
    runAt({ time: '2026-03-10T00:00:00Z', requests: { classA: 1500, classB: 100 }, writes: { attempted: 1000, failed: 0, bytes: 1, deleted: 0 } }),
    runAt({ time: '2026-03-15T00:00:00Z', command: 'verify', requests: { classA: 1, classB: 100 }, storage: storage({ count: 110, bytes: 1.2 * GB }, 0.2 * GB),
      publicLatency: { count: 20, p50Ms: 80, p95Ms: 400, maxMs: 900 } }),
    runAt({ time: '2026-03-16T00:00:00Z', command: 'build', environment: null }),
  ];
}

describe('evaluate alerts: the seed\'s thresholds over the run history', () => {
  it('raises nothing for a quiet history', async () => {
    expect(alertsOf(quietHistory())).to.deep.equal([]);
  });

  it('build-failure: the current build failed, an error with the run id', async () => {
    const build = runAt({ time: '2026-03-20T11:00:00Z', command: 'build', environment: null, ok: false, error: { code: 'E_SOURCE', message: '3 sources failed' } });
    const [alert] = alertsOf(quietHistory(), build);
    expect(alert).to.deep.include({ kind: 'build-failure', severity: 'error', run: build.id });
    expect(alert!.message).to.include('E_SOURCE: 3 sources failed');
    expect(alert!.hint).to.match(/gulp build/);
  });

  it('failed-writes: exactly 5 % does not alert, 5.1 % does', async () => {
    const writes = (failed: number) => runAt({ time: '2026-03-20T11:00:00Z', requests: { classA: 100 }, writes: { attempted: 1000, failed, bytes: 1, deleted: 0 } });
    expect(alertsOf(quietHistory(), writes(50))).to.deep.equal([]);
    const run = writes(51);
    const alerts = alertsOf(quietHistory(), run);
    expect(alerts).to.have.length(1);
    expect(alerts[0]).to.deep.include({ kind: 'failed-writes', severity: 'error', run: run.id });
    expect(alerts[0]!.message).to.include('51 of 1,000 writes failed (5.1 %, over 5 %)');
    // Without a current run, the newest writing run of the history is judged.
    expect(alertsOf([...quietHistory(), run]).map((a) => a.kind)).to.deep.equal(['failed-writes']);
  });

  it('cost-spike: this month\'s projected class A operations over 150 % of the previous months\' average, named with the figures', async () => {
    // 2,000 a month before; 2,501 by day 10 of 31 projects to 7,753, past the 3,000 limit.
    const runs = [...quietHistory(), runAt({ time: '2026-03-05T00:00:00Z', requests: { classA: 1000 } })];
    const [alert] = alertsOf(runs, undefined, new Date('2026-03-11T00:00:00Z'));
    expect(alert).to.deep.include({ kind: 'cost-spike', severity: 'warning' });
    expect(alert!.message).to.match(/^class A operations this month \(projected\): 7,753, over 150 % of the previous 2 month\(s\)' average 2,000 \(limit 3,000\)$/);
  });

  it('cost-spike: before day 7 only a month-to-date figure already over the limit alerts', async () => {
    const early = new Date('2026-03-03T00:00:00Z');
    const runs = (classA: number) => [
      ...quietHistory().filter((r) => r.time < '2026-03'),
      runAt({ time: '2026-03-02T00:00:00Z', requests: { classA } }),
    ];
    // 2,000 by day 2 projects to 31,000, but is not over 3,000 yet.
    expect(alertsOf(runs(2000), undefined, early)).to.deep.equal([]);
    const [alert] = alertsOf(runs(3001), undefined, early);
    expect(alert!.message).to.match(/^class A operations this month so far: 3,001, over 150 %/);
  });

  it('cost-spike: a run\'s class A requests over 150 % of earlier runs of its command, never under the 1,000 floor', async () => {
    const history = [
      runAt({ time: '2026-03-02T00:00:00Z', command: 'verify', requests: { classA: 10 } }),
      runAt({ time: '2026-03-03T00:00:00Z', command: 'verify', requests: { classA: 10 } }),
    ];
    const at = new Date('2026-03-04T12:00:00Z');
    const tiny = runAt({ time: '2026-03-04T00:00:00Z', command: 'verify', requests: { classA: 999 } });
    expect(alertsOf(history, tiny, at)).to.deep.equal([]);
    const big = runAt({ time: '2026-03-04T00:00:00Z', command: 'verify', requests: { classA: 1000 } });
    const [alert] = alertsOf(history, big, at);
    expect(alert).to.deep.include({ kind: 'cost-spike', run: big.id });
    expect(alert!.message).to.equal('class A requests of this verify: 1,000, over 150 % of the average 10 of the 2 earlier verify run(s) (limit 15)');
  });

  it('cdn-slow: a verify whose public p95 is over slowP95Ms', async () => {
    const verify = (p95Ms: number) => runAt({ time: '2026-03-20T11:00:00Z', command: 'verify', publicLatency: { count: 50, p50Ms: 300, p95Ms, maxMs: 4000 } });
    expect(alertsOf(quietHistory(), verify(2000))).to.deep.equal([]);
    const [alert] = alertsOf(quietHistory(), verify(2001));
    expect(alert).to.deep.include({ kind: 'cdn-slow', severity: 'warning' });
    expect(alert!.message).to.include('2,001 ms at p95 (over 2,000 ms');
  });

  it('archive-growth: the archive outgrew the images between two listings in the window', async () => {
    const runs = [
      ...quietHistory(),
      runAt({ time: '2026-03-19T00:00:00Z', command: 'verify', storage: storage({ count: 110, bytes: 1.1 * GB }, 0.5 * GB) }),
    ];
    // Oldest in the window (March 1): images 1 GB, archive 0.1 GB; newest: images 1.1 GB (+0.1), archive 0.5 GB (+0.4).
    const [alert] = alertsOf(runs);
    expect(alert).to.deep.include({ kind: 'archive-growth', run: runs[runs.length - 1]!.id });
    expect(alert!.message).to.include('the archive grew 400 MB from 2026-03-01 to 2026-03-19').and.include('1 × the images\' growth of 100 MB');
    expect(alert!.hint).to.match(/^gulp prune --keep <n>/);
    // One listing in the window: nothing to compare.
    expect(alertsOf(runs, undefined, new Date('2026-04-16T00:00:00Z')).filter((a) => a.kind === 'archive-growth')).to.deep.equal([]);
  });

  it('archive-growth: not for an archive under a tenth of the images, nor for listings less than a day apart', async () => {
    const at = (time: string, images: number, archive: number) => runAt({ time, command: 'cost', storage: storage({ count: 10, bytes: images }, archive) });
    const small = [at('2026-03-01T00:00:00Z', 1e9, 0), at('2026-03-10T00:00:00Z', 1e9, 0.09e9)];
    expect(archiveGrowth(small, DEFAULT_ALERT_THRESHOLDS, 'production', new Date('2026-03-11T00:00:00Z'))).to.deep.equal([]);
    const sameDay = [at('2026-03-10T00:00:00Z', 1e9, 0), at('2026-03-10T20:00:00Z', 1e9, 0.5e9)];
    expect(archiveGrowth(sameDay, DEFAULT_ALERT_THRESHOLDS, 'production', new Date('2026-03-11T00:00:00Z'))).to.deep.equal([]);
    const grown = [at('2026-03-01T00:00:00Z', 1e9, 0), at('2026-03-10T00:00:00Z', 1e9, 0.2e9)];
    expect(archiveGrowth(grown, DEFAULT_ALERT_THRESHOLDS, 'production', new Date('2026-03-11T00:00:00Z'))).to.have.length(1);
  });

  it('takes each threshold from the config', async () => {
    const run = runAt({ time: '2026-03-20T11:00:00Z', writes: { attempted: 100, failed: 2, bytes: 1, deleted: 0 } });
    const alerts = evaluateAlerts({ runs: quietHistory(), current: run, thresholds: { ...thresholds, failedWritesPercent: 1 }, environment: 'production', now });
    expect(alerts.map((a) => a.kind)).to.deep.equal(['failed-writes']);
  });
});
