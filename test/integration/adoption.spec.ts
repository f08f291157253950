import { expect } from 'chai';
import { keyRules } from '../../lib/bucket/managed-keys';
import { openStore } from '../../lib/bucket/open-store';
import { resolveAssetsConfig } from '../../lib/config/assets-config';
import { CACHE_CONTROL, resolveEnvironment } from '../../lib/config/environment';
import { variantsByKey, type ManifestVariant } from '../../lib/manifest/types';
import { DEFAULT_DELETE_LIMITS } from '../../lib/plan/sync-plan';
import { readLatest } from '../../lib/releases/release-store';
import type { ObjectStore } from '../../lib/storage/object-store';
import { runSync, type SyncOptions, type SyncOutcome } from '../../lib/sync/run-sync';
import { formatPlan } from '../../lib/sync/sync-report';
import { md5Of } from '../../lib/util/hash';
import { isClean, runVerify, type VerifyOutcome } from '../../lib/verify/run-verify';
import { readManifestOf, runBuild } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { jpegMarkers, MARKER } from '../helpers/exif';
import { useWorkspace } from '../helpers/tmp';
import { fillLikeTheSite, GPS_SOURCE, SITE_CACHE_CONTROL, siteObjects, writeSiteSources } from '../support/site-bucket';
import { SyncHarness } from '../support/sync-harness';

const PRODUCTION_CACHE = CACHE_CONTROL.production;
const HEADER_CHANGE = `Cache-Control changes from "${SITE_CACHE_CONTROL}" to "${PRODUCTION_CACHE}"`;
/** Why a hi-res is replaced, by how the build published it (the manifest's `passthrough`). */
const REASON: Record<NonNullable<ManifestVariant['passthrough']>, string> = {
  strip: 'hi-res stripped of metadata (GPS/EXIF)',
  reencode: 'hi-res re-encoded (a PNG, rotated or non-sRGB source)',
  copy: 'hi-res that differ from their source (the source changed since)',
};
const DEFAULT_RULES = keyRules(resolveAssetsConfig(undefined));

