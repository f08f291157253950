import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_KEY_RULES, type KeyRules } from '../../lib/bucket/managed-keys';
import { openDigestIndex } from '../../lib/bucket/digest-index';
import { digestsOfOpened } from '../../lib/bucket/published';
import { md5Of, sha256Of } from '../../lib/util/hash';
import { isClean } from '../../lib/verify/run-verify';
import { writeAt } from '../helpers/tmp';
import { CACHE, SyncHarness } from '../support/sync-harness';

const IMAGES = {
  'album/abba/abba-medium.jpg': 'abba medium v1',
  'album/bjork/bjork-medium.jpg': 'bjork medium v1',
  'artist/cher/cher-avatar.jpg': 'cher avatar v1',
};
const OG = {
  'album/abba/og-image.png': 'abba card v1',
  'album/bjork/bjork-notes.txt': 'not published: no glob names it',
  'album/bjork/og-image.png': 'bjork card v1',
  'og-image.png': 'site card v1',
};
/** russ.fm's assets.config.ts: its OG cards are published beside the covers. */
const SITE: KeyRules = { ...DEFAULT_KEY_RULES, publish: ['{album,artist}/*/og-image.png', 'og-image.png'] };
const deleting = { delete: true, limits: { count: 100, percent: 100 } };

describe('files assets.config.ts publishes from dist/ (the OG cards)', function () {
  this.timeout(60_000);
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist(IMAGES); // the build's images.json, then the OG step writes its cards into dist/
    for (const [key, text] of Object.entries(OG)) await writeAt(h.dist, key, text);
  });
  afterEach(async () => { await h.close(); });

  const verify = (keys: KeyRules = SITE) => h.verify({ keys, dist: h.dist });

  it('are synced by content beside the images, typed by extension, recorded in the release, and verified', async () => {
    const outcome = await h.sync({ keys: SITE });
    expect(outcome.published).to.deep.include({ files: 3, hashed: 3, idle: [] });
    const { 'album/bjork/bjork-notes.txt': _notPublished, ...published } = OG;
    expect(await h.contents()).to.deep.equal({ ...IMAGES, ...published });
    expect(await h.head('album/abba/og-image.png')).to.include({ contentType: 'image/png', cacheControl: CACHE, etag: md5Of(Buffer.from(OG['album/abba/og-image.png'])) });
    expect(outcome.release?.objects['og-image.png']).to.include({ contentType: 'image/png', size: OG['og-image.png'].length });
    const verified = await verify();
    expect(isClean(verified)).to.equal(true);
    expect([verified.desiredCount, verified.matching]).to.deep.equal([6, 6]);
    const other = Buffer.from('abba card v2'); // same length, other bytes
    await h.direct.put({ key: 'album/abba/og-image.png', body: other, md5: md5Of(other), contentType: 'image/png', cacheControl: CACHE, metadata: {} });
    expect((await verify()).findings.map((f) => [f.kind, f.key])).to.deep.equal([['corrupt', 'album/abba/og-image.png']]);
  });

  it('a changed file is re-uploaded with its old bytes archived first; unchanged files are not hashed again', async () => {
    await h.sync({ keys: SITE });
    await writeFile(join(h.dist, 'og-image.png'), 'site card v2, longer');
    const changed = await h.sync({ keys: SITE });
    expect(changed.plan.actions.map((a) => [a.kind, a.kind === 'archive' ? a.sourceKey : a.key])).to.deep.equal([['archive', 'og-image.png'], ['update', 'og-image.png']]);
    expect(changed.published.hashed).to.equal(1); // the other two by size and mtime, from the digest index
    expect(await h.text(`_archive/${sha256Of(Buffer.from(OG['og-image.png']))}`)).to.equal(OG['og-image.png']);
    const again = await h.sync({ keys: SITE });
    expect([again.plan.actions.length, again.published.hashed]).to.deep.equal([0, 0]);
  });

  // From the second attacker trial: another file renamed into place with the same size and mtime kept the old
  // digests (the index knew size and mtime only), and the bucket kept the old bytes.
  it('a file renamed into place with the same size and mtime is hashed again and sent', async () => {
    await h.sync({ keys: SITE });
    const path = join(h.dist, 'og-image.png');
    const other = join(h.dist, 'og-image.png.new');
    await writeFile(other, 'site card v9'); // the same length as v1
    const { atime, mtime } = await stat(path);
    await utimes(other, atime, mtime);
    await rename(other, path);
    const swapped = await h.sync({ keys: SITE });
    expect(swapped.published.hashed).to.equal(1);
    expect(swapped.plan.actions.filter((a) => a.kind === 'update').map((a) => a.key)).to.deep.equal(['og-image.png']);
    expect(await h.text('og-image.png')).to.equal('site card v9');
  });

  it('a FIFO or a link swapped in at a published file after the listing is refused at once, not waited on or followed', async () => {
    const index = openDigestIndex(h.dist);
    const fifo = join(h.dist, 'fifo.png');
    execFileSync('mkfifo', [fifo]);
    const link = join(h.dist, 'link.png');
    symlinkSync('/etc/hostname', link);
    expect(() => digestsOfOpened(fifo, 'fifo.png', index)).to.throw(/not a regular file/);
    expect(() => digestsOfOpened(link, 'link.png', index)).to.throw(/a symlink: links are never followed/);
    expect(digestsOfOpened(join(h.dist, 'og-image.png'), 'og-image.png', index)).to.deep.include({ sha256: sha256Of(Buffer.from(OG['og-image.png'])) });
  });

  it('a file gone from dist/ is an extra, deleted (archived first) only with --delete; a glob with no file left holds its objects', async () => {
    await h.sync({ keys: SITE });
    await rm(join(h.dist, 'album/abba/og-image.png'));
    const kept = await h.sync({ keys: SITE });
    expect(kept.plan.extras.map((e) => e.key)).to.deep.equal(['album/abba/og-image.png']);
    expect((await verify()).findings.map((f) => [f.kind, f.key])).to.deep.equal([['extra', 'album/abba/og-image.png']]);
    const deleted = await h.sync({ keys: SITE, ...deleting });
    expect(deleted.result?.deleted).to.deep.equal(['album/abba/og-image.png']);
    expect(await h.text(`_archive/${sha256Of(Buffer.from(OG['album/abba/og-image.png']))}`)).to.equal(OG['album/abba/og-image.png']);

    // The OG step did not run at all: its glob finds nothing, so its cards in the bucket are left as they are.
    await rm(join(h.dist, 'album/bjork/og-image.png'));
    const held = await h.sync({ keys: SITE, ...deleting });
    expect(held.published.idle).to.deep.equal(['{album,artist}/*/og-image.png']);
    expect(held.plan.actions).to.deep.equal([]);
    expect(held.unmanaged).to.deep.include({ total: 1, held: 1 });
    expect(await h.head('album/bjork/og-image.png')).to.not.equal(null);
    const verified = await verify();
    expect(isClean(verified)).to.equal(true);
    expect(verified.unmanaged.held).to.equal(1);
  });
});
