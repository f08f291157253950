import { expect } from 'chai';
import fc from 'fast-check';
import { readLatest, readRelease } from '../../lib/releases/release-store';
import { runVerify } from '../../lib/verify/run-verify';
import { md5Of } from '../../lib/util/hash';
import { listAll } from '../../lib/storage/object-store';
import { CACHE, SyncHarness } from '../support/sync-harness';
import { mirrorBetween, servedObjects } from '../support/mirror-pair';

/**
 * Random source histories and random target states (empty; synced by the tool with other bytes or other
 * headers; objects written behind its back; keys that are not the tool's) → after one mirror the target's
 * images are the source's latest release byte for byte with its headers, its own release says so (verify
 * against it is clean), a second mirror plans nothing, and keys that are not the tool's are untouched.
 * MIRROR_RUNS scales it; MIRROR_SEED replays.
 */
const RUNS = Number(process.env.MIRROR_RUNS ?? 12);
const SEED = process.env.MIRROR_SEED ? { seed: Number(process.env.MIRROR_SEED) } : undefined;
const KEYS = ['album/abba/abba-small.jpg', 'album/abba/abba-medium.jpg', 'album/bjork/bjork-small.jpg', 'artist/eno/eno-small.jpg', 'album/dido/dido-medium.jpg'];
const UNMANAGED = ['robots.txt', 'album/abba/og-image.png'];
const ALL = { delete: true, limits: { count: 100, percent: 100 } };

const state = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom('one', 'two', 'three, longer'), { minKeys: 1 });
const targetState = fc.record({
  synced: fc.option(state, { nil: undefined }),
  cacheControl: fc.constantFrom(CACHE, 'public, max-age=1'),
  // Bytes behind the tool's back change the ETag; the same bytes with other headers keep it, and only a later second
  // than the state record's shows them (a change within its second is for verify --deep, as for sync: README).
  behindBack: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom('two', 'foreign bytes')),
  nextSecond: fc.boolean(),
  unmanaged: fc.subarray(UNMANAGED),
});

async function put(h: SyncHarness, key: string, text: string): Promise<void> {
  const body = Buffer.from(text);
  await h.direct.put({ key, body, md5: md5Of(body), contentType: 'image/jpeg', cacheControl: 'no-cache', metadata: {} });
}

describe('gulp mirror, generated: the target ends as the source\'s latest release, whatever it held', function () {
  this.timeout(Math.max(60_000, RUNS * 10_000));

  it('holds byte for byte, records it, converges, and leaves keys that are not the tool\'s alone', async () => {
    await fc.assert(fc.asyncProperty(fc.array(state, { minLength: 1, maxLength: 2 }), targetState, async (history, target) => {
      const [dev, backup] = await Promise.all([SyncHarness.start('s3rver'), SyncHarness.start('s3rver')]);
      try {
        await dev.publish(...history);
        if (target.synced) {
          await backup.writeDist(target.synced);
          await backup.sync({ ...ALL, cacheControl: target.cacheControl });
        }
        const sameBytes = Object.entries(target.behindBack).some(([key, text]) => target.synced?.[key] === text);
        fc.pre(!sameBytes || target.nextSecond); // within the record's second: not visible to any listing, out of this property
        if (sameBytes) await new Promise((resolve) => setTimeout(resolve, 1100));
        for (const [key, text] of Object.entries(target.behindBack)) await put(backup, key, text);
        for (const key of target.unmanaged) await put(backup, key, `not ours: ${key}`);
        const untouched = new Map((await listAll(backup.direct)).filter((o) => UNMANAGED.includes(o.key)).map((o) => [o.key, o.etag]));

        const mirrored = await mirrorBetween(dev, backup, { limits: { ...ALL.limits, allowMass: true } });
        expect(mirrored.result?.failures ?? []).to.deep.equal([]);
        // The source's release, not its bucket: a sync may have kept extras there (its mass-delete guard).
        const source = await readRelease(dev.direct, (await readLatest(dev.direct)).pointer?.id ?? '');
        const want = Object.fromEntries(Object.entries(await servedObjects(dev.direct)).filter(([key]) => Object.hasOwn(source.objects, key)));
        const got = await servedObjects(backup.direct);
        for (const key of UNMANAGED) delete got[key];
        expect(got).to.deep.equal(want);
        for (const [key, o] of Object.entries(source.objects)) expect(got[key]?.sha256, key).to.equal(o.sha256);
        const after = new Map((await listAll(backup.direct)).filter((o) => UNMANAGED.includes(o.key)).map((o) => [o.key, o.etag]));
        expect(after).to.deep.equal(untouched);

        const release = await readRelease(backup.direct, (await readLatest(backup.direct)).pointer?.id ?? '');
        expect(release.objects).to.deep.equal(source.objects);
        const verified = await runVerify(backup.store, { release, cacheControl: CACHE, scope: {}, deep: true, concurrency: 4, quiet: true });
        expect(verified.findings).to.deep.equal([]);
        expect((await mirrorBetween(dev, backup)).plan.actions).to.deep.equal([]);
      } finally {
        await Promise.all([dev.close(), backup.close()]);
      }
    }), { numRuns: RUNS, ...SEED });
  });
});
