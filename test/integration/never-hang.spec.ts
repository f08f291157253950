import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnGulp } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { differencesFromRelease, latestRelease } from '../support/bucket-checks';
import { SyncHarness } from '../support/sync-harness';

// Finding 1 of [05/10]: a proxy that answered the first image PUT with 503 SlowDown made `gulp sync`
// upload the rest and never exit: the throttle halved the limiter, the phase ran out of work, and the
// workers parked above the limit never returned. A single CopyObject 503 hung `gulp restore` the same way.
const FILES: Record<string, string> = {};
for (let i = 0; i < 64; i += 1) FILES[`album/a${i}/a${i}-small.jpg`] = `cover ${i} `.repeat(20 + i);

describe('one throttled request never hangs a run', function () {
  this.timeout(60_000);
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(FILES);
  });
  afterEach(async () => { await h.close(); });

  it('sync: a 503 SlowDown on the first image PUT is retried, and the run ends with every object and a release', async () => {
    h.proxy.faults.push({ op: 'put', key: /^album\//, action: 503, times: 1 });
    const outcome = await withDeadline(h.sync({ concurrency: 16 }), 20_000, 'sync after one 503');
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(outcome.result?.completed.create).to.equal(64);
    expect(h.limiter.current).to.be.below(16); // the throttle was seen by the run's limiter
    const latest = await latestRelease(h.direct);
    expect(latest?.id).to.equal(outcome.release?.id);
    expect(await differencesFromRelease(h.direct, latest as never)).to.deep.equal([]);
  });

  it('restore: a 503 on the first CopyObject is retried, and the rollback ends with the bucket at the release', async () => {
    const [v1] = await h.publish(FILES, { ...FILES, 'album/a0/a0-small.jpg': 'changed', 'album/a1/a1-small.jpg': 'changed too' });
    h.proxy.faults.push({ op: 'copy', action: 503, times: 1 });
    const outcome = await withDeadline(h.rollback(v1 as string, { concurrency: 16 }), 20_000, 'restore after one 503');
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal(FILES);
  });

  // Found by the random fault schedules: the SDK's requestTimeout only logged a warning, so an answer that
  // never came hung the run for good. Every request now has a deadline, and is retried past it.
  it('an answer that never comes is given up at the request deadline and retried: sync and deep verify end', async () => {
    await h.close();
    h = await SyncHarness.start('s3rver', { requestTimeout: 1000 });
    await h.writeDist(FILES);
    h.proxy.faults.push({ op: 'put', key: /^album\//, action: 'stall', times: 1 }, { op: 'get', key: /^album\//, action: 'stall', times: 1 });
    const outcome = await withDeadline(h.sync({ concurrency: 16 }), 20_000, 'sync after a stalled PUT');
    expect(outcome.result?.failures).to.deep.equal([]);
    const deep = await withDeadline(h.verify({ deep: true }), 20_000, 'deep verify after a stalled GET');
    expect(deep.unreadable).to.deep.equal([]);
    expect(h.proxy.faults.every((f) => f.times === 0)).to.equal(true);
  });

  // Found by the attacker's trial of [08/10]: the deadlines bounded an answer's start and each silence, so an
  // answer trickled a byte at a time (never silent, never whole) held a command for as long as the store liked.
  it('a listing or a PUT answer trickled a byte at a time is given up at its whole-answer deadline and retried: sync ends', async () => {
    await h.close();
    h = await SyncHarness.start('s3rver', { requestTimeout: 500 });
    await h.writeDist(FILES);
    h.proxy.faults.push({ op: 'list', action: 'trickle-body', times: 1 }, { op: 'put', key: /^album\//, action: 'trickle-body', times: 1 });
    const started = Date.now();
    const outcome = await withDeadline(h.sync({ concurrency: 16 }), 20_000, 'sync after trickled answers');
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(outcome.result?.completed.create).to.equal(64);
    expect(h.proxy.faults.every((f) => f.times === 0)).to.equal(true);
    expect(Date.now() - started, 'each trickle cut at about 1 s, not read to its end').to.be.below(15_000);
  });

  // Found by trying to break [05/10]: a 429 asking for an hour parked the run for an hour.
  it('a Retry-After longer than the retry cap is waited only up to the cap, and the run ends', async () => {
    h.proxy.faults.push({ op: 'put', key: /^album\//, action: 429, retryAfter: 3600, times: 1 });
    const outcome = await withDeadline(h.sync({ concurrency: 16 }), 15_000, 'sync after a 429 with Retry-After: 3600');
    expect(outcome.result?.failures).to.deep.equal([]);
  });

  // Found by trying to break [05/10]: the lean reader behind verify --deep and restore --pull ignored
  // Retry-After, and its one deadline covered the whole response, so a large body read slowly but
  // steadily was cut off and retried until it failed.
  it('reads back: a GET answered 503 with Retry-After waits as asked before it asks again', async () => {
    await h.sync();
    const asked: number[] = [];
    h.proxy.onRequest = (op, key) => { if (op === 'get' && key === 'album/a7/a7-small.jpg') asked.push(Date.now()); };
    h.proxy.faults.push({ op: 'get', key: /^album\/a7\//, action: 503, retryAfter: 2, times: 1 });
    const deep = await withDeadline(h.verify({ deep: true }), 20_000, 'deep verify after a 503 with Retry-After: 2');
    expect(deep.unreadable).to.deep.equal([]);
    expect(asked).to.have.length(2);
    expect((asked[1] as number) - (asked[0] as number)).to.be.at.least(1900);
  });

  it('reads back: a body that keeps coming is read to its end past the request deadline; one that goes silent is read again', async () => {
    await h.close();
    h = await SyncHarness.start('s3rver', { requestTimeout: 1000 });
    await h.writeDist(FILES);
    await h.sync();
    const gets = new Map<string, number>();
    h.proxy.onRequest = (op, key) => { if (op === 'get') gets.set(key, (gets.get(key) ?? 0) + 1); };
    // 8 pieces 300 ms apart: 2.4 s in all, never 1 s without data.
    h.proxy.faults.push({ op: 'get', key: /^album\/a3\//, action: 'slow-body', times: 1 }, { op: 'get', key: /^album\/a5\//, action: 'stall-body', times: 1 });
    const deep = await withDeadline(h.verify({ deep: true }), 20_000, 'deep verify with a slow and a silent body');
    expect(deep.unreadable).to.deep.equal([]);
    expect(deep.findings).to.deep.equal([]);
    expect(gets.get('album/a3/a3-small.jpg')).to.equal(1);
    expect(gets.get('album/a5/a5-small.jpg')).to.equal(2);
  });

  // And `verify --public` fetched with no deadline of its own: a public host that never answered took five minutes.
  it('verify --public gives up on a public host that never answers, or trickles, at the request deadline', async () => {
    await h.sync();
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer(() => undefined); // accepts, never answers
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '1000000' });
      const timer = setInterval(() => res.write('x'), 200);
      res.on('close', () => clearInterval(timer));
    });
    for (const server of [silent, trickle]) server.on('connection', (socket) => { sockets.add(socket); });
    try {
      for (const server of [silent, trickle]) {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/images`;
        const outcome = await withDeadline(h.verify({ publicBase: base, sample: 5, requestTimeout: 500 }), 15_000, 'verify --public');
        expect(outcome.publicProblems.length).to.be.greaterThan(0);
        expect(outcome.publicProblems.every((p) => p.kind === 'public-wrong' && /no whole answer within 0.5 s/.test(p.reason))).to.equal(true);
        // Timeouts are problems, not latencies: counted apart from the percentiles.
        expect(outcome.public?.latency).to.deep.include({ count: 0, timedOut: outcome.checked.public, p95Ms: undefined });
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      for (const server of [silent, trickle]) server.close();
    }
  });

  it('from the command line: `gulp sync --env production` through a proxy that throttles the first image PUT exits 0', async () => {
    h.proxy.faults.push({ op: 'put', key: /^album\//, action: 503, retryAfter: 0, times: 1 });
    const run = await spawnGulp(['sync', '--env', 'production', '--dest', h.dist], h.cliEnv('proxy'), 30_000);
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.match(/sync: 64 created/);
    expect(await differencesFromRelease(h.direct, await latestRelease(h.direct) as never)).to.deep.equal([]);
  });
});
