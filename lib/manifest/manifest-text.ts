/**
 * A manifest's file text — exactly `JSON.stringify(manifest, null, 1)` and a newline — in pieces, one
 * source at a time: 10,000 sources are 14 MB of text, and the whole string (with its Buffer and a
 * versioned copy of every entry) raised peak RSS about 33 MB more per write than these pieces do.
 */
import { versionedPath, type ImageManifest, type ManifestSource } from './types';

/** What JSON.stringify leaves out of an object. */
const omitted = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** `value` as JSON.stringify(…, null, 1) writes it `depth` levels down (its lines indented by depth). */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 1).split('\n').join(`\n${' '.repeat(depth)}`);
}

function withVersioned(source: ManifestSource): ManifestSource {
  return { ...source, variants: source.variants.map((v) => ({ ...v, versioned: versionedPath(v.key, v.md5) })) };
}

/** The manifest's text, sources in path order, each variant's versioned path derived from its key and MD5. */
export function* manifestText(manifest: ImageManifest): Generator<string> {
  const members = Object.entries(manifest).filter(([, value]) => !omitted(value));
  yield members.length === 0 ? '{}' : '{';
  for (const [i, [name, value]] of members.entries()) {
    yield `${i === 0 ? '' : ','}\n ${JSON.stringify(name)}: `;
    if (name === 'sources') yield* sourcesText(value as ImageManifest['sources']);
    else yield nested(value, 1);
  }
  yield members.length === 0 ? '\n' : '\n}\n';
}

function* sourcesText(sources: ImageManifest['sources']): Generator<string> {
  const rels = Object.keys(sources).sort((a, b) => (a < b ? -1 : 1));
  if (rels.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (const [i, rel] of rels.entries()) {
    yield `${i === 0 ? '' : ','}\n  ${JSON.stringify(rel)}: ${nested(withVersioned(sources[rel] as ManifestSource), 2)}`;
  }
  yield '\n }';
}
