import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readRelease } from '../../lib/releases/release-store';
import { listAll } from '../../lib/storage/object-store';
import { parseAt } from '../../lib/restore/state-at';
import { spawnGulp } from '../helpers/cli';
import { requireCeph } from '../servers/ceph';
import { SyncHarness } from '../support/sync-harness';
import { V1, V2 } from '../support/release-states';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function keysOf(h: SyncHarness, prefix: string): Promise<string[]> {
  return (await listAll(h.direct, { prefix })).map((o) => o.key);
}

describe('gulp restore --at <time> on a bucket without versioning: the release that was the latest then', () => {
  let h: SyncHarness;
  let v1 = '';
  let v2 = '';
  let beforeV1 = new Date();
  let between = new Date();
  beforeEach(async () => {
    h = await SyncHarness.start();
    beforeV1 = new Date(Date.now() - 1000);
    [v1 = ''] = await h.publish(V1);
    await pause(20);
    between = new Date();
    await pause(20);
    [v2 = ''] = await h.publish(V2);
  });
  afterEach(async () => { await h.close(); });

  it('picks v1 between the two syncs and v2 after; before the first release is a clear error', async () => {
    expect((await h.rollback({ at: between }, { dryRun: true })).target.id).to.equal(v1);
    expect((await h.rollback({ at: new Date() }, { dryRun: true })).target.id).to.equal(v2);
    const early = await h.rollback({ at: beforeV1 }, { dryRun: true }).catch((error: { message: string; hint?: string }) => error);
    expect((early as Error).message).to.match(/no release was recorded at or before/);
    expect((early as { hint?: string }).hint).to.match(new RegExp(`the first release is ${v1}`));
    const applied = await h.rollback({ at: between });
    expect(applied.result?.failures).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal(V1);
  });

  it('parses only ISO 8601 times with a zone, never in the future', async () => {
    expect(parseAt('2026-11-28T12:00:00Z').toISOString()).to.equal('2026-11-28T12:00:00.000Z');
    expect(parseAt('2026-11-28T13:00:00+01:00').toISOString()).to.equal('2026-11-28T12:00:00.000Z');
    expect(() => parseAt('2026-11-28 12:00')).to.throw(/not an ISO 8601 time with a zone/);
    expect(() => parseAt('2026-11-28T12:00:00')).to.throw(/not an ISO 8601 time with a zone/);
    expect(() => parseAt('2999-01-01T00:00:00Z')).to.throw(/in the future/);
  });

  it('from the command line: --at with --dry-run shows the plan to v1 and changes nothing', async () => {
    const env = h.cliEnv();
    const dry = await spawnGulp(['restore', '--at', between.toISOString(), '--dry-run', '--max-delete', '10,100%'], env);
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(new RegExp(`restore to ${v1}`));
    expect(dry.output).to.match(/dry run: nothing was changed/);
    expect(await h.contents()).to.deep.equal(V2);
    const both = await spawnGulp(['restore', '--at', between.toISOString(), '--release', v1], env);
    expect(both.status).to.not.equal(0);
    expect(both.output).to.match(/give --release or --at, not both/);
  });
});

describe('native versioning on Ceph radosgw: version ids instead of archive copies', () => {
  let h: SyncHarness;
  let v1 = '';
  let v2 = '';
  let between = new Date();
  before(async function () { await requireCeph(this); });
  beforeEach(async () => {
    h = await SyncHarness.start('ceph', { versioned: true });
    [v1 = ''] = await h.publish(V1);
    await pause(1100); // versions' times must fall on both sides of `between`
    between = new Date();
    await pause(1100);
    [v2 = ''] = await h.publish(V2);
  });
  afterEach(async () => { await h.close(); });

  it('a sync archives nothing and records each object\'s version id', async () => {
    expect(await keysOf(h, '_archive/')).to.have.length(2); // only the two image manifests: no image archived
    const release = await readRelease(h.direct, v2);
    for (const [key, o] of Object.entries(release.objects)) {
      expect(o.versionId, key).to.be.a('string');
      expect((await h.head(key))?.versionId, key).to.equal(o.versionId);
    }
    const first = await readRelease(h.direct, v1);
    expect(release.objects['album/abba/abba-small.jpg']?.versionId).to.equal(first.objects['album/abba/abba-small.jpg']?.versionId);
  });

  it('restore --release v1 copies from the recorded versions, byte for byte, then forward to v2', async () => {
    h.proxy.reset();
    const back = await h.rollback(v1);
    expect(back.result?.failures).to.deep.equal([]);
    expect(back.plan.actions.map((a) => [a.kind, a.key, a.kind === 'restore' && Boolean(a.sourceVersionId)])).to.deep.equal([
      ['restore', 'album/abba/abba-medium.jpg', true], ['restore', 'album/bjork/bjork-medium.jpg', true], ['delete', 'album/dido/dido-small.jpg', false],
    ]);
    // Writer lock, state record (marked first, saved last), release record, pointer: no image bytes. The state
    // record and the pointer are If-Match PUTs, and Ceph 16 answers 412 to any If-Match PUT on a versioned
    // bucket, so each is sent again once the object is seen unchanged: 1 + 2 + 2 + 1 + 2.
    expect(h.proxy.counts.put).to.equal(8);
    expect(await h.contents()).to.deep.equal(V1);
    for (const [key, text] of Object.entries(V1)) expect((await h.head(key))?.etag, key).to.equal(md5(text));
    expect((await h.verify({ release: await readRelease(h.direct, v1), manifest: undefined, deep: true })).findings).to.deep.equal([]);
    expect(await keysOf(h, '_archive/')).to.have.length(2); // still no archive copies

    await h.rollback('previous');
    expect(await h.contents()).to.deep.equal(V2); // dido came back from its version behind the delete marker
  });

  it('--at a time between the syncs restores the versions current then; its dry run changes nothing', async () => {
    const dry = await h.rollback({ at: between }, { dryRun: true });
    expect(dry.result).to.equal(undefined);
    expect(await h.contents()).to.deep.equal(V2);
    const real = await h.rollback({ at: between });
    expect(real.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal(dry.plan.actions.map((a) => [a.kind, a.key]));
    expect(real.result?.failures).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal(V1); // bjork back from behind its delete marker, dido gone
    expect(real.release?.restoredFrom).to.match(/versions at/);
    expect((await h.head('album/bjork/bjork-medium.jpg'))?.cacheControl).to.equal('public, max-age=60');
    expect((await h.rollback({ at: between })).plan.actions).to.deep.equal([]); // a rerun has nothing to do
  });
});
