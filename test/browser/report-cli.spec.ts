import { expect } from 'chai';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { bucketHistory } from '../../lib/history/history-place';
import { readHistory } from '../../lib/history/read-history';
import { dashboardRuns } from '../../lib/report/dashboard-charts';
import { spawnGulp } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { photoJpeg, photoJpegEdited } from '../helpers/fixtures';
import { PHOTO, REPO_ROOT } from '../helpers/paths';
import { makeWorkspace, removeTmp, type Workspace } from '../helpers/tmp';
import { launchChromium, requireChromium, type Chromium } from '../support/chromium';
import { openOffline, WAIT_MS, type PageLog } from '../support/offline-page';
import { SyncHarness } from '../support/sync-harness';

const source = (ws: Workspace, slug: string) => join(ws.src, 'album', slug, `${slug}-hi-res.jpg`);

async function writeSource(ws: Workspace, slug: string, bytes: Buffer): Promise<void> {
  await mkdir(join(ws.src, 'album', slug), { recursive: true });
  await writeFile(source(ws, slug), bytes);
}

describe('gulp report end to end: a real history of builds, syncs and verifies, opened in headless Chromium', function () {
  let h: SyncHarness;
  let ws: Workspace;
  let chromium: Chromium | undefined;
  let page: Page;
  let log: PageLog;
  let reportOutput = '';

  before(async function () {
    const path = await requireChromium(this);
    h = await SyncHarness.start();
    ws = await makeWorkspace('report-cli');
    const env = { ...h.cliEnv(), REPORTS_DIR: join(ws.root, 'reports') };
    const gulp = async (args: string[]) => {
      const run = await spawnGulp(args, env, 120_000);
      expect(run.status, `gulp ${args.join(' ')}\n${run.output}`).to.equal(0);
      return run;
    };
    const deploy = async (...syncFlags: string[]) => {
      await gulp(['build', '--src', ws.src, '--dest', ws.dest, '--cache-dir', ws.cache]);
      await gulp(['sync', '--dest', ws.dest, ...syncFlags]);
      await gulp(['verify', '--dest', ws.dest]);
    };
    await writeSource(ws, 'fruit', await photoJpeg(1200, 1200));
    await writeSource(ws, 'bridge', await photoJpeg(1200, 1000, PHOTO.bridge));
    await writeSource(ws, 'bee', await photoJpeg(1000, 1000, PHOTO.bee));
    await deploy();
    // The second deploy replaces one cover, adds one and deletes one: the contact sheet's three kinds.
    await writeSource(ws, 'fruit', await photoJpegEdited(1200, 1200));
    await writeSource(ws, 'honey', await photoJpeg(900, 900, PHOTO.bee));
    await rm(join(ws.src, 'album', 'bridge'), { recursive: true });
    await deploy('--delete', '--max-delete', '50%');
    reportOutput = (await gulp(['report', '--out', join(ws.root, 'dashboard.html')])).output;
    chromium = await launchChromium(path);
    ({ page, log } = await openOffline(chromium, join(ws.root, 'dashboard.html')));
  });
  after(async () => {
    await chromium?.close();
    await h?.close();
    if (ws) await removeTmp(ws.root);
  });

  it('says where the page is and that no alert is open', async () => {
    expect(reportOutput).to.match(/dashboard: .*dashboard\.html \(7 run\(s\), 5 charts, 3 change\(s\) on the contact sheet\)/);
    expect(reportOutput).to.include('no open alerts');
  });

  it('loads with no console error, no page error and no request outside the file', async () => {
    expect(log).to.deep.equal({ errors: [], dialogs: [], outside: [] });
  });

  it('draws each chart with as many points as the history has runs with that figure', async () => {
    const { runs } = await readHistory(bucketHistory(h.direct));
    const mine = dashboardRuns(runs, 'development');
    expect(mine.map((r) => r.command)).to.deep.equal(['build', 'sync', 'verify', 'build', 'sync', 'verify', 'report']);
    const drawn = await page.evaluate('window.dashboardCharts') as Record<string, { points: number; series: number }>;
    expect(drawn).to.deep.equal({
      collection: { points: 6, series: 1 }, // every build, sync and verify counts the collection
      'bucket-bytes': { points: 1, series: 2 }, // the report's own listing
      'monthly-cost': { points: 2, series: 2 }, // last month (no runs) and this one
      durations: { points: 4, series: 2 },
      failures: { points: 7, series: 3 },
    });
  });

  it('shows the latest release\'s changes: the new cover, the replaced one before → after from the archive, the deleted one from the archive, every thumbnail loaded', async () => {
    const items = await page.$$eval('#contact-sheet .item, #contact-sheet figure, #contact-sheet li', (els) => els.map((el) => el.textContent ?? ''));
    const text = items.join('\n');
    expect(text).to.match(/album\/honey\/honey-medium\.jpg/).and.match(/album\/fruit\/fruit-medium\.jpg/).and.match(/album\/bridge\/bridge-medium\.jpg/);
    const imgs = await page.$$eval('#contact-sheet img', (els) => els.map((img) => img.complete && img.naturalWidth > 0));
    expect(imgs).to.deep.equal([true, true, true, true]); // new: after; replaced: before and after; deleted: before
    expect(await page.$eval('#contact-sheet', (el) => el.textContent)).to.not.match(/not recorded|no copy/);
  });

  it('is saved as a screenshot in test-artifacts/', async () => {
    await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await withDeadline(page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'dashboard-cli.png'), fullPage: true }), WAIT_MS, 'the screenshot');
  });
});
