import { expect } from 'chai';
import fc from 'fast-check';
import { planRollback, type RollbackInput } from '../../lib/plan/rollback-plan';
import { DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import type { ObjectVersion } from '../../lib/storage/object-store';
import { desired, listed, recordOf, recordsOf, releaseWith } from '../helpers/plan-objects';

const a = desired('album/a/a-small.jpg');
const b = desired('album/b/b-small.jpg');

function rollback(extra: Partial<RollbackInput> & Pick<RollbackInput, 'remote'>): ReturnType<typeof planRollback> {
  return planRollback({ target: releaseWith([a, b]), records: recordsOf([a, b]), archived: new Map(), limits: DEFAULT_DELETE_LIMITS, ...extra });
}
const kinds = (plan: ReturnType<typeof planRollback>) => plan.actions.map((x) => [x.kind, x.key, 'sourceKey' in x ? x.sourceKey : undefined]);
const version = (key: string, versionId: string, etag: string, size = 100): ObjectVersion => ({
  key, versionId, etag, size, lastModified: new Date(0), isLatest: false, deleteMarker: false,
});

describe('planRollback', () => {
  it('does nothing when the bucket already holds the release, bytes and headers', async () => {
    const plan = rollback({ remote: [listed(a.key), listed(b.key)] });
    expect(plan.actions).to.deep.equal([]);
    expect(plan).to.include({ keep: 2, remoteCount: 2 });
    expect(plan.unrecoverable).to.deep.equal([]);
  });

  it('re-headers in place an object whose bytes are right but whose recorded headers are not the release\'s', async () => {
    const records = recordsOf([a, b]).set(a.key, recordOf({ ...a, cacheControl: 'no-store' }));
    expect(kinds(rollback({ remote: [listed(a.key), listed(b.key)], records }))).to.deep.equal([['retag', a.key, undefined]]);
  });

  it('sends an object to inspection when nothing current is recorded of it, instead of guessing', async () => {
    const records = recordsOf([b]); // a: right ETag, but no record says which headers it carries
    const multipart = listed(b.key, 'abc-2'); // b: multipart, and the record names another ETag
    const plan = rollback({ remote: [listed(a.key), multipart], records });
    expect(plan.inspect).to.deep.equal([a.key, b.key]);
    expect(plan.actions).to.deep.equal([]);
  });

  it('copies a missing or changed object back from its archived copy by SHA-256, else by MD5', async () => {
    const archived = new Map([[`_archive/${a.sha256}`, { etag: a.md5, size: 100 }], [`_archive/md5-${b.md5}`, { etag: b.md5, size: 100 }]]);
    const plan = rollback({ remote: [listed(b.key, 'other-md5')], archived });
    expect(kinds(plan)).to.deep.equal([['restore', a.key, `_archive/${a.sha256}`], ['restore', b.key, `_archive/md5-${b.md5}`]]);
    const restoreB = plan.actions[1];
    expect(restoreB && 'remote' in restoreB ? restoreB.remote : undefined).to.deep.equal(listed(b.key, 'other-md5'));
  });

  it('names an object unrecoverable when its archived copy is missing, or holds other bytes', async () => {
    const archived = new Map([[`_archive/${b.sha256}`, { etag: 'not-b', size: 100 }]]);
    const plan = rollback({ remote: [], archived });
    expect(plan.actions).to.deep.equal([]);
    expect(plan.unrecoverable.map((u) => u.key)).to.deep.equal([a.key, b.key]);
    expect(plan.unrecoverable[0]?.reason).to.match(/^no version or archived copy of its bytes \(sha256 sha-album\/a\//);
    expect(plan.unrecoverable[1]?.reason).to.match(/^its archived copy is corrupt: _archive\/sha-album\/b\/b-small\.jpg holds other bytes \(ETag not-b/);
  });

  it('never copies from an archived copy of the wrong size', async () => {
    const archived = new Map([[`_archive/${a.sha256}`, { etag: a.md5, size: 99 }]]);
    const plan = rollback({ target: releaseWith([a]), remote: [], archived });
    expect(plan.actions).to.deep.equal([]);
    expect(plan.unrecoverable[0]?.reason).to.match(/corrupt/);
  });

  it('on a versioned bucket copies back the recorded version, else one holding the release\'s MD5 and size', async () => {
    const target = releaseWith([a, b], { [a.key]: { versionId: 'va-1' } });
    const versions = new Map([
      [a.key, [version(a.key, 'va-2', a.md5), version(a.key, 'va-1', a.md5)]],
      [b.key, [version(b.key, 'vb-3', 'other'), version(b.key, 'vb-2', b.md5, 99), version(b.key, 'vb-1', b.md5)]],
    ]);
    const plan = rollback({ target, remote: [], versions });
    expect(plan.actions.map((x) => [x.key, x.kind === 'restore' ? x.sourceVersionId : undefined])).to.deep.equal([[a.key, 'va-1'], [b.key, 'vb-1']]);
  });

  it('falls back to the archive when no version holds the bytes, even if the recorded version id is listed', async () => {
    const target = releaseWith([a], { [a.key]: { versionId: 'va-1' } });
    const versions = new Map([[a.key, [version(a.key, 'va-1', 'rewritten')]]]);
    const archived = new Map([[`_archive/${a.sha256}`, { etag: a.md5, size: 100 }]]);
    expect(kinds(rollback({ target, remote: [], versions, archived }))).to.deep.equal([['restore', a.key, `_archive/${a.sha256}`]]);
  });

  it('deletes what the release did not have, after restores and re-headers; never under the delete guard\'s refusal', async () => {
    const records = recordsOf([a, b]).set(b.key, recordOf({ ...b, contentType: 'image/png' }));
    const archived = new Map([[`_archive/${a.sha256}`, { etag: a.md5, size: 100 }]]);
    const remote = [listed('album/z/z-small.jpg'), listed(b.key), listed(a.key, 'old')];
    const plan = rollback({ remote, records, archived, limits: { count: 10, percent: 100 } });
    expect(plan.actions.map((x) => x.kind)).to.deep.equal(['restore', 'retag', 'delete']);
    expect(plan.extras.map((e) => e.key)).to.deep.equal(['album/z/z-small.jpg']);
    const refused = rollback({ remote, records, archived, limits: { count: 0, percent: 100 } });
    expect(refused.deleteRefusal).to.match(/max-delete/);
    expect(refused.actions.map((x) => x.kind)).to.deep.equal(['restore', 'retag']);
  });

  it('accounts for every released key exactly once, and every other listed key as an extra', async () => {
    const state = fc.constantFrom('same', 'changed', 'gone', 'retag');
    await fc.assert(fc.asyncProperty(
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), state), fc.uniqueArray(fc.constantFrom('x', 'y', 'z')), fc.boolean(),
      async (targetStates, extraNames, archivedAll) => {
        const objects = Object.keys(targetStates).map((n) => desired(`album/${n}/${n}-small.jpg`));
        const records = recordsOf(objects);
        const remote = objects.flatMap((o) => {
          const s = targetStates[o.key.split('/')[1] as string];
          if (s === 'retag') records.set(o.key, recordOf({ ...o, cacheControl: 'no-store' }));
          return s === 'gone' ? [] : [listed(o.key, s === 'changed' ? 'other' : o.md5)];
        }).concat(extraNames.map((n) => listed(`artist/${n}/${n}-small.jpg`)));
        const archived = new Map(archivedAll ? objects.map((o) => [`_archive/${o.sha256}`, { etag: o.md5, size: o.size }]) : []);
        const plan = planRollback({ target: releaseWith(objects), remote, records, archived, limits: { count: 10, percent: 100 } });
        const accounted = [...plan.actions.filter((x) => x.kind !== 'delete').map((x) => x.key), ...plan.inspect, ...plan.unrecoverable.map((u) => u.key)];
        expect(accounted.length + plan.keep).to.equal(objects.length);
        expect(new Set(accounted).size).to.equal(accounted.length);
        const extras = extraNames.map((n) => `artist/${n}/${n}-small.jpg`).sort();
        expect(plan.extras.map((e) => e.key).sort()).to.deep.equal(extras);
        expect(plan.actions.filter((x) => x.kind === 'delete').map((x) => x.key).sort()).to.deep.equal(extras);
        if (archivedAll) expect(plan.unrecoverable).to.deep.equal([]);
      },
    ), { numRuns: 200 });
  });
});
