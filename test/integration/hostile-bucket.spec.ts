import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readLatest, readReleasesOrProblems, releaseIds } from '../../lib/releases/release-store';
import { LATEST_KEY, releaseKey, type Release } from '../../lib/releases/release';
import { runPrune } from '../../lib/releases/run-prune';
import { runPull } from '../../lib/restore/run-pull';
import { runVerify } from '../../lib/verify/run-verify';
import { formatVerify, verifyReport } from '../../lib/verify/verify-report';
import type { ObjectStore } from '../../lib/storage/object-store';
import { STATE_KEY } from '../../lib/bucket/state-record';
import { md5Of } from '../../lib/util/hash';
import { spawnGulp } from '../helpers/cli';
import { snapshot } from '../helpers/snapshot';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';
import { HOSTILE_LISTED_KEYS, TAMPERED_RELEASES } from '../support/hostile-bucket';
import { V1, V2 } from '../support/release-states';
import { SyncHarness, usePublished } from '../support/sync-harness';

const V3 = { ...V2, 'album/eno/eno-small.jpg': 'eno small v3' };

async function putText(store: ObjectStore, key: string, text: string): Promise<void> {
  const body = Buffer.from(text);
  await store.put({ key, body, md5: md5Of(body), contentType: 'application/json', cacheControl: 'no-store', metadata: {} });
}

/** The error a call must end in; a call that succeeds fails the test. */
function failure(work: Promise<unknown>): Promise<Error & { hint?: string }> {
  return work.then(() => { throw new Error('expected it to fail, and it succeeded'); }, (error: unknown) => error as Error & { hint?: string });
}

async function readRecord(h: SyncHarness, id: string): Promise<Release> {
  return JSON.parse(await h.text(releaseKey(id))) as Release;
}

// Finding 1 and 4 of [06/10]: a tampered release record was pulled and rolled back to as if it were sound:
// `../victim.txt` was written outside the folder, `_state/…` keys were "restored" over the tool's own records.
describe('hostile bucket: tampered release records are named and refused, never followed', function () {
  this.timeout(60_000);
  const published = usePublished('s3rver', V1, V2);
  let h: SyncHarness;
  let v1 = '';
  let v2 = '';
  let outside = '';
  beforeEach(async () => {
    ({ h, ids: [v1 = '', v2 = ''] } = published);
    outside = await makeTmpDir('hostile-outside');
    await writeAt(outside, 'victim.txt', 'precious');
  });
  afterEach(async () => { await removeTmp(outside); });

  for (const tampering of TAMPERED_RELEASES) {
    it(`${tampering.name}: pull and rollback refuse the record by name; nothing is written anywhere`, async () => {
      await putText(h.direct, releaseKey(v1), tampering.tamper(await readRecord(h, v1)));
      const dest = join(outside, 'pulled', 'deep');
      const bucketBefore = await h.contents();
      const stateBefore = (await h.head(STATE_KEY))?.etag;
      const before = snapshot(outside);

      const pulled = await failure(runPull(h.store, { release: v1, dest, concurrency: 4, quiet: true }));
      expect(pulled.message).to.contain(`_releases/${v1}.json: `).and.match(tampering.says);
      const rolled = await failure(h.rollback(v1));
      expect(rolled.message).to.contain(`_releases/${v1}.json: `).and.match(tampering.says);

      expect(snapshot(outside)).to.deep.equal(before);
      expect(await h.contents()).to.deep.equal(bucketBefore);
      expect((await h.head(STATE_KEY))?.etag).to.equal(stateBefore);
      const read = await readReleasesOrProblems(h.store, [v2, v1]);
      expect(read[0]).to.have.property('objects');
      expect(read[0]).to.have.property('id', v2);
      expect(read[1]).to.have.property('problem').that.match(tampering.says);
    });
  }

  it('a record whose id is not its key\'s is refused (a copy of another release cannot stand in for it)', async () => {
    await putText(h.direct, releaseKey(v1), JSON.stringify(await readRecord(h, v2)));
    const error = await failure(h.rollback(v1));
    expect(error.message).to.equal(`_releases/${v1}.json: records release ${v2}, not ${v1}`);
  });
});

