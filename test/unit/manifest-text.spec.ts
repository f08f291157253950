import { expect } from 'chai';
import fc from 'fast-check';
import { manifestText } from '../../lib/manifest/manifest-text';
import { versionedPath, type ImageManifest } from '../../lib/manifest/types';

/** What writeManifest wrote before it wrote in pieces: the whole manifest through JSON.stringify. */
function wholeText(manifest: ImageManifest): string {
  const sources = Object.fromEntries(Object.entries(manifest.sources).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([rel, source]) => [rel, { ...source, variants: source.variants.map((v) => ({ ...v, versioned: versionedPath(v.key, v.md5) })) }]));
  return `${JSON.stringify({ ...manifest, sources }, null, 1)}\n`;
}

const text = fc.string({ unit: 'binary', maxLength: 12 }); // any code points, quotes, backslashes, newlines, lone surrogates
const variant = fc.record({
  key: text, md5: fc.stringMatching(/^[0-9a-f]{32}$/), sha256: text, bytes: fc.nat(), width: fc.nat(), height: fc.nat(),
  remote: fc.option(text, { nil: undefined }),
}, { requiredKeys: ['key', 'md5', 'sha256', 'bytes', 'width', 'height'] });
const source = fc.record({ type: fc.constantFrom('album', 'artist'), slug: text, bytes: fc.nat(), variants: fc.array(variant, { maxLength: 3 }) });
const manifest = fc.record({
  version: fc.nat(), encoder: fc.option(text, { nil: undefined }), updatedAt: text,
  sources: fc.dictionary(text, source, { maxKeys: 6 }),
}, { requiredKeys: ['version', 'sources'] });

// The manifest is written a source at a time (peak RSS): the file must stay byte for byte what it was.
describe('the image manifest written in pieces', () => {
  it('is exactly the text JSON.stringify(…, null, 1) gave, for any manifest (generated)', async () => {
    fc.assert(fc.property(manifest, (m) => {
      expect([...manifestText(m as unknown as ImageManifest)].join('')).to.equal(wholeText(m as unknown as ImageManifest));
    }), { numRuns: 300 });
  });

  it('an empty manifest and one without sources read the same both ways', async () => {
    for (const m of [{ version: 1, sources: {} }, { version: 1, sources: { 'album/a/a-hi-res.jpg': { type: 'album', slug: 'a', variants: [] } } }]) {
      expect([...manifestText(m as unknown as ImageManifest)].join('')).to.equal(wholeText(m as unknown as ImageManifest));
    }
  });
});
