import { expect } from 'chai';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bucketHistory } from '../../lib/history/history-place';
import { RunTracker } from '../../lib/history/run-tracker';
import type { RunRecord } from '../../lib/history/types';
import { spawnGulp } from '../helpers/cli';
import { makeWorkspace, removeTmp, type Workspace } from '../helpers/tmp';
import { WebhookReceiver } from '../servers/webhook-receiver';
import { SyncHarness } from '../support/sync-harness';

interface Delivered { text: string; content: string; alerts: { kind: string; severity: string; message: string }[] }

/** A run of the past, as the history would hold it. */
function pastRun(time: Date, command: RunRecord['command'], figures: Partial<RunRecord>): RunRecord {
  const tracker = new RunTracker(command, 'development', time);
  return { ...tracker.finish({ ok: true }, time, false), ...figures };
}

describe('alerts from the command line: each provoked once, delivered as exit status, GitHub annotations, step summary and webhook', function () {
  let receiver: WebhookReceiver;
  let ws: Workspace;
  let summary: string;
  let h: SyncHarness | undefined;
  beforeEach(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    ws = await makeWorkspace('alerts');
    summary = join(ws.root, 'summary.md');
  });
  afterEach(async () => { await receiver.close(); await h?.close(); h = undefined; await removeTmp(ws.root); });

  const actions = () => ({ ALERT_WEBHOOK_URL: receiver.url, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, REPORTS_DIR: join(ws.root, 'reports') });
  const delivered = (): Delivered[] => receiver.delivered.map((body) => JSON.parse(body) as Delivered);
  const kinds = () => delivered().flatMap((d) => d.alerts.map((a) => a.kind));

  it('build failure: at once, as an error annotation, in the step summary and to the webhook, and the build exits non-zero', async () => {
    await mkdir(join(ws.src, 'album', 'broken'), { recursive: true });
    await writeFile(join(ws.src, 'album', 'broken', 'broken-hi-res.jpg'), '<html>not an image</html>');
    h = await SyncHarness.start();
    const env = { ...h.cliEnv(), ...actions() };
    const run = await spawnGulp(['build', '--src', ws.src, '--dest', ws.dest, '--cache-dir', ws.cache], env);
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/::error title=build-failure::build \d{8}T\d{6}\.\d{3}Z-build-[0-9a-f]{8} failed \(E_/);
    // The alert names the file itself: in Slack or the step summary nothing is "listed above".
    expect(delivered()[0]?.alerts[0]?.message).to.match(/album\/broken\/broken-hi-res\.jpg \(/);
    // The dashboard made in the same job (before a sync carried the build up) shows it, still open.
    const report = await spawnGulp(['report'], env);
    expect(report.status, report.output).to.equal(0);
    expect(report.output).to.match(/alert \(still open\): build .* failed/);
    expect(kinds()).to.deep.equal(['build-failure']);
    expect(delivered()[0]?.text).to.match(/build-failure|failed/);
    expect(await readFile(summary, 'utf8')).to.match(/### Alerts[\s\S]*build-failure/);
    expect(run.output).to.not.include(receiver.path);
  });

  it('failed writes over 5 %: an error, and the sync exits non-zero', async () => {
    h = await SyncHarness.start();
    await h.writeDist({ 'album/a/a-medium.jpg': 'a', 'album/b/b-medium.jpg': 'b' });
    h.proxy.faults.push({ op: 'put', key: /^album\/a\//, action: 400, times: 10_000 });
    const run = await spawnGulp(['sync', '--dest', h.dist], { ...h.cliEnv('proxy'), ...actions() });
    expect(run.status).to.not.equal(0);
    expect(run.output, run.output).to.match(/::error title=failed-writes::sync .*: 1 of 2 writes failed \(50 %25, over 5 %25\)/); // % escaped as GitHub asks
    expect(kinds()).to.deep.equal(['failed-writes']);
  });

  it('a slow CDN (verify --public p95 over the threshold): a warning only, verify still exits 0', async () => {
    h = await SyncHarness.start();
    await h.writeDist({ 'album/a/a-medium.jpg': 'a' });
    const config = join(ws.root, 'assets.config.json');
    await writeFile(config, JSON.stringify({ cdn: { slowP95Ms: 1 } }));
    const env = { ...h.cliEnv(), ...actions(), ASSETS_CONFIG: config, R2_PUBLIC_DOMAIN: h.server.publicBase ?? '' };
    expect((await spawnGulp(['sync', '--dest', h.dist], env)).status).to.equal(0);
    // The bucket's CORS rule, so that the only finding left is the latency's warning.
    // (setup itself fails here on "records private": this bucket's public base serves _state/, which is not what is tested)
    expect((await spawnGulp(['setup'], env)).output).to.match(/✓ CORS: applied/);
    h.proxy.reset();
    const run = await spawnGulp(['verify', '--dest', h.dist, '--public'], { ...env, R2_PUBLIC_DOMAIN: `${h.proxy.endpoint}/${h.server.store.bucket}` });
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.match(/::warning title=cdn-slow::/);
    expect(kinds()).to.deep.equal(['cdn-slow']);
  });

  it('a cost spike and an archive outgrowing the images: judged on the history by gulp report, warnings delivered', async () => {
    h = await SyncHarness.start();
    const env = { ...h.cliEnv(), ...actions() };
    await h.writeDist({ 'album/a/a-medium.jpg': 'a v1' });
    expect((await spawnGulp(['sync', '--dest', h.dist], env)).status).to.equal(0);
    await h.writeDist({ 'album/a/a-medium.jpg': 'a v2, which archives v1' });
    expect((await spawnGulp(['sync', '--dest', h.dist], env)).status).to.equal(0);
    const now = new Date();
    const monthsAgo = (n: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 10));
    const requests = (classA: number) => ({ classA, classB: 0, free: 0, byOperation: { PutObject: classA } });
    const past = [
      pastRun(monthsAgo(2), 'sync', { requests: requests(100) }),
      pastRun(monthsAgo(1), 'sync', { requests: requests(100) }),
      pastRun(new Date(now.getTime() - 60_000), 'sync', { requests: requests(5_000) }),
      // A listing ten days ago: the images were larger than now and the archive empty, so the archive grew while the images did not.
      pastRun(new Date(now.getTime() - 10 * 86_400_000), 'cost', {
        storage: { images: { count: 1, bytes: 1_000_000 }, archive: { count: 0, bytes: 0 }, records: { count: 1, bytes: 100 } },
      }),
    ];
    for (const run of past) await bucketHistory(h.direct).write('runs', `${run.id}.json`, { version: 1, runs: [run] }, 'absent');
    const report = await spawnGulp(['report'], env);
    expect(report.status, report.output).to.equal(0);
    expect(report.output).to.match(/::warning title=cost-spike::.*class A/);
    expect(report.output).to.match(/::warning title=archive-growth::/);
    expect(kinds().sort()).to.deep.equal(['archive-growth', 'cost-spike']);
    expect(await readFile(summary, 'utf8')).to.match(/### Dashboard \(development\)/);
  });
});
