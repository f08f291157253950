import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { PRUNED_KEY } from '../../lib/releases/pruned-record';
import { releaseIds } from '../../lib/releases/release-store';
import { runPrune, type PruneOptions } from '../../lib/releases/run-prune';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { spawnGulp } from '../helpers/cli';
import { SyncHarness } from '../support/sync-harness';

const V1 = { 'album/a/a-small.jpg': 'a1', 'album/b/b-small.jpg': 'b1', 'album/c/c-small.jpg': 'c1' };
const V2 = { ...V1, 'album/a/a-small.jpg': 'a2' };
const V3 = { 'album/a/a-small.jpg': 'a3', 'album/b/b-small.jpg': 'b2' };
const V4 = { ...V3, 'album/b/b-small.jpg': 'b3', 'album/d/d-small.jpg': 'd1' }; // v3's b2 now lives only in the archive
const archived = (text: string) => `_archive/${createHash('sha256').update(text).digest('hex')}`;

async function bucketKeys(h: SyncHarness): Promise<string[]> {
  return (await listAll(h.direct)).map((o) => o.key);
}

describe('gulp prune --keep n against s3rver', () => {
  let h: SyncHarness;
  let ids: string[] = [];
  const prune = (options: Partial<PruneOptions> = {}) => runPrune(h.store, {
    keep: 2, limits: { count: 100, percent: 100 }, dryRun: false, concurrency: 4, graceMs: 0, ...options,
  });
  beforeEach(async () => {
    h = await SyncHarness.start();
    ids = await h.publish(V1, V2, V3, V4);
  });
  afterEach(async () => { await h.close(); });

  it('keeps every archived copy the kept releases need: both still roll back byte for byte', async () => {
    const [v1 = '', v2 = '', v3 = '', v4 = ''] = ids;
    const outcome = await prune();
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(outcome.plan.kept).to.deep.equal([v4, v3]);
    expect(outcome.plan.dropped).to.deep.equal([v2, v1]);
    expect(outcome.plan.archiveDeletes.map((o) => o.key)).to.include.members([archived('a1'), archived('a2'), archived('b1'), archived('c1')]);
    expect(outcome.plan.archiveDeletes).to.have.length(6); // those four, and the manifests of v1 and v2
    const keys = await bucketKeys(h);
    for (const text of ['a1', 'a2', 'b1', 'c1']) expect(keys).to.not.include(archived(text));
    expect(keys).to.include(archived('b2'));
    expect(await releaseIds(h.direct)).to.deep.equal([v4, v3]);

    expect((await h.rollback(v3)).result?.failures).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal(V3);
    expect((await h.rollback(v4)).result?.failures).to.deep.equal([]);
    expect(await h.contents()).to.deep.equal(V4);
    const gone = await h.rollback(v1).catch((error: unknown) => error) as { message: string; hint?: string };
    expect(gone.message).to.match(new RegExp(`release ${v1} was pruned on \\d{4}-\\d\\d-\\d\\dT[^ ]+ \\(gulp prune --keep 2\\)`));
    expect(gone.hint).to.match(/restore one of the 4 release\(s\) still recorded instead \(newest first: \S+, \S+, \S+, \S+; `gulp releases` lists them\)/);
    const never = await h.rollback('20200101T000000.000Z-00000000').catch((error: unknown) => error);
    expect(String(never)).to.match(/release 20200101T000000.000Z-00000000 is not in the bucket/);
  });

  it('a dry run plans and deletes nothing; its real twin deletes exactly that plan; a rerun has nothing to do', async () => {
    const before = await bucketKeys(h);
    const dry = await prune({ dryRun: true });
    expect(dry.result).to.equal(undefined);
    expect(await bucketKeys(h)).to.deep.equal(before);
    const real = await prune();
    expect(real.plan.actions.map((a) => a.key)).to.deep.equal(dry.plan.actions.map((a) => a.key));
    expect((await bucketKeys(h)).sort()).to.deep.equal([...before.filter((k) => !dry.plan.actions.some((a) => a.key === k)), PRUNED_KEY].sort());
    expect((await prune()).plan.actions).to.deep.equal([]);
  });

  // From the new user's trial: a sync published while a prune waited for its confirmation, and the prune
  // deleted a release its printed plan had said it would keep.
  it('deletes only what was confirmed: a release published meanwhile makes nothing more go, and says how many were left', async () => {
    const [, v2 = '', v3 = '', v4 = ''] = ids;
    const shown = await prune({ dryRun: true }); // keeps v4 and v3
    await h.writeDist({ ...V4, 'album/new/new-small.jpg': 'published meanwhile' });
    const v5 = (await h.sync({ delete: true, limits: { count: 100, percent: 100 } })).release?.id ?? '';
    const outcome = await prune({ confirmed: new Set(shown.plan.actions.map((a) => a.key)) });
    expect(outcome.result?.failures).to.deep.equal([]);
    expect(outcome.unconfirmed).to.be.greaterThan(0); // v3's record (now beyond --keep 2) and what only it needed
    expect(await releaseIds(h.direct)).to.deep.equal([v5, v4, v3]);
    expect(outcome.result?.deleted).to.include(`_releases/${v2}.json`);
    expect(outcome.result?.deleted).to.not.include(`_releases/${v3}.json`);
  });

  // Found reading the change back: the chain walk took a parent that an earlier prune removed (E_PRUNED) for damage.
  it('a later prune keeping more than an earlier one walks up to the pruned parent and stops there', async () => {
    const [, , , v4 = ''] = ids;
    await prune({ keep: 1 });
    const more = await prune({ keep: 3 });
    expect(more.plan.kept).to.deep.equal([v4]);
    expect(more.plan.dropped).to.deep.equal([]);
    expect(await releaseIds(h.direct)).to.deep.equal([v4]);
  });

  it('over the delete cap it deletes nothing; copies younger than the grace period are kept', async () => {
    const before = await bucketKeys(h);
    const capped = await prune({ limits: { count: 3, percent: 100 } });
    expect(capped.plan.deleteRefusal).to.match(/refused to delete 8 object\(s\)/);
    expect(capped.result).to.equal(undefined);
    expect(await bucketKeys(h)).to.deep.equal(before);
    const graced = await prune({ graceMs: 3_600_000 });
    expect(graced.plan.archiveDeletes).to.deep.equal([]);
    expect(graced.plan.inGrace).to.have.length(6);
    expect(graced.result?.deleted).to.have.length(2); // only the two release records
  });

  it('a release record that could not be deleted keeps its archived copies (records go first)', async () => {
    const before = await bucketKeys(h);
    const failing: ObjectStore = Object.create(h.store, { // every delete of a record or a copy is denied (the lock is given back)
      deleteMany: { value: async (keys: readonly string[]) => (keys[0] === '_state/lock.json' ? h.store.deleteMany(keys)
        : { deleted: [], failed: keys.map((key) => ({ key, reason: 'AccessDenied' })) }) },
    });
    const outcome = await runPrune(failing, { keep: 2, limits: { count: 100, percent: 100 }, dryRun: false, concurrency: 4, graceMs: 0 });
    expect(outcome.result?.failures.map((f) => f.key)).to.deep.equal(outcome.plan.dropped.map((id) => `_releases/${id}.json`));
    expect(outcome.result?.stopped).to.match(/archived copies kept: 2 release record\(s\) could not be deleted/);
    expect(await bucketKeys(h)).to.deep.equal(before);
  });

  it('from the command line: --dry-run prints the plan, applying needs --yes off a terminal', async () => {
    const env = { S3_ENDPOINT: h.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'not-a-secret' };
    const dry = await spawnGulp(['prune', '--keep', '3', '--dry-run'], env);
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/prune: keep 3 release\(s\) .*; delete 1 older release record\(s\) and 0 archived copies/);
    expect(dry.output).to.match(/kept as younger than the grace period[\s\S]*dry run: nothing was deleted/);
    const refused = await spawnGulp(['prune', '--keep', '3'], env);
    expect(refused.status).to.not.equal(0);
    expect(refused.output).to.match(/not applying the prune without --yes/);
    expect(await releaseIds(h.direct)).to.have.length(4);
    const applied = await spawnGulp(['prune', '--keep', '3', '--yes', '--max-delete', '100%'], env);
    expect(applied.status, applied.output).to.equal(0);
    expect(await releaseIds(h.direct)).to.have.length(3);
    const missing = await spawnGulp(['prune'], env);
    expect(missing.status).to.not.equal(0);
    expect(missing.output).to.match(/gulp prune needs --keep <n>/);
  });

  it('from the command line with the default cap: a dry run exits 0, the applied prune prints its plan once, and restoring a pruned release says it was pruned', async () => {
    const env = h.cliEnv();
    const [v1 = '', , v3 = '', v4 = ''] = ids;
    const dry = await spawnGulp(['prune', '--keep', '2', '--dry-run'], env);
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(/delete 2 older release record\(s\)[\s\S]*dry run: nothing was deleted/);
    expect(dry.output).to.not.match(/incomplete|refused/);
    const applied = await spawnGulp(['prune', '--keep', '2', '--yes'], env);
    expect(applied.status, applied.output).to.equal(0);
    expect(applied.output.match(/prune: keep 2 release\(s\)/g)).to.have.length(1);
    expect(applied.output).to.match(/prune: deleted 2 object\(s\)/);
    expect(await releaseIds(h.direct)).to.deep.equal([v4, v3]);
    const restore = await spawnGulp(['restore', '--release', v1, '--yes'], env);
    expect(restore.status).to.not.equal(0);
    expect(restore.output).to.match(new RegExp(`release ${v1} was pruned on \\S+ \\(gulp prune --keep 2\\)`));
    expect(restore.output).to.include(`gulp restore --release ${v4}`);
    expect(restore.output).to.not.match(/not in the bucket/);
    const again = await spawnGulp(['prune', '--keep', '2'], env);
    expect(again.status, again.output).to.equal(0);
    expect(again.output).to.match(/nothing to prune/);
  });
});
