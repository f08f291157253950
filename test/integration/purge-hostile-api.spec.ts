import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { planPurge } from '../../lib/edge/purge-plan';
import { purgeCdn, type PurgeOptions, type PurgeOutcome } from '../../lib/edge/purge-client';
import type { PurgeSettings } from '../../lib/edge/purge-settings';
import { withDeadline } from '../helpers/deadline';
import { startPurgeApi, type CloudflareApi } from '../servers/cloudflare-api';

// Quotes and a backslash: JSON-quoting an excerpt would spell them differently from the token itself.
const TOKEN = 'cf-SECRET-"quoted"\\-token-0123456789abcdef';
const ZONE = '0123456789abcdef0123456789abcdef';
const BASE = 'https://assets.russ.fm';
const urls = (n: number) => Array.from({ length: n }, (_, i) => `${BASE}/album/a${i}/a${i}-medium.jpg`);
const ONCE: PurgeOptions = { rate: { perSecond: 10_000, burst: 10_000 }, deadlineMs: 5000, backoffBaseMs: 2, maxBackoffMs: 20, maxAttempts: 1 };

describe('purgeCdn against a hostile purge API', () => {
  let api: CloudflareApi;
  let settings: PurgeSettings;

  beforeEach(async () => { ({ api, settings } = await startPurgeApi(TOKEN, ZONE)); });
  afterEach(async () => api.close());

  const purge = (list: readonly string[], options: PurgeOptions = ONCE): Promise<PurgeOutcome> => {
    const plan = planPurge(list, { publicBase: BASE, urlsPerRequest: 100, purgeByPrefixAbove: 1000 });
    return withDeadline(purgeCdn(plan, settings, options), 20_000, 'purgeCdn');
  };

  it('never shows the token of an HTML error page, whether the excerpt cuts it or JSON-quoting respells it', async () => {
    for (const pad of [0, 100, 110, 118]) {
      api.faults.push({ status: 502, raw: `<html>${'x'.repeat(pad)} Bearer ${TOKEN} Authorization: Basic dXNlcjpTRUNSRVQ=</html>` });
      const outcome = await purge(urls(2));
      const reason = outcome.failed[0]?.reason ?? '';
      expect(reason).to.match(/^Cloudflare answered 502, not with its JSON: /);
      expect(reason).to.not.match(/SECRET|quoted|0123456789abcdef|dXNlcjpT/);
    }
  });

  it('quotes the API\'s error messages scrubbed, capped and printable: no escape codes, no fake lines', async () => {
    const message = `bad\n\u001b[32mCDN: purged 10 changed URL(s)\u001b[0m Bearer ${TOKEN} ${'y'.repeat(5000)}`;
    api.faults.push({ status: 400, body: { success: false, errors: Array(10).fill({ code: 1012, message }) } });
    const outcome = await purge(urls(2));
    const reason = outcome.failed[0]?.reason ?? '';
    expect(reason).to.match(/^Cloudflare answered 400: bad\?\?\[32mCDN: purged 10 changed URL\(s\)\?\[0m Bearer \[token\] y+…/);
    expect(reason).to.not.match(/[\u0000-\u001f]|SECRET/);
    expect(reason.length).to.be.at.most(1001);
  });

  it('stops reading an endless answer at 64 KB and retries it, without holding it in memory', async () => {
    api.faults.push({ status: 502, flood: true });
    const before = process.memoryUsage().rss;
    const outcome = await purge(urls(2), { ...ONCE, maxAttempts: 2 });
    expect(outcome.requests).to.equal(2);
    expect(outcome.purged).to.have.length(2);
    expect(process.memoryUsage().rss - before).to.be.below(200 * 1024 * 1024);
  });

  it('counts a compressed answer by its decompressed size: a gzip bomb fails with a short reason', async () => {
    api.faults.push({ status: 200, raw: gzipSync(Buffer.alloc(50 * 1024 * 1024, ' ')), encoding: 'gzip' });
    const outcome = await purge(urls(3));
    expect(outcome.failed.map((f) => f.reason)).to.deep.equal(Array(3).fill('Cloudflare answered 200 with more than 64 KB (not a purge answer; the rest was not read)'));
  });

  it('gives up after 10 minutes of retries in all: the URLs not yet purged fail saying so', async () => {
    api.faultFor = (body) => ((body as { files?: string[] }).files?.includes(urls(150)[120] as string) ? { status: 429, retryAfter: 120 } : undefined);
    const clock = { t: 0 };
    const outcome = await purge(urls(250), {
      ...ONCE, maxAttempts: 1000, throttlesAllowed: 1000, now: () => clock.t, sleep: async (ms) => { clock.t += ms; },
    });
    expect(outcome.purged).to.deep.equal(urls(100));
    expect(outcome.failed.map((f) => f.url)).to.deep.equal(urls(250).slice(100));
    expect(new Set(outcome.failed.map((f) => f.reason))).to.deep.equal(new Set([
      'not purged: gave up after 10 min of retries; last answer: Cloudflare answered 429: injected (code 971)',
    ]));
    expect(outcome.seconds).to.be.at.most(600);
    expect(outcome.requests).to.equal(6);
  });
});
