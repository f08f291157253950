/**
 * What finding and hashing the files `publish` names costs a sync or verify: N OG cards like russ.fm's
 * (1200×630 PNG, a 550 px cover on a plain card with text, ~0.8–1 MB each), scanned cold (every file
 * hashed: MD5 + SHA-256, as on a fresh dist/ in CI) and warm (the size+mtime digest index: stat only).
 * Usage: node --require esbuild-register bench/publish-bench.ts [--count 4700] [--rounds 3]
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DIGEST_INDEX_FILE } from '../lib/bucket/digest-index';
import { scanPublished } from '../lib/bucket/published';
import { median, ROOT } from './bench-bucket';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = arg('count', 4700);
const ROUNDS = arg('rounds', 3);
const GLOBS = ['{album,artist}/*/og-image.png', 'og-image.png'];

async function card(photo: string): Promise<Buffer> {
  const art = await sharp(join(ROOT, 'test/fixtures/photos', photo)).resize(550, 550, { fit: 'cover' }).png().toBuffer();
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><rect width="1200" height="630" fill="#1c2430"/>'
    + '<text x="690" y="260" font-size="56" fill="#fff">Album Title</text><text x="690" y="320" font-size="36" fill="#a855f7">Artist</text></svg>');
  return sharp(svg).composite([{ input: art, left: 40, top: 40 }]).png().toBuffer();
}

async function main(): Promise<void> {
  const cards = await Promise.all(['citrus-fruits.jpg', 'european-honey-bee.jpg', 'cincinnati-bridge.jpg'].map(card));
  const dist = await mkdtemp(join(tmpdir(), 'publish-bench-'));
  let bytes = 0;
  try {
    for (let i = 0; i < COUNT; i += 1) {
      const type = i % 4 === 3 ? 'artist' : 'album';
      await mkdir(join(dist, type, `s${i}`), { recursive: true });
      // Each card differs (its number appended), as each album's does.
      const body = Buffer.concat([cards[i % cards.length] as Buffer, Buffer.from(String(i))]);
      bytes += body.length;
      await writeFile(join(dist, type, `s${i}`, 'og-image.png'), body);
    }
    const cold: number[] = [];
    const warm: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await rm(join(dist, DIGEST_INDEX_FILE), { force: true });
      const first = await scanPublished(dist, GLOBS, 'public, max-age=31536000, immutable', new Set());
      cold.push(first.seconds);
      const second = await scanPublished(dist, GLOBS, 'public, max-age=31536000, immutable', new Set());
      if (second.hashed !== 0 || first.hashed !== COUNT) throw new Error(`expected ${COUNT} hashed cold and 0 warm, got ${first.hashed} and ${second.hashed}`);
      warm.push(second.seconds);
    }
    const mb = bytes / 1e6;
    process.stdout.write(`${COUNT} OG cards, ${mb.toFixed(0)} MB (${(mb / COUNT).toFixed(2)} MB each), files in the page cache\n`
      + `  cold (no digest index: MD5 + SHA-256 of every file): median ${median(cold).toFixed(2)} s (${(mb / median(cold)).toFixed(0)} MB/s) of ${cold.map((s) => s.toFixed(2)).join(', ')}\n`
      + `  warm (size+mtime digest index: stat only):           median ${median(warm).toFixed(3)} s of ${warm.map((s) => s.toFixed(3)).join(', ')}\n`);
  } finally {
    await rm(dist, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exit(1); });
