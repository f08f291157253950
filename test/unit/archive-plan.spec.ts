import { expect } from 'chai';
import fc from 'fast-check';
import { archiveNeeds, holds, withArchives } from '../../lib/plan/archive-plan';
import type { SyncAction, SyncPlan } from '../../lib/plan/sync-plan';
import { desired, listed, recordOf, recordsOf } from '../helpers/plan-objects';

const a = desired('album/a/a-small.jpg');
const b = desired('album/b/b-small.jpg');

function planOf(actions: SyncAction[]): SyncPlan {
  return { actions, keep: 0, inspect: [], extras: [], remoteCount: actions.length };
}
const copiesOf = (plan: SyncPlan, records = recordsOf([a, b])) => [...archiveNeeds(plan, records).copies];

describe('archiveNeeds', () => {
  it('archives what an update, a delete or a restore would overwrite, by its recorded SHA-256', async () => {
    const plan = planOf([
      { kind: 'update', key: a.key, local: desired(a.key, 'new'), remote: listed(a.key) },
      { kind: 'delete', key: b.key, remote: listed(b.key) },
    ]);
    expect(copiesOf(plan)).to.deep.equal([
      [`_archive/${a.sha256}`, { sourceKey: a.key, expect: { etag: a.md5, size: 100 } }],
      [`_archive/${b.sha256}`, { sourceKey: b.key, expect: { etag: b.md5, size: 100 } }],
    ]);
  });

  it('names the copy by the listed MD5 when the record no longer describes the object (replaced behind the tool\'s back)', async () => {
    const plan = planOf([{ kind: 'restore', key: a.key, sourceKey: `_archive/x`, local: a, remote: listed(a.key, 'foreign-md5', 7) }]);
    expect(copiesOf(plan)).to.deep.equal([['_archive/md5-foreign-md5', { sourceKey: a.key, expect: { etag: 'foreign-md5', size: 7 } }]]);
  });

  it('names a foreign multipart object by its ETag, and a recorded one by its SHA-256', async () => {
    const records = recordsOf([a]).set(b.key, recordOf(b, 'abc-3'));
    const plan = planOf([
      { kind: 'delete', key: a.key, remote: listed(a.key, 'def-2') },
      { kind: 'delete', key: b.key, remote: listed(b.key, 'abc-3') },
    ]);
    expect(copiesOf(plan, records).map(([key]) => key)).to.deep.equal(['_archive/etag-def-2', `_archive/${b.sha256}`]);
  });

  it('archives nothing for creates, re-headers, damaged updates and restores of a key that is gone', async () => {
    const plan = planOf([
      { kind: 'create', key: a.key, local: a },
      { kind: 'retag', key: b.key, local: b, remote: listed(b.key) },
      { kind: 'update', key: a.key, local: a, remote: listed(a.key, 'broken'), damaged: true },
      { kind: 'restore', key: b.key, sourceKey: `_archive/${b.sha256}`, local: b },
    ] as SyncAction[]);
    expect(copiesOf(plan)).to.deep.equal([]);
  });

  it('makes one copy of bytes that two keys share', async () => {
    const twin = desired('album/c/c-small.jpg', a.md5, { sha256: a.sha256 });
    const plan = planOf([{ kind: 'delete', key: a.key, remote: listed(a.key) }, { kind: 'delete', key: twin.key, remote: listed(twin.key, a.md5) }]);
    expect(copiesOf(plan, recordsOf([a, twin]))).to.deep.equal([[`_archive/${a.sha256}`, { sourceKey: a.key, expect: { etag: a.md5, size: 100 } }]]);
  });
});

describe('holds and withArchives', () => {
  it('trusts an archived copy only with the expected size and (single-part) ETag', async () => {
    expect(holds({ etag: 'm', size: 5 }, { etag: 'm', size: 5 })).to.equal(true);
    expect(holds(undefined, { etag: 'm', size: 5 })).to.equal(false);
    expect(holds({ etag: 'm', size: 4 }, { etag: 'm', size: 5 })).to.equal(false);
    expect(holds({ etag: 'other', size: 5 }, { etag: 'm', size: 5 })).to.equal(false);
    expect(holds({ etag: 'other', size: 5 }, { etag: 'abc-2', size: 5 })).to.equal(true); // a copy of a multipart object has its own ETag
  });

  it('puts archive copies in front, skipping contents already rightly archived and replacing a corrupt copy', async () => {
    const plan = planOf([
      { kind: 'delete', key: a.key, remote: listed(a.key) },
      { kind: 'delete', key: b.key, remote: listed(b.key) },
    ]);
    const archived = new Map([[`_archive/${a.sha256}`, { etag: a.md5, size: 100 }], [`_archive/${b.sha256}`, { etag: 'rotten', size: 100 }]]);
    const result = withArchives(plan, archiveNeeds(plan, recordsOf([a, b])), archived);
    expect(result.actions.map((x) => [x.kind, x.key])).to.deep.equal([['archive', `_archive/${b.sha256}`], ['delete', a.key], ['delete', b.key]]);
    expect(result.actions[0]).to.deep.include({ sourceKey: b.key, expect: { etag: b.md5, size: 100 } });
  });

  it('every key losing its bytes has an archive copy of them, before anything is written', async () => {
    const object = fc.record({ n: fc.integer({ min: 0, max: 6 }), md5: fc.constantFrom('m1', 'm2', 'm3'), kind: fc.constantFrom('update', 'delete', 'create', 'retag') });
    await fc.assert(fc.asyncProperty(fc.uniqueArray(object, { selector: (o) => o.n, maxLength: 7 }), fc.boolean(), async (objects, recorded) => {
      const actions = objects.map(({ n, md5, kind }): SyncAction => {
        const key = `album/k${n}/k${n}-small.jpg`;
        const remote = listed(key, md5, 10);
        if (kind === 'create') return { kind, key, local: desired(key) };
        if (kind === 'delete') return { kind, key, remote };
        return { kind: kind as 'update' | 'retag', key, local: desired(key), remote };
      });
      const records = new Map(recorded ? objects.map(({ n, md5 }) => [`album/k${n}/k${n}-small.jpg`, { etag: md5, sha256: `sha-${md5}`, headersHash: 'h' }]) : []);
      const plan = withArchives(planOf(actions), archiveNeeds(planOf(actions), records), new Map());
      const firstWrite = plan.actions.findIndex((x) => x.kind !== 'archive');
      expect(plan.actions.slice(firstWrite === -1 ? plan.actions.length : firstWrite).every((x) => x.kind !== 'archive')).to.equal(true);
      const archivedEtags = new Set(plan.actions.flatMap((x) => (x.kind === 'archive' ? [x.expect.etag] : [])));
      for (const o of objects) if (o.kind === 'update' || o.kind === 'delete') expect(archivedEtags.has(o.md5), o.md5).to.equal(true);
      expect(archivedEtags.size).to.equal(plan.actions.filter((x) => x.kind === 'archive').length); // one copy per content
    }), { numRuns: 200 });
  });
});
