import { expect } from 'chai';
import fc from 'fast-check';
import { versionsAt, versionsByKey } from '../../lib/plan/versions-at';
import type { ObjectVersion } from '../../lib/storage/object-store';

const T = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));
function v(key: string, versionId: string, minute: number, deleteMarker = false): ObjectVersion {
  return { key, versionId, lastModified: T(minute), isLatest: false, deleteMarker, ...(deleteMarker ? {} : { etag: `e-${versionId}`, size: 1 }) };
}
const ids = (m: Map<string, ObjectVersion>) => Object.fromEntries([...m].map(([key, x]) => [key, x.versionId]));

describe('versionsAt', () => {
  const history = [
    v('a', 'a1', 1), v('a', 'a3', 30), v('a', 'a2', 10), // listed out of order
    v('b', 'b1', 5), v('b', 'b-del', 20, true),
    v('c', 'c1', 2), v('c', 'c-del', 3, true), v('c', 'c2', 4),
    v('d', 'd1', 40),
  ];

  it('gives each key the newest version last modified at or before the time, ignoring newer ones', async () => {
    expect(ids(versionsAt(history, T(15)))).to.deep.equal({ a: 'a2', b: 'b1', c: 'c2' });
    expect(ids(versionsAt(history, T(10)))).to.deep.equal({ a: 'a2', b: 'b1', c: 'c2' }); // exactly at the time counts
  });

  it('leaves out a key deleted then (a delete marker is newest) and a key not yet written', async () => {
    expect(versionsAt(history, T(25)).has('b')).to.equal(false);
    expect(versionsAt(history, T(25)).has('d')).to.equal(false);
    expect(ids(versionsAt(history, T(3)))).to.deep.equal({ a: 'a1' }); // c's marker at minute 3; b not yet written
  });

  it('is empty before the first version and the latest state after the last', async () => {
    expect(versionsAt(history, T(0)).size).to.equal(0);
    expect(ids(versionsAt(history, T(60)))).to.deep.equal({ a: 'a3', c: 'c2', d: 'd1' });
  });

  it('never returns a marker or a version newer than the time, and after every write returns each key\'s newest unless deleted', async () => {
    const entry = fc.record({ key: fc.constantFrom('a', 'b', 'c'), marker: fc.boolean() });
    await fc.assert(fc.asyncProperty(fc.array(entry, { maxLength: 20 }), fc.integer({ min: 0, max: 25 }), async (entries, at) => {
      const all = entries.map((e, i) => v(e.key, `v${i}`, i, e.marker)); // distinct times: minute i
      const then = versionsAt(all.slice().reverse(), T(at)); // the listing order must not matter
      for (const [key, x] of then) {
        expect(x.key).to.equal(key);
        expect(x.deleteMarker).to.equal(false);
        expect(x.lastModified.getTime()).to.be.at.most(T(at).getTime());
        expect(all.some((y) => y.key === key && y.lastModified > x.lastModified && y.lastModified <= T(at))).to.equal(false);
      }
      const last = new Map(all.map((x) => [x.key, x]));
      const expected = [...last.values()].filter((x) => !x.deleteMarker).map((x) => [x.key, x.versionId]).sort();
      expect(Object.entries(ids(versionsAt(all, T(100)))).sort()).to.deep.equal(expected);
    }), { numRuns: 200 });
  });
});

describe('versionsByKey', () => {
  it('lists each key\'s versions holding bytes, newest first, without delete markers', async () => {
    const byKey = versionsByKey([v('a', 'a1', 1), v('a', 'a-del', 2, true), v('a', 'a3', 3), v('b', 'b-del', 1, true)]);
    expect([...byKey].map(([key, list]) => [key, list.map((x) => x.versionId)])).to.deep.equal([['a', ['a3', 'a1']]]);
  });
});
