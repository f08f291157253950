/**
 * russ.fm's bucket as its own pipeline fills it today (docs/build-pipeline/asset-processing.md and
 * scripts/sync-to-r2.js in russmckendrick/russ-fm): per source, `<slug>-hi-res.jpg` = the source's bytes,
 * `-medium.jpg` = sharp `resize(800, 800, inside, withoutEnlargement)` at q85, artists' `-avatar.jpg` =
 * `resize(128, 128, cover)` at q85, an OG card `og-image.png` beside each, every object with
 * `Cache-Control: public, max-age=31536000`; plus what else a site's bucket holds (robots.txt).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ObjectStore } from '../../lib/storage/object-store';
import { md5Of } from '../../lib/util/hash';
import { PRIVATE, photoJpeg } from '../helpers/fixtures';
import { PHOTO } from '../helpers/paths';
import { writeAt } from '../helpers/tmp';

export const SITE_CACHE_CONTROL = 'public, max-age=31536000';

/** A few sources cut from the fixture photos: one with EXIF/GPS, one `.jpeg`-named, one PNG, one under 800 px. */
export const SITE_SOURCES: readonly { readonly rel: string; make(): Promise<Buffer> }[] = [
  { rel: 'album/citrus/citrus-hi-res.jpg', make: () => photoJpeg(1000, 1000, PHOTO.landscape) },
  { rel: 'album/bridge/bridge-hi-res.jpg', make: () => readFile(PHOTO.bridge) },
  { rel: 'album/gps/gps-hi-res.jpg', make: () => gpsJpeg(900, 900) },
  { rel: 'artist/bee/bee-hi-res.jpeg', make: () => photoJpeg(900, 900, PHOTO.bee) },
  { rel: 'artist/fruit/fruit-hi-res.png', make: () => sharp(PHOTO.landscape).resize(700, 700, { fit: 'cover' }).png().toBuffer() },
  { rel: 'artist/tiny/tiny-hi-res.jpg', make: () => photoJpeg(600, 500, PHOTO.bridge) },
];

/** A phone photo: sRGB (no other profile, upright), carrying camera EXIF and a GPS position; what the hi-res path strips. */
function gpsJpeg(width: number, height: number): Promise<Buffer> {
  return sharp(PHOTO.bee).resize(width, height, { fit: 'cover' })
    .withExif({
      IFD0: { Make: PRIVATE.make, Model: PRIVATE.model },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .jpeg({ quality: 90 }).toBuffer();
}

/** The source that carries EXIF and GPS. */
export const GPS_SOURCE = 'album/gps/gps-hi-res.jpg';

/** `album/x/x-hi-res.jpg` → `album/x/x` (the folder and slug every key of that source starts with). */
const stemOf = (rel: string) => rel.replace(/-hi-res\.[a-z]+$/, '');

/** Writes the sources into `src` (russ.fm's public/); returns each one's bytes by its path. */
export async function writeSiteSources(src: string): Promise<Map<string, Buffer>> {
  const written = new Map<string, Buffer>();
  for (const source of SITE_SOURCES) {
    const bytes = await source.make();
    await writeAt(src, source.rel, bytes);
    written.set(source.rel, bytes);
  }
  return written;
}

/** An OG card as the site's generate-og-images step writes it (a small PNG that differs per slug). */
export function ogCard(slug: string): Promise<Buffer> {
  const shade = [...slug].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 200;
  return sharp({ create: { width: 120, height: 63, channels: 3, background: { r: shade, g: 40, b: 200 - shade } } }).png().toBuffer();
}

/** Every object the site's pipeline makes of these sources, by key (OG cards included). */
export async function siteObjects(sources: ReadonlyMap<string, Buffer>): Promise<Map<string, Buffer>> {
  const objects = new Map<string, Buffer>();
  for (const [rel, src] of sources) {
    const stem = stemOf(rel);
    objects.set(`${stem}-hi-res.jpg`, src);
    objects.set(`${stem}-medium.jpg`, await sharp(src).resize(800, 800, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer());
    if (rel.startsWith('artist/')) objects.set(`${stem}-avatar.jpg`, await sharp(src).resize(128, 128, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer());
    objects.set(`${stem.slice(0, stem.lastIndexOf('/'))}/og-image.png`, await ogCard(stem));
  }
  return objects;
}

/** Content-Type by extension, as the site's sync script sends it. */
const typeOf = (key: string) => (key.endsWith('.png') ? 'image/png' : key.endsWith('.txt') ? 'text/plain' : 'image/jpeg');

/** Uploads `objects` (and a robots.txt) as the site does: single PUTs, its Cache-Control, no metadata of ours. */
export async function fillLikeTheSite(store: ObjectStore, objects: ReadonlyMap<string, Buffer>): Promise<void> {
  const all = new Map([...objects, ['robots.txt', Buffer.from('User-agent: *\nDisallow:\n')]]);
  for (const [key, body] of all) {
    await store.put({ key, body, md5: md5Of(body), contentType: typeOf(key), cacheControl: SITE_CACHE_CONTROL, metadata: {} });
  }
}
