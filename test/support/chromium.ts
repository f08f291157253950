/**
 * Debian's Chromium, driven by puppeteer-core, for the tests that open a page in a real browser. Where it is
 * missing a test is skipped with a message, except in CI (env CI set), where it fails: CI must run them.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { TMP_PREFIX } from '../helpers/paths';

const LAUNCH_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
] as const;

export interface Chromium {
  readonly browser: Browser;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH, else /usr/bin/chromium; undefined when neither can be run. */
export async function findChromium(): Promise<string | undefined> {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return (await executable(path)) ? path : undefined;
}

/** The browser's path, or the test is skipped (locally) or failed (CI) with how to install it. */
export async function requireChromium(context: Mocha.Context): Promise<string> {
  const path = await findChromium();
  if (path) return path;
  const message = `Chromium not found at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'}: run \`apt-get install chromium\` or set CHROMIUM_PATH`;
  if (process.env.CI) throw new Error(`${message} (CI must run the browser tests)`);
  process.stderr.write(`      skipped: ${message}\n`);
  context.skip();
}

/** Launches headless Chromium with a fresh profile folder; a launch that does not answer in time fails. */
export async function launchChromium(executablePath: string): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), `${TMP_PREFIX}chromium-`));
  try {
    const browser = await puppeteer.launch({
      executablePath, headless: true, timeout: LAUNCH_TIMEOUT_MS, protocolTimeout: LAUNCH_TIMEOUT_MS,
      args: [...CHROMIUM_ARGS, `--user-data-dir=${profile}`],
    });
    return {
      browser,
      async close() {
        try {
          const closed = browser.close().then(() => true, () => false);
          const inTime = await Promise.race([closed, new Promise<false>((r) => setTimeout(() => r(false), CLOSE_TIMEOUT_MS).unref())]);
          if (!inTime) browser.process()?.kill('SIGKILL');
        } finally { await rm(profile, { recursive: true, force: true }); }
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
