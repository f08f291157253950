/**
 * The README's dashboard picture, made from the sample collection in public/ by the real commands:
 * a first deploy (build, sync, verify), then one that replaces a cover, adds an album and deletes one,
 * then `gulp report`, opened in Debian's Chromium and saved as a PNG. Everything runs against a
 * throwaway S3 bucket (s3rver in this process), so neither .local-bucket/ nor reports/ is touched.
 *
 *   node --require esbuild-register scripts/dashboard-screenshot.ts [out.png]   (default docs/dashboard.png)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startLocalBucket } from '../lib/storage/local-bucket';
import { launchChromium, findChromium } from '../test/support/chromium';
import { openOffline } from '../test/support/offline-page';

const ROOT = resolve(__dirname, '..');
const GULP = join(ROOT, 'node_modules', '.bin', 'gulp');

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(ROOT, 'docs', 'dashboard.png'));
  const chromium = await findChromium();
  if (!chromium) throw new Error('Chromium not found: `apt-get install chromium` or set CHROMIUM_PATH');
  const work = mkdtempSync(join(tmpdir(), 'dashboard-sample-'));
  const bucket = await startLocalBucket({ directory: join(work, 'bucket'), bucket: 'russ-fm-assets', port: 0, ephemeral: true });
  try {
    const src = join(work, 'public');
    cpSync(join(ROOT, 'public'), src, { recursive: true });
    const env = {
      ...process.env, S3_ENDPOINT: bucket.store.endpoint, R2_BUCKET_NAME: 'russ-fm-assets', R2_ACCESS_KEY_ID: bucket.store.accessKeyId,
      R2_SECRET_ACCESS_KEY: bucket.store.secretAccessKey, REPORTS_DIR: join(work, 'reports'), FORCE_COLOR: '0',
    };
    // Asynchronous: the bucket answers from this very process.
    const gulp = async (...args: string[]) => { await promisify(execFile)(GULP, args, { cwd: ROOT, env, timeout: 120_000 }); };
    const deploy = async (...syncFlags: string[]) => {
      await gulp('build', '--src', src, '--dest', join(work, 'dist'), '--cache-dir', join(work, 'cache'));
      await gulp('sync', '--dest', join(work, 'dist'), ...syncFlags);
      await gulp('verify', '--dest', join(work, 'dist'));
    };
    await deploy();
    const album = (slug: string) => join(src, 'album', slug, `${slug}-hi-res.jpg`);
    // A cover replaced (another photo under citrus's name), an album added, one deleted.
    cpSync(album('aitzgorri'), album('citrus'));
    mkdirSync(join(src, 'album', 'new-arrival'), { recursive: true });
    cpSync(album('the-hive-sessions'), album('new-arrival'));
    rmSync(join(src, 'album', 'ohio-river-nights'), { recursive: true });
    await deploy('--delete', '--max-delete', '50%');
    const page = join(work, 'dashboard.html');
    await gulp('report', '--out', page);
    const browser = await launchChromium(chromium);
    try {
      const { page: tab, log } = await openOffline(browser, page);
      if (log.errors.length > 0 || log.outside.length > 0) throw new Error(`the page misbehaved: ${JSON.stringify(log)}`);
      mkdirSync(dirname(out), { recursive: true });
      await tab.screenshot({ path: out, fullPage: true });
      process.stdout.write(`${out}\n`);
    } finally { await browser.close(); }
  } finally {
    await bucket.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => { process.stderr.write(`${(error as Error).stack ?? String(error)}\n`); process.exit(1); });