describe('hostile bucket: a damaged latest pointer stops writers before they write; a restore mends it', function () {
  this.timeout(60_000);
  const published = usePublished('s3rver', V1, V2);
  let h: SyncHarness;
  let v1 = '';
  beforeEach(async () => { ({ h, ids: [v1 = ''] } = published); });

  const damages: [string, string, RegExp][] = [
    ['not JSON', '{"id": ', /^_releases\/latest\.json: is not valid JSON/],
    ['an id that is a path', '{"id":"../../etc/passwd","createdAt":"2026-11-28T12:00:00.000Z"}', /^_releases\/latest\.json: id is not a release id/],
    ['too big to be a pointer', `{"id":"${'x'.repeat(100_000)}"}`, /^_releases\/latest\.json: is 100009 bytes: more than any record of ours/],
    ['a release that does not exist', '{"id":"20261128T120000.000Z-0badc0de","createdAt":"2026-11-28T12:00:00.000Z"}',
      /^the latest pointer names release 20261128T120000\.000Z-0badc0de, but release 20261128T120000\.000Z-0badc0de is not in the bucket/],
  ];
  for (const [name, text, says] of damages) {
    it(`${name}: sync refuses with the fix named and changes nothing; restore <id> makes a release the latest again`, async () => {
      await putText(h.direct, LATEST_KEY, text);
      const bucketBefore = await h.contents();
      await h.writeDist(V3);
      const refused = await failure(h.sync({ delete: true, limits: { count: 100, percent: 100 } }));
      expect(refused.message).to.match(says);
      expect(refused.hint).to.contain('gulp restore <id> --yes');
      expect(await h.contents()).to.deep.equal(bucketBefore);

      const restored = await h.rollback(v1);
      expect(restored.release?.restoredFrom).to.equal(v1);
      expect((await readLatest(h.store)).pointer?.id).to.equal(restored.release?.id);
      expect(await h.contents()).to.deep.equal(V1);
      const synced = await h.sync({ delete: true, limits: { count: 100, percent: 100 } });
      expect(synced.release?.parent).to.equal(restored.release?.id);
      expect(await h.contents()).to.deep.equal(V3);
    });
  }

  it('`gulp releases` lists the readable releases, names each bad record and stray key, and exits 1', async () => {
    await putText(h.direct, releaseKey(v1), '[]');
    await putText(h.direct, '_releases/zzzz.json', '{}');
    const { status, output } = await spawnGulp(['releases'], h.cliEnv());
    expect(status, output).to.equal(1);
    expect(output).to.match(/\* \d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8} /); // the latest, still listed
    expect(output, output).to.contain(`x _releases/${v1}.json: is not a release record`);
    expect(output).to.contain('x "_releases/zzzz.json" is not a release record (ignored)');
    expect(output).to.not.match(/TypeError|at .*\.ts:\d+/);
  });
});

// Prune deleted the real second-newest release when a record was named to sort first.
describe('hostile bucket: prune keeps history by parent links, not by key names', function () {
  this.timeout(60_000);
  const published = usePublished('s3rver', V1, V2, V3);
  it('a record named far in the future is not counted as history, nor deleted; a stray key is left alone', async () => {
    const { h, ids: [v1 = '', v2 = '', v3 = ''] } = published;
    const fakeId = '99991231T235959.999Z-deadbeef';
    await putText(h.direct, releaseKey(fakeId), JSON.stringify({ ...(await readRecord(h, v1)), id: fakeId }));
    await putText(h.direct, '_releases/zzzz.json', '{}');
    const outcome = await runPrune(h.store, { keep: 2, limits: { count: 100, percent: 100 }, dryRun: false, concurrency: 4, graceMs: 0 });
    expect(outcome.plan.kept).to.include.members([v3, v2]);
    expect(outcome.plan.dropped).to.deep.equal([v1]);
    expect(await releaseIds(h.direct)).to.deep.equal([v3, v2]);
    expect(await h.head(releaseKey(fakeId))).to.not.equal(null);
    expect(await h.head('_releases/zzzz.json')).to.not.equal(null);
    const listed = await spawnGulp(['releases'], h.cliEnv());
    expect(listed.output).to.contain(`x "_releases/${fakeId}.json" is dated 9999-12-31T23:59:59.999Z, in the future: not a record of ours (ignored)`);
  });
});