async function bytesOf(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of (await store.get(key)).body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function tally(reasons: readonly string[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

describe('adopting the bucket russ.fm fills today (the site\'s own recipe)', function () {
  this.timeout(120_000);
  const ws = useWorkspace('adopt');
  let h: SyncHarness;
  let site: Map<string, Buffer>;
  beforeEach(async () => {
    h = await SyncHarness.start();
    site = await siteObjects(await writeSiteSources(ws.current.src));
    await fillLikeTheSite(h.direct, site);
    await runBuild(ws.current); // the default recipe (russ-fm)
    h.proxy.reset();
  });
  afterEach(async () => { await h.close(); });

  /** `gulp sync --env production` as the CLI runs it: the environment from S3_ENDPOINT & co, the store it opens. */
  async function productionSync(options: Partial<SyncOptions> = {}): Promise<SyncOutcome> {
    const env = resolveEnvironment('production', h.cliEnv('proxy'));
    const opened = await openStore(env);
    try {
      return await runSync(opened.store, {
        dist: ws.current.dest, cacheControl: env.cacheControl, scope: {}, keys: DEFAULT_RULES, delete: false, limits: DEFAULT_DELETE_LIMITS,
        dryRun: false, concurrency: 4, quiet: true, environment: env.name, ...options,
      });
    } finally { await opened.close(); }
  }

  async function productionVerify(): Promise<VerifyOutcome> {
    const env = resolveEnvironment('production', h.cliEnv('proxy'));
    const opened = await openStore(env);
    try {
      return await runVerify(opened.store, {
        manifest: await readManifestOf(ws.current), dist: ws.current.dest, cacheControl: env.cacheControl, scope: {}, keys: DEFAULT_RULES,
        deep: false, concurrency: 4, quiet: true,
      });
    } finally { await opened.close(); }
  }

  const unmanagedKeys = () => [...site.keys()].filter((k) => k.endsWith('og-image.png')).concat('robots.txt');

  it('uploads no clean cover: header-only copies, a replacement only where bytes differ (said why first), og-image.png untouched, a first release, then verify passes', async () => {
    const variants = [...variantsByKey(await readManifestOf(ws.current)).values()];
    expect(variants.every((v) => site.has(v.key)), 'the build makes no key the site lacks').to.equal(true);
    const differing = variants.filter((v) => md5Of(site.get(v.key) as Buffer) !== v.md5);
    // Renders must be the site's sharp call byte for byte: any that is not is named with its sizes.
    expect(differing.filter((v) => v.size !== 'hi-res').map((v) => `${v.key} ${v.width}x${v.height}: ours ${v.bytes} B, the site's ${site.get(v.key)?.length} B`)).to.deep.equal([]);
    expect(differing.map((v) => v.key)).to.include('artist/fruit/fruit-hi-res.jpg'); // a PNG source: re-encoded to a JPEG
    const before = new Map(await Promise.all(unmanagedKeys().map(async (k) => [k, await h.head(k)] as const)));

    const dry = await productionSync({ dryRun: true });
    expect(h.proxy.counts.put + h.proxy.counts.copy + h.proxy.counts.delete, 'a plan sends nothing').to.equal(0);
    expect(dry.totals).to.include({ creates: 0, updates: differing.length, retags: variants.length - differing.length, deletes: 0 });
    expect(dry.plan.notes?.replacing).to.deep.equal(tally(differing.map((v) => REASON[v.passthrough ?? 'copy'])));
    expect(dry.plan.notes?.headerCopies).to.deep.equal([{ change: HEADER_CHANGE, count: variants.length - differing.length }]);
    expect(dry.unmanaged).to.deep.include({ total: unmanagedKeys().length, other: unmanagedKeys().length, excluded: 0, held: 0 });
    const shown = formatPlan(dry);
    expect(shown).to.contain(`replacing ${differing.length} object(s) this tool did not write, whose bytes differ (each archived first): `);
    expect(shown).to.contain(`${variants.length - differing.length} header-only copies (${HEADER_CHANGE}): no bytes uploaded`);
    expect(shown).to.match(/7 unmanaged object\(s\) left alone \(never deleted or checked\): 7 not the tool's \(e\.g\. album\/\w+\/og-image\.png/);

    const real = await productionSync();
    expect(real.result?.failures).to.deep.equal([]);
    expect(real.result?.completed).to.include({ create: 0, update: differing.length, retag: variants.length - differing.length, delete: 0 });
    expect(real.result?.bytesUploaded).to.equal(differing.reduce((sum, v) => sum + v.bytes, 0));
    for (const v of differing) {
      const old = site.get(v.key) as Buffer;
      expect((await bytesOf(h.direct, `_archive/md5-${md5Of(old)}`)).equals(old), `${v.key} archived before it was replaced`).to.equal(true);
      expect(md5Of(await bytesOf(h.direct, v.key))).to.equal(v.md5);
    }
    for (const [key, head] of before) {
      const after = await h.head(key);
      expect([after?.etag, after?.lastModified.getTime()], `${key} untouched`).to.deep.equal([head?.etag, head?.lastModified.getTime()]);
    }
    expect(real.release?.parent).to.equal(undefined);
    expect(Object.keys(real.release?.objects ?? {}).sort()).to.deep.equal(variants.map((v) => v.key).sort());
    expect((await readLatest(h.direct)).pointer?.id).to.equal(real.release?.id);
    expect((await h.head('album/citrus/citrus-medium.jpg'))?.cacheControl).to.equal(PRODUCTION_CACHE);

    const verified = await productionVerify();
    expect(verified.findings).to.deep.equal([]);
    expect(isClean(verified)).to.equal(true);
    expect(verified.matching).to.equal(variants.length);
    expect(verified.unmanaged.total).to.equal(unmanagedKeys().length);
    expect((await productionSync()).plan.actions).to.deep.equal([]);
  });

  it('a hi-res the build strips of GPS/EXIF replaces the site\'s copy once, archived first, and the plan says why before anything is sent', async () => {
    const gpsKey = GPS_SOURCE;
    const manifest = await readManifestOf(ws.current);
    const source = Object.values(manifest.sources).find((s) => s.variants.some((v) => v.key === gpsKey));
    const hiRes = source?.variants.find((v) => v.key === gpsKey) as ManifestVariant;
    expect(hiRes.passthrough, 'the build stripped its GPS/EXIF').to.equal('strip');
    const dry = await productionSync({ dryRun: true });
    expect(dry.plan.notes?.replacing).to.deep.include({ reason: REASON.strip, count: 1 });
    expect(formatPlan(dry)).to.match(/replacing \d+ object\(s\) [^\n]*1 hi-res stripped of metadata \(GPS\/EXIF\)/);
    expect(await h.head(gpsKey)).to.have.property('etag', md5Of(site.get(gpsKey) as Buffer));

    const real = await productionSync();
    expect(real.plan.actions.filter((a) => a.kind === 'update').map((a) => a.key)).to.include(gpsKey);
    const published = await bytesOf(h.direct, gpsKey);
    expect(jpegMarkers(published)).to.not.include(MARKER.app1ExifOrXmp);
    expect((await bytesOf(h.direct, `_archive/md5-${md5Of(site.get(gpsKey) as Buffer)}`)).equals(site.get(gpsKey) as Buffer)).to.equal(true);
    const again = await productionSync();
    expect(again.plan.actions).to.deep.equal([]);
    expect(isClean(await productionVerify())).to.equal(true);
  });

  it('`gulp sync --env production --dry-run --exclude robots.txt` prints that plan and changes nothing (the repo\'s assets.config.ts: its publish globs find no file, so the OG cards are held)', async () => {
    const listed = async () => (await h.contents().then((c) => Object.keys(c))).length;
    const count = await listed();
    const run = await spawnGulp(['sync', '--env', 'production', '--dry-run', '--dest', ws.current.dest, '--exclude', 'robots.txt'], h.cliEnv());
    expect(run.status, run.output).to.equal(0);
    expect(run.output).to.contain(`header-only copies (${HEADER_CHANGE}): no bytes uploaded`);
    expect(run.output).to.match(/replacing \d+ object\(s\) this tool did not write, whose bytes differ \(each archived first\): [^\n]*1 hi-res re-encoded/);
    expect(run.output).to.contain('7 unmanaged object(s) left alone (never deleted or checked): 1 excluded or ignored (--exclude, `ignore`), '
      + '6 of a `publish` glob with no file in dist/');
    expect(run.output).to.match(/plan: 0 create, \d+ update, \d+ retag \(copy, headers only\), 0 delete, 0 unchanged, 7 unmanaged left alone/);
    expect(await listed()).to.equal(count);
  });
});
