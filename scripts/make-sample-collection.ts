/**
 * Regenerates public/, the sample collection shipped so the pipeline runs on a fresh clone: real
 * photographs (CC0, public domain and CC-BY only; the full-size originals, not shipped) cropped into album
 * covers and artist images, with public/CREDITS.md. Usage: node --require esbuild-register scripts/make-sample-collection.ts <photos-dir>
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

interface Item { type: 'album' | 'artist'; slug: string; photo: string; author: string; license: string; crop: 'centre' | 'attention' }

const ITEMS: Item[] = [
  { type: 'album', slug: 'seeding-season', photo: 'seeding_by_Clements_Engelhardt.jpg', author: 'Clemens Engelhardt, 2018', license: 'CC0-1.0', crop: 'attention' },
  { type: 'album', slug: 'ohio-river-nights', photo: 'cincinnati-bridge.jpg', author: 'Derek Jensen', license: 'Public Domain', crop: 'centre' },
  { type: 'album', slug: 'citrus', photo: 'citrus-fruits.jpg', author: 'US Department of Agriculture', license: 'Public Domain', crop: 'centre' },
  { type: 'album', slug: 'the-hive-sessions', photo: 'european-honey-bee.jpg', author: 'John Severns', license: 'Public Domain', crop: 'attention' },
  { type: 'album', slug: 'aitzgorri', photo: 'aitzgorri_by_Aitzol_Berasategi.jpg', author: 'Aitzol Berasategi, 2018', license: 'CC-BY-4.0', crop: 'centre' },
  { type: 'album', slug: 'picos-de-europa-live', photo: 'picosdeeuropa_by_Aitzol_Berasategi.jpg', author: 'Aitzol Berasategi, 2018', license: 'CC-BY-4.0', crop: 'attention' },
  { type: 'album', slug: 'after-sunset', photo: 'sunset_by_Aitzol_Berasategi.jpg', author: 'Aitzol Berasategi, 2018', license: 'CC-BY-4.0', crop: 'centre' },
  { type: 'album', slug: 'picture-1a', photo: 'Picture_1A_by_freespace.jpg', author: 'Trevor "Freespace", 2018', license: 'CC-BY-4.0', crop: 'centre' },
  { type: 'artist', slug: 'the-friends', photo: 'friends_by_Aitzol_Berasategi.jpg', author: 'Aitzol Berasategi, 2018', license: 'CC-BY-4.0', crop: 'attention' },
  { type: 'artist', slug: 'wine-and-roses', photo: 'Wine_by_Jakkub_Mede.jpg', author: 'Jakub Mede, 2018', license: 'CC-BY-4.0', crop: 'centre' },
  { type: 'artist', slug: 'freespace', photo: 'Picture_0B_by_freespace.jpg', author: 'Trevor "Freespace", 2018', license: 'CC-BY-4.0', crop: 'centre' },
];

async function main(): Promise<void> {
  if (!process.argv[2]) throw new Error('usage: make-sample-collection.ts <photos-dir>: the folder holding the original photographs named in ITEMS');
  const photos = resolve(process.argv[2]);
  const out = resolve(__dirname, '..', 'public');
  const rows: string[] = [];
  for (const item of ITEMS) {
    const dir = join(out, item.type, item.slug);
    await mkdir(dir, { recursive: true });
    // Album covers are square like Discogs' cover art; artist images keep a landscape frame.
    const size = item.type === 'album' ? { width: 1200, height: 1200 } : { width: 1200, height: 900 };
    const position = item.crop === 'attention' ? sharp.strategy.attention : 'centre';
    await sharp(join(photos, item.photo)).autoOrient()
      .resize({ ...size, fit: 'cover', position })
      .jpeg({ quality: 82, progressive: true, mozjpeg: true })
      .toFile(join(dir, `${item.slug}-hi-res.jpg`));
    rows.push(`| ${item.type}/${item.slug}/${item.slug}-hi-res.jpg | ${item.photo} | ${item.author} | ${item.license} |`);
  }
  await writeFile(join(out, 'CREDITS.md'), [
    '# Credits for the sample collection',
    '',
    'Each image is a real photograph, cropped and scaled into an album cover or artist image by',
    '`scripts/make-sample-collection.ts`. The photographs come from Debian 12 packages (lomiri-wallpapers-16.04,',
    'palapeli-data); each keeps its author\'s license. Album titles and artist names are invented.',
    '',
    '| file | original | author | license |',
    '|---|---|---|---|',
    ...rows,
    '',
    'CC-BY-4.0: https://creativecommons.org/licenses/by/4.0/ — changes made: cropped and scaled.',
    '',
  ].join('\n'));
}

main().catch((error: unknown) => { console.error(error); process.exit(1); });
