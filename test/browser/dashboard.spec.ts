import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { renderDashboard } from '../../lib/report/render-dashboard';
import type { DashboardView } from '../../lib/report/dashboard-view';
import { withDeadline } from '../helpers/deadline';
import { REPO_ROOT } from '../helpers/paths';
import { makeTmpDir, removeTmp } from '../helpers/tmp';
import { launchChromium, requireChromium, type Chromium } from '../support/chromium';
import { openOffline, type PageLog } from '../support/offline-page';
import { emptyDashboardView, HOSTILE_KEY, hostileDashboardView, sampleDashboardView, thumbnailsWithSrc } from '../support/dashboard-sample';

const SCREENSHOT = join(REPO_ROOT, 'test-artifacts', 'dashboard.png');
const WAIT_MS = 15_000;

describe('gulp report dashboard in headless Chromium (offline file:// page)', function () {
  let chromium: Chromium | undefined;
  let dir: string | undefined;
  let view: DashboardView;
  let page: Page;
  let log: PageLog;

  async function openView(name: string, shown: DashboardView): Promise<{ page: Page; log: PageLog }> {
    if (!chromium || !dir) throw new Error('no browser');
    const file = join(dir, `${name}.html`);
    await writeFile(file, renderDashboard(shown));
    return openOffline(chromium, file);
  }

  before(async function () {
    const path = await requireChromium(this);
    view = await sampleDashboardView();
    dir = await makeTmpDir('dashboard');
    chromium = await launchChromium(path);
    ({ page, log } = await openView('dashboard', view));
  });
  after(async () => {
    await chromium?.close();
    if (dir) await removeTmp(dir);
  });

  it('loads with no console error, no page error, no dialog and no request outside the file', async () => {
    expect(log.errors).to.deep.equal([]);
    expect(log.dialogs).to.deep.equal([]);
    expect(log.outside).to.deep.equal([]);
  });

  it('draws every chart with the view\'s number of points and series', async () => {
    const drawn = await page.evaluate('window.dashboardCharts');
    const expected = Object.fromEntries(view.charts.map((c) => [c.id, { points: c.series[0]?.points.length ?? 0, series: c.series.length }]));
    expect(drawn).to.deep.equal(expected);
    expect(expected['requests']?.points).to.equal(12);
    expect(expected['monthly-cost']?.points).to.equal(3);
    const canvases = await page.$$eval('.chart canvas', (els) => els.length);
    expect(canvases).to.equal(view.charts.filter((c) => (c.series[0]?.points.length ?? 0) > 0).length);
    expect(await page.$eval('#chart-cdn-p95', (el) => el.textContent)).to.contain('no data yet');
  });

  it('shows every thumbnail with a src as a decoded image, and a missing one as its reason', async () => {
    const imgs = await page.$$eval('img', (els) => els.map((img) => ({ ok: img.complete && img.naturalWidth > 0, src: img.src.slice(0, 23) })));
    expect(imgs).to.have.length(thumbnailsWithSrc(view));
    expect(imgs.every((i) => i.ok && i.src === 'data:image/jpeg;base64,')).to.equal(true);
    expect(await page.$eval('#contact-sheet', (el) => el.textContent)).to.contain('archived copy pruned').and.contain('and 37 more');
  });

  it('shows a hostile key as text: no element, no script run', async () => {
    expect(await page.$eval('#verify', (el) => el.textContent)).to.contain(HOSTILE_KEY);
    expect(await page.$$eval('img[src="x"], img:not([src^="data:"])', (els) => els.length)).to.equal(0);
    expect(log.dialogs).to.deep.equal([]);
  });

  it('runs nothing from a view whose every string is hostile, and still draws its chart', async () => {
    const hostile = hostileDashboardView();
    const opened = await openView('hostile', hostile);
    expect(opened.log).to.deep.equal({ errors: [], dialogs: [], outside: [] });
    expect(await opened.page.evaluate('window.dashboardCharts')).to.deep.equal({ [hostile.charts[0]?.id ?? '']: { points: 2, series: 1 } });
    expect(await opened.page.$eval('#verify', (el) => el.textContent)).to.contain(HOSTILE_KEY);
    expect(await opened.page.$$eval('img, svg, b, i', (els) => els.length)).to.equal(0);
    await opened.page.close();
  });

  it('shows "no data yet" for a bucket with no runs, and is ready with nothing drawn', async () => {
    const empty = emptyDashboardView();
    const opened = await openView('empty', empty);
    expect(opened.log).to.deep.equal({ errors: [], dialogs: [], outside: [] });
    expect(await opened.page.evaluate('window.dashboardCharts')).to.deep.equal(
      Object.fromEntries(empty.charts.map((c) => [c.id, { points: 0, series: c.series.length }])));
    expect(await opened.page.$$eval('.chart .empty', (els) => els.map((el) => el.textContent))).to.have.length(empty.charts.length);
    await opened.page.close();
  });

  it('(the offline guard itself) records and fails a request to outside the file', async () => {
    if (!chromium || !dir) throw new Error('no browser');
    const file = join(dir, 'guard.html');
    await writeFile(file, '<!DOCTYPE html><body><img src="http://192.0.2.1/x.png"><script>document.body.dataset.ready = "true"</script></body>');
    const opened = await openOffline(chromium, file);
    expect(opened.log.outside).to.deep.equal(['http://192.0.2.1/x.png']);
    await opened.page.close();
  });

  it('is saved as a full-page screenshot in test-artifacts/', async () => {
    await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await withDeadline(page.screenshot({ path: SCREENSHOT, fullPage: true }), WAIT_MS, 'the screenshot');
  });
});
