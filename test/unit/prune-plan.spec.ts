import { expect } from 'chai';
import { planPrune, type PruneInput } from '../../lib/plan/prune-plan';
import type { Release, ReleaseObject } from '../../lib/releases/release';

const NOW = new Date('2026-11-28T12:00:00Z');
const OLD = new Date('2026-11-01T00:00:00Z');
const object = (sha256: string, md5 = `md5${sha256}`): ReleaseObject => ({ md5, sha256, size: 10, contentType: 'image/jpeg', cacheControl: 'c' });
const release = (id: string, objects: Record<string, ReleaseObject>, manifest?: string): Release => ({
  schema: 1, id, createdAt: '', environment: 'test', reason: 'sync', objects,
  changes: { created: [], updated: [], retagged: [], deleted: [] }, manifest: manifest ? { sha256: manifest, size: 1 } : undefined,
});
const listed = (key: string, lastModified = OLD, size = 10) => ({ key, size, etag: 'e', lastModified });
const records = (...ids: string[]) => ids.map((id) => ({ ...listed(`_releases/${id}.json`), id }));

function input(extra: Partial<PruneInput>): PruneInput {
  return { records: [], keep: 1, kept: [], archive: [], now: NOW, graceMs: 3_600_000, limits: { count: 1000, percent: 100 }, ...extra };
}

describe('planPrune', () => {
  it('never deletes a spared record (newer than the latest, perhaps unreadable), nor counts it as history', async () => {
    const plan = planPrune(input({ records: records('r9', 'r2', 'r1'), kept: [release('r2', {})], spared: ['r9'] }));
    expect(plan.dropped).to.deep.equal(['r1']);
    expect(plan.actions.map((a) => a.key)).to.deep.equal(['_releases/r1.json']);
  });

  it('keeps every archived copy a kept release refers to, by SHA-256, by MD5, and its manifest', async () => {
    const r2 = release('r2', { 'a.jpg': object('aa'), 'b.jpg': object('bb', 'b-md5') }, 'man2');
    const plan = planPrune(input({
      records: records('r2', 'r1'), kept: [r2],
      archive: [listed('_archive/aa'), listed('_archive/md5-b-md5'), listed('_archive/man2'), listed('_archive/only-r1'), listed('_archive/etag-x-2')],
    }));
    expect(plan.referenced).to.equal(3);
    expect(plan.archiveDeletes.map((o) => o.key)).to.deep.equal(['_archive/only-r1', '_archive/etag-x-2']);
    expect(plan.dropped).to.deep.equal(['r1']);
    expect(plan.bytesFreed).to.equal(20);
  });

  it('deletes release records before the copies they refer to, as delete actions for the executor', async () => {
    const plan = planPrune(input({ records: records('r2', 'r1'), kept: [release('r2', {})], archive: [listed('_archive/x')] }));
    expect(plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['delete', '_releases/r1.json'], ['delete', '_archive/x']]);
  });

  it('leaves unreferenced copies younger than the grace period alone', async () => {
    const fresh = new Date(NOW.getTime() - 60_000);
    const plan = planPrune(input({ records: records('r1'), kept: [release('r1', {})], archive: [listed('_archive/new', fresh), listed('_archive/old')] }));
    expect(plan.inGrace).to.deep.equal(['_archive/new']);
    expect(plan.archiveDeletes.map((o) => o.key)).to.deep.equal(['_archive/old']);
  });

  it('refuses, deleting nothing, when the deletes are over --max-delete', async () => {
    const plan = planPrune(input({
      records: records('r3', 'r2', 'r1'), kept: [release('r3', {})], archive: [listed('_archive/x'), listed('_archive/y')],
      limits: { count: 3, percent: 100 },
    }));
    expect(plan.deleteRefusal).to.match(/refused to delete 4 object\(s\) \(80\.0 % of the archive and release records\): over --max-delete/);
    expect(plan.actions).to.deep.equal([]);
  });

  it('has nothing to do when every release is kept and every copy referenced', async () => {
    const plan = planPrune(input({ records: records('r1'), kept: [release('r1', { 'a.jpg': object('aa') })], archive: [listed('_archive/aa')] }));
    expect(plan.actions).to.deep.equal([]);
    expect(plan.deleteRefusal).to.equal(undefined);
  });
});
