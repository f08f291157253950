import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { spawnGulp } from '../helpers/cli';
import { CACHE, SyncHarness } from '../support/sync-harness';

const V1 = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/abba/abba-small.jpg': 'abba small',
  'album/bjork/bjork-medium.jpg': 'bjork medium v1',
};
const V2 = {
  'album/abba/abba-medium.jpg': 'abba medium v2', // changed
  'album/abba/abba-small.jpg': 'abba small',
  'album/dido/dido-small.jpg': 'dido small v2', // added; bjork deleted
};

describe('gulp verify after a rollback, with dist/ still at the newer build (s3rver)', () => {
  let h: SyncHarness;
  let rollback = '';
  let v1 = '';
  beforeEach(async () => {
    h = await SyncHarness.start();
    [v1 = ''] = await h.publish(V1, V2); // dist/ holds V2
    rollback = (await h.rollback(v1)).release?.id ?? '';
  });
  afterEach(async () => { await h.close(); });

  it('says the bucket is at the rollback release and what `gulp sync` would do, never "corrupt" nor a repair that undoes it', async () => {
    const run = await spawnGulp(['verify', '--dest', h.dist], h.cliEnv());
    expect(run.status, run.output).to.not.equal(0); // the bucket does not hold the build
    // The harness synced with max-age=60 and the CLI's development build wants max-age=300: the unchanged object differs in headers only.
    expect(run.output).to.include(`the bucket is at release ${rollback} (a rollback to ${v1}), which differs from the build in 4 object(s); `
      + '`gulp sync --delete` would upload 2, re-header 1 and delete 1, undoing the rollback');
    expect(run.output).to.match(/4 as the bucket's latest release records them, 0 missing, 0 corrupt, 0 stale headers, 0 extra/);
    expect(run.output).to.not.match(/^\s+corrupt\s/m);
    expect(run.output).to.not.match(/verify --repair/);
    expect(await h.contents()).to.deep.equal(V1); // verify changed nothing
  });

  // From the new user's trial: after a sync stopped part-way (Ctrl-C) following a rollback, verify still said
  // the bucket was at the rollback release while the sync's uploads were there.
  it('does not say the bucket is at the release while a stopped run\'s changes are in it (the state record is marked)', async () => {
    h.proxy.faults.push({ op: 'put', key: /^album\/dido\//, action: 500, times: 10_000 });
    const stopped = await h.sync({ delete: true, limits: { count: 100, percent: 100 } }).catch(() => undefined);
    h.proxy.reset();
    expect(stopped?.result?.failures.length ?? 1).to.be.greaterThan(0);
    const outcome = await h.verify();
    expect(outcome.atRelease).to.equal(undefined);
    expect(outcome.findings.length).to.be.greaterThan(0);
  });

  it('an object that matches neither the build nor the release stays corrupt, beside the rollback note', async () => {
    const body = Buffer.from('written behind the tool');
    await h.direct.put({
      key: 'album/abba/abba-small.jpg', body, md5: createHash('md5').update(body).digest('hex'), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {},
    });
    const outcome = await h.verify();
    expect(outcome.atRelease?.keys).to.have.members(['album/abba/abba-medium.jpg', 'album/bjork/bjork-medium.jpg', 'album/dido/dido-small.jpg']);
    const run = await spawnGulp(['verify', '--dest', h.dist], h.cliEnv());
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/^\s+corrupt\s+album\/abba\/abba-small\.jpg/m);
    expect(run.output).to.not.match(/^\s+corrupt\s+album\/abba\/abba-medium\.jpg/m);
    expect(run.output).to.include(`1 other problem(s) match neither the build nor that release: \`gulp restore --release ${rollback}\``);
  });
});
