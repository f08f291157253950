/** A page opened from a file with every request outside it blocked and recorded: proves it works offline. */
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { withDeadline } from '../helpers/deadline';
import type { Chromium } from './chromium';

export const WAIT_MS = 15_000;

/** What a page did that the test cares about: errors, dialogs and any request that would leave the file. */
export interface PageLog {
  readonly errors: string[];
  readonly dialogs: string[];
  readonly outside: string[];
}

export async function openOffline(chromium: Chromium, file: string): Promise<{ page: Page; log: PageLog }> {
  const log: PageLog = { errors: [], dialogs: [], outside: [] };
  const page = await chromium.browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.setViewport({ width: 1280, height: 900 });
  const own = pathToFileURL(file).href;
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url === own) return void request.continue();
    log.outside.push(url);
    void request.abort('blockedbyclient');
  });
  page.on('console', (message) => { if (message.type() === 'error') log.errors.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => { log.errors.push(`page: ${error instanceof Error ? error.message : String(error)}`); });
  page.on('dialog', (dialog) => {
    log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(own, { waitUntil: 'load', timeout: WAIT_MS });
  await withDeadline(page.waitForFunction('document.body.dataset.ready === "true"', { timeout: WAIT_MS }), WAIT_MS + 1000, 'the dashboard\'s charts');
  return { page, log };
}

