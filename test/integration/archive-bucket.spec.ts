import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { resolveEnvironment } from '../../lib/config/environment';
import { readRelease } from '../../lib/releases/release-store';
import { runPull } from '../../lib/restore/run-pull';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { createS3Client, ensureBucket } from '../../lib/storage/s3-client';
import { S3Store } from '../../lib/storage/s3-store';
import { SplitStore } from '../../lib/storage/split-store';
import { isReserved } from '../../lib/bucket/object-scope';
import { spawnGulp } from '../helpers/cli';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { requireCeph } from '../servers/ceph';
import { SyncHarness } from '../support/sync-harness';

const V1 = { 'album/abba/abba-medium.jpg': 'abba medium v1', 'album/bjork/bjork-medium.jpg': 'bjork medium v1' };
const V2 = { 'album/abba/abba-medium.jpg': 'abba medium v2', 'album/dido/dido-small.jpg': 'dido small v2' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function keysOf(store: ObjectStore, prefix?: string): Promise<string[]> {
  return (await listAll(store, { prefix })).map((o) => o.key);
}

for (const server of ['s3rver', 'ceph'] as const) {
  describe(`R2_ARCHIVE_BUCKET: state, releases and archive in a second bucket (${server})`, () => {
    let h: SyncHarness;
    let records: ObjectStore;
    let recordsBucket = '';
    let destroy = () => undefined as void;
    let v1 = '';
    before(async function () { if (server === 'ceph') await requireCeph(this); });
    beforeEach(async () => {
      h = await SyncHarness.start(server);
      const config = { ...h.server.store, bucket: `${h.server.store.bucket}-records` };
      recordsBucket = config.bucket;
      const client = createS3Client(config, { maxAttempts: 2 });
      destroy = () => client.destroy();
      await ensureBucket(client, config.bucket);
      records = new S3Store(client, config);
      h.store = new SplitStore({ store: h.store, bucket: h.server.store.bucket }, { store: records, bucket: config.bucket }, isReserved);
      [v1 = ''] = await h.publish(V1, V2);
    });
    afterEach(async () => { destroy(); await h.close(); });

    it('keeps the images\' bucket to images; archive copies and rollback copies cross buckets server-side', async () => {
      expect((await keysOf(h.direct)).sort()).to.deep.equal(Object.keys(V2).sort());
      const kept = await keysOf(records);
      expect(kept).to.include.members([`_archive/${sha('abba medium v1')}`, `_archive/${sha('bjork medium v1')}`, '_releases/latest.json']);
      expect(kept.some((k) => k.startsWith('_state/'))).to.equal(true);

      h.proxy.reset(); // the proxy sees the images' bucket only
      const back = await h.rollback(v1);
      expect(back.result?.failures).to.deep.equal([]);
      expect(await h.contents()).to.deep.equal(V1);
      expect(h.proxy.counts.put).to.equal(0); // no object bytes uploaded: copies only
      expect(h.proxy.counts.copy).to.equal(2);
      expect(await keysOf(records, '_archive/')).to.include(`_archive/${sha('dido small v2')}`);
      expect((await h.verify({ release: await readRelease(records, v1), manifest: undefined, deep: true })).findings).to.deep.equal([]);
    });

    it('pulls a release whose bytes are in the archive bucket', async () => {
      const dest = await makeTmpDir('pull-split');
      try {
        const outcome = await runPull(h.store, { release: v1, dest, concurrency: 4, quiet: true });
        expect(outcome).to.deep.include({ pulled: 2, failures: [] });
        expect(outcome.manifest.status).to.equal('written');
      } finally {
        await removeTmp(dest);
      }
    });

    if (server === 's3rver') {
      it('from the command line: gulp releases reads the records bucket', async () => {
        const env = {
          S3_ENDPOINT: h.server.store.endpoint, R2_BUCKET_NAME: 'images', R2_ARCHIVE_BUCKET: recordsBucket,
          R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'not-a-secret',
        };
        const listed = await spawnGulp(['releases', '--json', '--silent'], env);
        expect(listed.status, listed.output).to.equal(0);
        expect(JSON.parse(listed.output.trim().split('\n').pop() ?? '{}').total).to.equal(2);
        const unsplit = await spawnGulp(['releases', '--json', '--silent'], { ...env, R2_ARCHIVE_BUCKET: '' });
        expect(JSON.parse(unsplit.output.trim().split('\n').pop() ?? '{}').total).to.equal(0);
      });
    }
  });
}

describe('R2_ARCHIVE_BUCKET switched on for a bucket that already has history (s3rver)', () => {
  let h: SyncHarness;
  let records: ObjectStore;
  let destroy = () => undefined as void;
  let ids: string[] = [];
  let env: Record<string, string> = {};
  beforeEach(async () => {
    h = await SyncHarness.start();
    ids = await h.publish(V1, V2); // history in the images' bucket, as before the switch
    const config = { ...h.server.store, bucket: `${h.server.store.bucket}-records` };
    const client = createS3Client(config, { maxAttempts: 2 });
    destroy = () => client.destroy();
    await ensureBucket(client, config.bucket);
    records = new S3Store(client, config);
    env = { ...h.cliEnv(), R2_ARCHIVE_BUCKET: config.bucket };
  });
  afterEach(async () => { destroy(); await h.close(); });

  it('every command says the history stayed in the images\' bucket; --move-history (dry run first) moves it, checked, and refuses a conflicting archive bucket', async () => {
    const [v1 = ''] = ids;
    const history = (await keysOf(h.direct)).filter(isReserved).sort();
    const listed = await spawnGulp(['releases', '--json', '--silent'], env);
    expect(listed.status, listed.output).to.equal(0);
    expect(listed.output).to.match(/note: R2_ARCHIVE_BUCKET is "images-records", but the images' bucket "images" still holds history there: 2 release record\(s\) under _releases\/ that "images-records" does not have \(it has 0\)[\s\S]*move it with `gulp releases --move-history`/);
    const verify = await spawnGulp(['verify', '--dest', h.dist], env);
    expect(verify.output).to.match(/still holds history there/);

    const dry = await spawnGulp(['releases', '--move-history', '--dry-run'], env);
    expect(dry.status, dry.output).to.equal(0);
    expect(dry.output).to.match(new RegExp(`copy ${history.length} object\\(s\\) .* server-side, each checked by its ETag; 0 already there[\\s\\S]*dry run: nothing was moved`));
    expect((await keysOf(h.direct)).filter(isReserved).sort()).to.deep.equal(history);
    // Each command's own run record goes to the records bucket from the start: it is not history to move.
    const ownRuns = (keys: string[]) => keys.filter((k) => !k.startsWith('_history/runs/'));
    expect(ownRuns(await keysOf(records))).to.deep.equal([]);

    const body = Buffer.from('{"id":"someone-else"}');
    await records.put({ key: '_releases/latest.json', body, md5: createHash('md5').update(body).digest('hex'), contentType: 'application/json', cacheControl: 'no-store', metadata: {} });
    const conflict = await spawnGulp(['releases', '--move-history', '--yes'], env);
    expect(conflict.status).to.not.equal(0);
    expect(conflict.output).to.match(/refused, nothing was moved: "images-records" already holds different objects under 1 of those keys[\s\S]*_releases\/latest\.json/);
    expect((await keysOf(h.direct)).filter(isReserved).sort()).to.deep.equal(history);
    await records.deleteMany(['_releases/latest.json']);

    const etags = new Map((await listAll(h.direct)).map((o) => [o.key, o.etag]));
    const moved = await spawnGulp(['releases', '--move-history', '--yes'], env);
    expect(moved.status, moved.output).to.equal(0);
    expect(moved.output).to.match(new RegExp(`copied ${history.length}, deleted ${history.length} original\\(s\\), 0 failed`));
    expect((await keysOf(h.direct)).filter(isReserved)).to.deep.equal([]);
    const there = (await listAll(records)).filter((o) => history.includes(o.key));
    expect(there.map((o) => o.key).sort()).to.deep.equal(history);
    for (const o of there) expect(o.etag, o.key).to.equal(etags.get(o.key));

    const after = await spawnGulp(['releases', '--json', '--silent'], env);
    expect(after.output).to.not.match(/still holds history/);
    expect(JSON.parse(after.output.trim().split('\n').pop() ?? '{}').total).to.equal(2);
    const back = await spawnGulp(['restore', '--release', v1, '--yes', '--max-delete', '50%'], env);
    expect(back.status, back.output).to.equal(0);
    expect(await h.contents()).to.deep.equal(V1);
  });
});

describe('R2_ARCHIVE_BUCKET settings', () => {
  const base = { S3_ENDPOINT: 'http://127.0.0.1:9', R2_BUCKET_NAME: 'images', R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 'secret' };
  it('is read for every environment and checked: a valid name, not the images\' bucket', async () => {
    expect(resolveEnvironment('staging', { ...base, R2_ARCHIVE_BUCKET: 'images-records' }).archiveBucket).to.equal('images-records');
    expect(resolveEnvironment('development', { R2_ARCHIVE_BUCKET: 'dev-records' }).archiveBucket).to.equal('dev-records');
    expect(resolveEnvironment('staging', base).archiveBucket).to.equal(undefined);
    expect(() => resolveEnvironment('staging', { ...base, R2_ARCHIVE_BUCKET: 'images' })).to.throw(/R2_ARCHIVE_BUCKET is the same bucket as R2_BUCKET_NAME/);
    expect(() => resolveEnvironment('staging', { ...base, R2_ARCHIVE_BUCKET: 'Bad_Name' })).to.throw(/R2_ARCHIVE_BUCKET "Bad_Name" is not a valid bucket name/);
  });
});
