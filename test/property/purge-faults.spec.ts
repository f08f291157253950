import { expect } from 'chai';
import fc from 'fast-check';
import { purgeCdn, type PurgeOptions } from '../../lib/edge/purge-client';
import { planPurge } from '../../lib/edge/purge-plan';
import { withDeadline } from '../helpers/deadline';
import { CloudflareApi, type ApiFault } from '../servers/cloudflare-api';

/**
 * Random changed-URL sets and random fault schedules (5xx, 429 with and without Retry-After, answers that
 * never come, resets before and after the purge, 400, 403, a 200 with success: false) against the local
 * Cloudflare API. Invariants: every run ends within a bound; each URL ends in exactly one of purged and
 * failed; whatever is reported purged the server recorded; the client's request count is the server's;
 * the token is nowhere in the outcome. PURGE_FAULT_RUNS scales it; PURGE_FAULT_SEED replays.
 */
const RUNS = Number(process.env.PURGE_FAULT_RUNS ?? 50);
const SEED = process.env.PURGE_FAULT_SEED ? Number(process.env.PURGE_FAULT_SEED) : undefined;
const TOKEN = 'cf-property-token-SECRET-abcdef0123';
const ZONE = 'fedcba9876543210fedcba9876543210';
const BASE = 'https://assets.russ.fm';
const OPTIONS: PurgeOptions = {
  rate: { perSecond: 10_000, burst: 10_000 }, deadlineMs: 80, maxAttempts: 5, throttlesAllowed: 3, backoffBaseMs: 2, maxBackoffMs: 20, maxRetryAfterMs: 20,
};
// At most 10 faults, each costing at most a deadline plus a backoff, beside a few hundred quick requests.
const RUN_DEADLINE_MS = 5_000;

// Mostly faults a retry gets past; now and then one that fails a request (or, a 403, the whole run) for good.
const faults: fc.Arbitrary<ApiFault> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<ApiFault>({ status: 500 }, { status: 502 }, { status: 503 }, 'hang', 'reset', 'reset-after') },
  { weight: 3, arbitrary: fc.constantFrom<ApiFault>({ status: 429 }, { status: 429, retryAfter: 0 }, { status: 429, retryAfter: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom<ApiFault>(
    { status: 400, body: { success: false, errors: [{ code: 1012, message: 'bad purge' }] } },
    { status: 403, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] } },
    { status: 200, body: { success: false, errors: [{ code: 1234, message: 'not queued' }] } },
  ) },
);

/** Album and artist images, and files directly under the base (which a prefix purge cannot cover); duplicates too. */
const changedUrls = fc.array(fc.tuple(fc.constantFrom('album', 'artist', undefined), fc.nat(150)), { maxLength: 300 })
  .map((picks) => picks.map(([folder, n]) => (folder ? `${BASE}/${folder}/x${n}/x${n}-medium.jpg` : `${BASE}/og-${n}.png`)));

const cases = fc.record({
  urls: changedUrls,
  urlsPerRequest: fc.constantFrom(7, 30, 100),
  purgeByPrefixAbove: fc.constantFrom(0, 50, 1000),
  faults: fc.array(faults, { maxLength: 10 }),
});

describe('purgeCdn under random fault schedules (property)', () => {
  it('always ends, and reports every URL exactly once: purged (and recorded by the API) or failed', async () => {
    const tally: Record<string, number> = {};
    await fc.assert(fc.asyncProperty(cases, async (c) => {
      const api = new CloudflareApi({ token: TOKEN, zoneId: ZONE });
      try {
        const apiBase = await api.start();
        api.faults.push(...c.faults);
        const plan = planPurge(c.urls, { publicBase: BASE, urlsPerRequest: c.urlsPerRequest, purgeByPrefixAbove: c.purgeByPrefixAbove });
        const settings = { apiBase, zoneId: ZONE, token: TOKEN, plan: 'free' as const, urlsPerRequest: c.urlsPerRequest, purgeByPrefixAbove: c.purgeByPrefixAbove };
        const outcome = await withDeadline(purgeCdn(plan, settings, OPTIONS), RUN_DEADLINE_MS, 'purgeCdn under faults');

        const reported = [...outcome.purged, ...outcome.failed.map((f) => f.url)].sort();
        expect(reported, 'each URL exactly once').to.deep.equal([...new Set(c.urls)].sort());
        const recorded = api.purged();
        const unrecorded = outcome.purged.filter((url) => !recorded.files.has(url) && !recorded.prefixes.some((p) => url.slice('https://'.length).startsWith(p)));
        expect(unrecorded, 'purged but never recorded by the API').to.deep.equal([]);
        expect(outcome.requests, 'requests sent').to.equal(api.received);
        expect(JSON.stringify(outcome)).to.not.contain('SECRET');
        const kind = c.urls.length === 0 ? 'nothing to purge' : outcome.failed.length === 0 ? 'all purged' : outcome.purged.length === 0 ? 'all failed' : 'some failed';
        tally[kind] = (tally[kind] ?? 0) + 1;
      } finally {
        await api.close();
      }
    }), { numRuns: RUNS, seed: SEED });
    console.log(`      purge outcomes over ${RUNS} schedules: ${JSON.stringify(tally)}`);
  });
});