describe('hostile bucket: listed keys that are never images of ours', function () {
  this.timeout(60_000);
  let h: SyncHarness;
  const WIDER = { ...V1, ...V3 }; // enough images that deleting the planted keys is not most of the bucket
  beforeEach(async () => { h = await SyncHarness.start(); await h.publish(WIDER); });
  afterEach(async () => { await h.close(); });

  it('verify names the non-NFC twin an extra and counts the keys that are never ours as unmanaged, past the tool\'s own prefixes; sync --delete removes only the twin', async () => {
    for (const { key } of HOSTILE_LISTED_KEYS) await putText(h.direct, key, 'planted');
    // One key per page: the listing must jump over _archive/, _releases/ and _state/ without skipping _foo/.
    const paged: ObjectStore = Object.assign(Object.create(h.store) as ObjectStore, { list: (o?: object) => h.store.list({ ...o, pageSize: 1 }) });
    const verified = await h.verify({ ...{}, quiet: true });
    const viaPages = await runVerify(paged, {
      manifest: JSON.parse(await readFile(join(h.dist, 'images.json'), 'utf8')), cacheControl: 'public, max-age=60', scope: {}, deep: false, concurrency: 4, quiet: true,
    });
    const extras = HOSTILE_LISTED_KEYS.filter((k) => k.extra);
    const unmanaged = HOSTILE_LISTED_KEYS.filter((k) => !k.extra);
    for (const outcome of [verified, viaPages]) {
      const found = new Map(outcome.findings.filter((f) => f.kind === 'extra').map((f) => [f.key, f.reason]));
      expect([...found.keys()]).to.deep.equal(extras.map((k) => k.key));
      for (const { key, says } of extras) expect(found.get(key), key).to.match(says);
      expect(outcome.unmanaged).to.deep.include({ total: unmanaged.length, other: unmanaged.length });
      expect([...outcome.unmanaged.examples].sort()).to.deep.equal(unmanaged.map((k) => k.key).sort());
      // Named in reports, never raw: control characters print as `?`.
      const shown = formatVerify(verifyReport(outcome, { environment: 'test', bucket: 'images', mode: { deep: false, public: false } }));
      expect(shown).to.not.match(/[\u0000-\u0009\u000b-\u001f]/);
      for (const { says } of unmanaged.slice(0, 3)) expect(shown).to.match(says);
    }
    const synced = await h.sync({ delete: true, limits: { count: 100, percent: 100 } });
    expect(synced.plan.actions.filter((a) => a.kind === 'delete').map((a) => a.key)).to.deep.equal(extras.map((k) => k.key));
    for (const { key } of unmanaged) expect(await h.head(key), key).to.not.equal(null);
    expect(Object.keys(await h.contents()).sort()).to.deep.equal([...Object.keys(WIDER), ...unmanaged.map((k) => k.key).filter((k) => !k.startsWith('_'))].sort());
  });

  it('the embedded bucket refuses a key with a .. segment (400), and writes no file outside its folder', async () => {
    const error = await failure(putText(h.direct, 'album/../../escaped.txt', 'x'));
    expect(error.message).to.match(/put album\/\.\.\/\.\.\/escaped\.txt failed: .*HTTP 400/);
    const parent = dirname(h.server.directory);
    expect((await readdir(parent)).filter((name) => name.includes('escaped'))).to.deep.equal([]);
  });
});
