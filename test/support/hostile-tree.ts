/**
 * Hostile source trees for `gulp build` (fast-check): names with `..\` climbs, backslashes, control
 * characters, non-NFC, leading dots, very long names; symlinks out of public/ (to an image, a folder, a
 * 1.5 GB sparse file, nothing); two sources with one set of output names; zero-byte and non-image files.
 * (An empty segment or a `..` segment cannot be a name on disk: those reach the build only through a
 * manifest, which the hand-written tests cover.)
 */
import fc from 'fast-check';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type Content = 'jpeg' | 'other-jpeg' | 'zero' | 'html' | 'link-image' | 'link-dir' | 'link-missing' | 'link-huge';
export interface HostileFile { readonly dir: string; readonly name: string; readonly content: Content }

const climb = fc.integer({ min: 1, max: 3 }).map((k) => `${'..\\'.repeat(k)}victim\\v-hi-res.jpg`);
const odd = fc.constantFrom('x\u0001-hi-res.jpg', 'x\n-hi-res.jpg', '\u001b[31mred-hi-res.jpg', 'x\u007f-hi-res.jpg',
  'cafe\u0301-hi-res.jpg', 'caf\u00e9-hi-res.jpg', '.hidden-hi-res.jpg', '..-hi-res.jpg', '...jpg', ' -hi-res.jpg', 'a\\b-hi-res.jpg');
const long = fc.integer({ min: 180, max: 243 }).map((n) => `${'x'.repeat(n)}-hi-res.jpg`);
const plain = fc.constantFrom('a-hi-res.jpg', 'a-hi-res.png', 'a-hi-res.JPG', 'b-hi-res.jpg', 'a.jpg');
const soup = fc.array(fc.constantFrom('.', '..', '\\', 'a', '\u0007', 'e\u0301', ' ', '-'), { minLength: 1, maxLength: 8 })
  .map((parts) => `${parts.join('')}-hi-res.jpg`);

/** The folder a name is a source in (`<slug>/<slug>-hi-res.jpg`), when the slug can be a folder on disk. */
function slugFolder(name: string): string | undefined {
  const slug = name.replace(/-hi-res\.[^.]+$/i, '');
  return slug === name || slug === '' || slug === '.' || slug === '..' || slug.includes('/') || Buffer.byteLength(slug) > 250 ? undefined : slug;
}

export const hostileFile: fc.Arbitrary<HostileFile> = fc.record({
  dir: fc.constantFrom('a', 'b', 'evil'),
  name: fc.oneof(climb, odd, long, plain, soup),
  content: fc.constantFrom<Content>('jpeg', 'jpeg', 'other-jpeg', 'zero', 'html', 'link-image', 'link-dir', 'link-missing', 'link-huge'),
  // Half the time the file sits in the folder named after it, so the build takes it as a source (hostile slug and all).
  asSource: fc.boolean(),
}).map(({ asSource, ...file }) => ({ ...file, dir: (asSource && slugFolder(file.name)) || file.dir }));

export const hostileTree = fc.uniqueArray(hostileFile, { minLength: 1, maxLength: 7, selector: (f) => `${f.dir}/${f.name}` });

export interface TreeFixtures { readonly jpeg: Buffer; readonly otherJpeg: Buffer }

/** Writes the tree under `src/album/`; victim/ (outside public) holds what the symlinks point at. */
export async function writeTree(src: string, victim: string, files: readonly HostileFile[], fx: TreeFixtures): Promise<void> {
  for (const file of files) {
    const path = join(src, 'album', file.dir, file.name);
    await mkdir(dirname(path), { recursive: true });
    switch (file.content) {
      case 'jpeg': await writeFile(path, fx.jpeg); break;
      case 'other-jpeg': await writeFile(path, fx.otherJpeg); break;
      case 'zero': await writeFile(path, ''); break;
      case 'html': await writeFile(path, '<!DOCTYPE html><html><head></head><body>404</body></html>'); break;
      case 'link-image': await symlink(join(victim, 'photo.jpg'), path); break;
      case 'link-dir': await symlink(victim, path); break;
      case 'link-missing': await symlink(join(victim, 'missing.jpg'), path); break;
      case 'link-huge': await symlink(join(victim, 'huge.bin'), path); break;
    }
  }
}

/** The victim folder beside public/: an image, a sparse 1.5 GB file, and a file a `..\` name aims at. */
export async function writeVictim(victim: string, fx: TreeFixtures): Promise<void> {
  await mkdir(victim, { recursive: true });
  await writeFile(join(victim, 'photo.jpg'), fx.jpeg);
  await writeFile(join(victim, 'v-medium.jpg'), 'precious');
  await writeFile(join(victim, 'huge.bin'), '');
  await truncate(join(victim, 'huge.bin'), 1.5e9);
}
