import { expect } from 'chai';
import { planPurge } from '../../lib/edge/purge-plan';
import { purgeCdn, type PurgeOptions, type PurgeOutcome } from '../../lib/edge/purge-client';
import type { PurgeSettings } from '../../lib/edge/purge-settings';
import { withDeadline } from '../helpers/deadline';
import { startPurgeApi, type CloudflareApi } from '../servers/cloudflare-api';

const TOKEN = 'cf-test-token-SECRET-0123456789abcdef';
const ZONE = '0123456789abcdef0123456789abcdef';
const BASE = 'https://assets.russ.fm';
const urls = (n: number) => Array.from({ length: n }, (_, i) => `${BASE}/album/a${i}/a${i}-medium.jpg`);
/** Fast enough for tests: no rate limit of our own, short deadline and backoff. */
const FAST: PurgeOptions = { rate: { perSecond: 10_000, burst: 10_000 }, deadlineMs: 300, backoffBaseMs: 2, maxBackoffMs: 20, maxRetryAfterMs: 50 };

/** A clock that moves only when the client sleeps: rate waits take no real time and are recorded. */
function fakeClock() {
  const clock = { t: 0, waits: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => { clock.waits.push(ms); clock.t += ms; },
  };
}

describe('purgeCdn against a local Cloudflare API', () => {
  let api: CloudflareApi;
  let settings: PurgeSettings;

  beforeEach(async () => { ({ api, settings } = await startPurgeApi(TOKEN, ZONE)); });
  afterEach(async () => api.close());

  const purge = (list: readonly string[], options: PurgeOptions = FAST, over: Partial<PurgeSettings> = {}): Promise<PurgeOutcome> => {
    const s = { ...settings, ...over };
    const plan = planPurge(list, { publicBase: BASE, urlsPerRequest: s.urlsPerRequest, purgeByPrefixAbove: s.purgeByPrefixAbove });
    return withDeadline(purgeCdn(plan, s, options), 20_000, 'purgeCdn');
  };

  it('purges 250 URLs in 3 requests of at most 100, or in 9 of at most 30', async () => {
    const outcome = await purge(urls(250));
    expect(outcome).to.include({ mode: 'files', requests: 3 });
    expect(outcome.purged).to.deep.equal(urls(250));
    expect(outcome.failed).to.deep.equal([]);
    expect(api.purges.map((p) => p.files?.length)).to.deep.equal([100, 100, 50]);
    const thirty = await purge(urls(250), FAST, { urlsPerRequest: 30 });
    expect(thirty.requests).to.equal(9);
    expect(thirty.purged).to.have.length(250);
  });

  it('purges by prefix above the threshold, in one request', async () => {
    const outcome = await purge(urls(250), FAST, { purgeByPrefixAbove: 100 });
    expect(outcome).to.include({ mode: 'prefixes', requests: 1 });
    expect(outcome.prefixes).to.deep.equal(['assets.russ.fm/album/']);
    expect(outcome.purged).to.have.members(urls(250));
    expect(api.purges).to.deep.equal([{ prefixes: ['assets.russ.fm/album/'] }]);
  });

  it('sends nothing for no URLs', async () => {
    expect(await purge([])).to.include({ requests: 0, seconds: 0 });
    expect(api.received).to.equal(0);
  });

  it('waits out a burst of 429s as Retry-After says, without using up attempts', async () => {
    api.faults.push({ status: 429, retryAfter: 1 }, { status: 429, retryAfter: 1 }, { status: 429, retryAfter: 1 });
    const { clock, now, sleep } = fakeClock();
    const outcome = await purge(urls(10), { ...FAST, maxRetryAfterMs: undefined, maxAttempts: 2, now, sleep });
    expect(outcome.purged).to.have.length(10);
    expect(outcome.requests).to.equal(4);
    expect(clock.waits.filter((ms) => ms >= 1000)).to.deep.equal([1000, 1000, 1000]);
  });

  it('caps a long Retry-After at 120 s, and waits by the plan\'s rate when there is none', async () => {
    api.faults.push({ status: 429, retryAfter: 3600 }, { status: 429 });
    const { clock, now, sleep } = fakeClock();
    const outcome = await purge(urls(10), { ...FAST, rate: undefined, maxRetryAfterMs: undefined, now, sleep }, { plan: 'free' });
    expect(outcome.purged).to.have.length(10);
    expect(clock.waits.map(Math.round)).to.deep.equal([120_000, 12_000]);
  });

  it('counts 429s past the allowance as failed attempts, so a request throttled for ever fails', async () => {
    api.faultFor = () => ({ status: 429, retryAfter: 0 });
    const outcome = await purge(urls(10), { ...FAST, throttlesAllowed: 1, maxAttempts: 2 });
    expect(outcome.requests).to.equal(3);
    expect(outcome.failed[0]?.reason).to.equal('Cloudflare answered 429: injected (code 971) (gave up after 3 answers of 429)');
  });

  it('keeps to the server\'s own token bucket, 429s included', async () => {
    await api.close();
    ({ api, settings } = await startPurgeApi(TOKEN, ZONE, { rate: { perSecond: 20, burst: 2 } }));
    const outcome = await purge(urls(60), { ...FAST, maxRetryAfterMs: 60 }, { urlsPerRequest: 10 });
    expect(outcome.purged).to.have.length(60);
    expect(outcome.failed).to.deep.equal([]);
    expect(api.received).to.be.greaterThan(6);
  });

  it('retries 5xx answers, then succeeds', async () => {
    api.faults.push({ status: 500 }, { status: 502 }, { status: 503 });
    const outcome = await purge(urls(10));
    expect(outcome).to.include({ requests: 4 });
    expect(outcome.purged).to.have.length(10);
  });

  it('gives up on an answer that does not come by the deadline, and retries', async () => {
    api.faults.push('hang');
    const started = Date.now();
    const outcome = await purge(urls(10), { ...FAST, deadlineMs: 200 });
    expect(outcome).to.include({ requests: 2 });
    expect(outcome.purged).to.have.length(10);
    expect(Date.now() - started).to.be.within(200, 5000);
  });

  it('retries a connection reset before or after the purge', async () => {
    api.faults.push('reset', 'reset-after');
    const outcome = await purge(urls(10));
    expect(outcome).to.include({ requests: 3 });
    expect(outcome.purged).to.have.length(10);
    expect(api.purges).to.have.length(2);
  });

  it('fails only the URLs of a request that keeps getting 500, and purges the others', async () => {
    const doomed = urls(250)[120];
    api.faultFor = (body) => ((body as { files?: string[] }).files?.includes(doomed as string) ? { status: 500 } : undefined);
    const outcome = await purge(urls(250), { ...FAST, maxAttempts: 3 });
    expect(outcome.requests).to.equal(5);
    expect(outcome.purged).to.deep.equal([...urls(100), ...urls(250).slice(200)]);
    expect(outcome.failed.map((f) => f.url)).to.deep.equal(urls(200).slice(100));
    expect(outcome.failed[0]?.reason).to.equal('Cloudflare answered 500: injected (code 10001) (gave up after 3 tries)');
  });

  it('does not retry a 400: its URLs fail with the API\'s message', async () => {
    await api.close();
    ({ api, settings } = await startPurgeApi(TOKEN, ZONE, { filesPerRequest: 30 }));
    const outcome = await purge(urls(160));
    expect(outcome).to.include({ requests: 2 });
    expect(outcome.purged).to.deep.equal([]);
    expect(outcome.failed).to.have.length(160);
    expect(outcome.failed[0]?.reason).to.equal('Cloudflare answered 400: Too many files in one request: the limit is 30 (code 1012)');
  });

  it('fails a 200 whose answer says success: false, with its errors\' messages', async () => {
    api.faults.push({ status: 200, body: { success: false, errors: [{ code: 1234, message: 'purge could not be queued' }], messages: [], result: null } });
    const outcome = await purge(urls(10));
    expect(outcome.requests).to.equal(1);
    expect(outcome.failed.map((f) => f.reason)).to.deep.equal(Array(10).fill('Cloudflare answered 200: purge could not be queued (code 1234) (success: false)'));
  });

  it('stops at a rejected token: every URL fails with the fix, no later request is sent', async () => {
    const outcome = await purge(urls(250), FAST, { token: 'wrong-SECRET-token' });
    expect(api.received).to.equal(1);
    expect(outcome).to.include({ requests: 1 });
    expect(outcome.purged).to.deep.equal([]);
    expect(outcome.failed.map((f) => f.url)).to.deep.equal(urls(250));
    expect(new Set(outcome.failed.map((f) => f.reason))).to.deep.equal(new Set([
      'token rejected (403: Authentication error (code 10000)): check CLOUDFLARE_PURGE_TOKEN has Zone → Cache Purge',
    ]));
  });

  it('never shows the token, even when the API echoes it', async () => {
    api.faultFor = () => ({ status: 400, body: { success: false, errors: [{ code: 1012, message: `bad request from Bearer ${TOKEN}` }] } });
    const echoed = await purge(urls(10));
    expect(echoed.failed[0]?.reason).to.equal('Cloudflare answered 400: bad request from Bearer [token] (code 1012)');
    api.faultFor = undefined;
    const rejected = await purge(urls(10), FAST, { token: 'wrong-SECRET-token' });
    for (const outcome of [echoed, rejected]) expect(JSON.stringify(outcome)).to.not.match(/SECRET/);
  });

  it('sends nothing more once the stop signal is raised: the rest fail as not purged', async () => {
    const signal = { aborted: false, reason: new Error('stopped by Ctrl-C') };
    api.onPurge = () => { signal.aborted = true; };
    const outcome = await purge(urls(250), { ...FAST, signal });
    expect(api.received).to.equal(1);
    expect(outcome.purged).to.deep.equal(urls(100));
    expect(outcome.failed.map((f) => f.url)).to.deep.equal(urls(250).slice(100));
    expect(outcome.failed[0]?.reason).to.equal('not purged: stopped by Ctrl-C');
  });

  it('keeps to the Free plan\'s rate: 25 requests at once, then one every 12 s', async () => {
    const { clock, now, sleep } = fakeClock();
    const sentAt: number[] = [];
    api.onPurge = () => sentAt.push(Math.round(clock.t));
    const outcome = await purge(urls(30), { ...FAST, rate: undefined, now, sleep }, { plan: 'free', urlsPerRequest: 1 });
    expect(outcome.purged).to.have.length(30);
    expect(sentAt).to.deep.equal([...Array(25).fill(0), 12_000, 24_000, 36_000, 48_000, 60_000]);
    expect(outcome.seconds).to.be.closeTo(60, 0.001);
  });
});
