import { expect } from 'chai';
import { parseRelease } from '../../lib/validate/records';

const RELEASE = {
  schema: 1, id: '20261128T123456.789Z-0123abcd', createdAt: '2026-11-28T12:34:56.789Z', environment: 'production', reason: 'restore',
  objects: { 'album/x/x-medium.jpg': { md5: 'a'.repeat(32), sha256: 'b'.repeat(64), size: 3, contentType: 'image/jpeg', cacheControl: 'public', versionId: 'v1' } },
  changes: { created: [], updated: [], retagged: [], deleted: [] },
};

describe('parseRelease: records the tool itself writes are read back', () => {
  // Found reading the change back: `gulp restore --at` on a versioned bucket records what it restored in words,
  // and the schema took only a release id there, so the tool refused its own record.
  it('takes the restoredFrom of a restore --at on a versioned bucket, and of a rollback to a release', async () => {
    const at = { ...RELEASE, restoredFrom: "the bucket's versions at 2026-11-28T12:00:00.000Z" };
    expect(parseRelease(JSON.stringify(at), '_releases/x.json').restoredFrom).to.equal(at.restoredFrom);
    const rollback = { ...RELEASE, restoredFrom: '20261127T000000.000Z-89abcdef' };
    expect(parseRelease(JSON.stringify(rollback), '_releases/x.json').restoredFrom).to.equal(rollback.restoredFrom);
  });

  it('still refuses a restoredFrom that could do something to a terminal', async () => {
    const hostile = { ...RELEASE, restoredFrom: '\u001b]0;PWNED\u0007' };
    expect(() => parseRelease(JSON.stringify(hostile), '_releases/x.json')).to.throw(/restoredFrom contains a control character/);
  });
});
