import { expect } from 'chai';
import { explainChanges, formatChangeNotes } from '../../lib/plan/explain-changes';
import type { ObjectOrigin } from '../../lib/plan/match';
import { planSync, DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import { desired, listed, recordOf } from '../helpers/plan-objects';

const SITE_CACHE = 'public, max-age=31536000';
const from = (key: string, origin: ObjectOrigin) => desired(key, `new-${key}`, { origin });

describe('explainChanges (what adopting a bucket replaces, and why, before anything is sent)', () => {
  it('counts replacements of objects the tool never recorded by why the build\'s bytes differ', async () => {
    const wanted = [
      from('album/a/a-hi-res.jpg', { size: 'hi-res', passthrough: 'strip' }),
      from('album/b/b-hi-res.jpg', { size: 'hi-res', passthrough: 'strip' }),
      from('artist/c/c-hi-res.jpg', { size: 'hi-res', passthrough: 'reencode' }),
      from('album/a/a-medium.jpg', { size: 'medium' }),
      from('album/a/og-image.png', { published: true }),
      from('album/d/d-medium.jpg', { size: 'medium' }),
    ];
    const written = wanted[5] as (typeof wanted)[number];
    const plan = planSync({
      desired: wanted, remote: wanted.map((o) => listed(o.key, `site-${o.key}`)), delete: false, limits: DEFAULT_DELETE_LIMITS,
      // The tool wrote d's medium itself: an ordinary update, not a replacement of someone else's bytes.
      records: new Map([[written.key, recordOf(written, `site-${written.key}`)]]),
    });
    expect(plan.notes?.replacing).to.deep.equal([
      { reason: 'hi-res stripped of metadata (GPS/EXIF)', count: 2 },
      { reason: 'hi-res re-encoded (a PNG, rotated or non-sRGB source)', count: 1 },
      { reason: 'published files that differ from dist/', count: 1 },
      { reason: 'renders that differ (a different sharp/libvips or recipe)', count: 1 },
    ]);
    expect(formatChangeNotes(plan.notes)[0]).to.equal('  replacing 5 object(s) this tool did not write, whose bytes differ (each archived first): '
      + '2 hi-res stripped of metadata (GPS/EXIF), 1 hi-res re-encoded (a PNG, rotated or non-sRGB source), 1 published files that differ from dist/, '
      + '1 renders that differ (a different sharp/libvips or recipe)');
  });

  it('groups header-only copies by the change a HEAD showed, or names the target headers when only a record is known', async () => {
    const a = desired('album/a/a-medium.jpg');
    const b = desired('album/b/b-medium.jpg');
    const c = desired('album/c/c-medium.jpg');
    const retags = [a, b, c].map((local) => ({ kind: 'retag' as const, key: local.key, local, remote: listed(local.key) }));
    const served = new Map([a, b].map((o) => [o.key, { contentType: 'image/jpeg', cacheControl: SITE_CACHE }]));
    const notes = explainChanges(retags, new Map(), served);
    expect(notes.replacing).to.deep.equal([]);
    expect(notes.headerCopies).to.deep.equal([
      { change: `Cache-Control changes from "${SITE_CACHE}" to "${a.cacheControl}"`, count: 2 },
      { change: `headers differ from those recorded (to Content-Type "image/jpeg", Cache-Control "${a.cacheControl}")`, count: 1 },
    ]);
    expect(formatChangeNotes(notes)).to.deep.equal([
      `  2 header-only copies (Cache-Control changes from "${SITE_CACHE}" to "${a.cacheControl}"): no bytes uploaded`,
      `  1 header-only copy (headers differ from those recorded (to Content-Type "image/jpeg", Cache-Control "${a.cacheControl}")): no bytes uploaded`,
    ]);
  });
});
