/**
 * Rollback benchmark (issue 5): release v1 of N small objects in russ.fm's key layout, release v2 with 1 %
 * of them changed, then `runRollback --release previous` back to v1, every request counted through the
 * proxy; next to it the no-change pass (the floor), the naive restore of the same objects (GET from the
 * archive + PUT back) and the same restores as bare copies. Each round ends by rolling forward to v2 again.
 * Usage: npm run bench:rollback -- [--count 12666] [--changed 127] [--kb 4] [--rounds 3] [--concurrency 16] [--server s3rver|ceph]
 * `--server ceph` uses a running Ceph radosgw (scripts/ceph-rgw.sh start; CEPH_S3_ENDPOINT) in a fresh bucket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectMetadata } from '../lib/execute/apply-plan';
import { AdaptiveLimiter } from '../lib/execute/adaptive-limiter';
import type { DesiredObject } from '../lib/plan/match';
import { DEFAULT_DELETE_LIMITS } from '../lib/plan/sync-plan';
import { archiveKeys } from '../lib/releases/release';
import { runRollback, type RollbackOptions } from '../lib/restore/run-rollback';
import type { ObjectHeaders } from '../lib/storage/object-store';
import { createS3Client, type StoreConfig } from '../lib/storage/s3-client';
import { createObjectReader } from '../lib/storage/s3-fetch-reader';
import { S3Store } from '../lib/storage/s3-store';
import { runSync } from '../lib/sync/run-sync';
import { desiredObjects } from '../lib/bucket/desired';
import { md5Of } from '../lib/util/hash';
import { mapPool } from '../lib/util/pool';
import { isClean, runVerify } from '../lib/verify/run-verify';
import { freshCephBucket } from '../test/servers/ceph';
import { FaultProxy } from '../test/servers/fault-proxy';
import { startTestS3rver } from '../test/servers/s3rver';
import { CountingStore } from './counting-store';
import { randomBody, russfmKeys, writeDist } from './release-dist';
import { printRollbackReport, type Measured, type Round } from './rollback-report';

const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const COUNT = Number(flag('count', '12666'));
const CHANGED = Number(flag('changed', String(Math.round(COUNT / 100))));
const KB = Number(flag('kb', '4'));
const ROUNDS = Number(flag('rounds', '3'));
const CONCURRENCY = Number(flag('concurrency', '16'));
const SERVER = flag('server', 's3rver');
const CACHE = 'public, max-age=300';
/** Where the naive restore and the bare copies write: outside the release, deleted after each step. */
const NAIVE_PREFIX = 'naive-restore/';

async function openBucket(): Promise<{ config: StoreConfig; where: string; close: () => Promise<void> }> {
  if (SERVER === 'ceph') {
    const config = await freshCephBucket();
    return { config, where: `Ceph radosgw at ${config.endpoint}`, close: async () => undefined };
  }
  if (SERVER !== 's3rver') throw new Error(`--server ${SERVER}: use s3rver or ceph`);
  // In-process, as `gulp sync` runs it in development: the local bucket carries the fix for s3rver's
  // CopyObject ETag (lib/storage/local-bucket.ts), which a rollback depends on.
  const local = await startTestS3rver('bench');
  return { config: local.store, where: 's3rver in-process (the local bucket)', close: () => local.close() };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'rollback-bench-'));
  const dist = join(work, 'dist');
  const bucket = await openBucket();
  const proxy = new FaultProxy(bucket.config.endpoint);
  const viaProxy = { ...bucket.config, endpoint: await proxy.start() };
  const client = createS3Client(viaProxy, {});
  const store = new CountingStore(new S3Store(client, viaProxy, { reader: createObjectReader(viaProxy) }));
  const loadAtStart = loadavg();
  try {
    const measure = async <T>(fn: () => Promise<T>): Promise<Measured<T>> => {
      proxy.reset();
      store.reset();
      const started = performance.now();
      const value = await fn();
      const seconds = (performance.now() - started) / 1000;
      const bytes = store.counts;
      store.reset(); // what runs next (the untimed verify) counts elsewhere
      return { value, seconds, requests: { ...proxy.counts, total: proxy.total }, bytes };
    };
    const sync = () => runSync(store, {
      dist, cacheControl: CACHE, scope: {}, delete: true, limits: DEFAULT_DELETE_LIMITS, dryRun: false,
      concurrency: CONCURRENCY, quiet: true, limiter: new AdaptiveLimiter(CONCURRENCY), environment: 'bench',
    });
    const rollback = (options: Partial<RollbackOptions> = {}) => runRollback(store, {
      release: 'previous', environment: 'bench', limits: DEFAULT_DELETE_LIMITS, dryRun: false,
      concurrency: CONCURRENCY, limiter: new AdaptiveLimiter(CONCURRENCY), quiet: true, ...options,
    });

    const keys = russfmKeys(COUNT);
    const files = new Map(keys.map((key) => [key, randomBody(KB * 1024)]));
    const bytes = [...files.values()].reduce((sum, b) => sum + b.length, 0);
    process.stderr.write(`v1: ${COUNT} objects, ${(bytes / 1e6).toFixed(1)} MB, syncing…\n`);
    const v1 = await writeDist(dist, files);
    const first = await measure(sync);
    const changed = Array.from({ length: CHANGED }, (_, i) => keys[Math.floor((i * COUNT) / CHANGED)] as string);
    for (const key of changed) files.set(key, randomBody(KB * 1024));
    process.stderr.write(`v2: ${CHANGED} objects changed, syncing…\n`);
    await writeDist(dist, files, changed);
    const second = await measure(sync);
    if (second.value.result?.completed.update !== CHANGED) throw new Error(`v2 sync updated ${second.value.result?.completed.update}, not ${CHANGED}`);

    // The naive restore moves the same v1 contents through the client: GET the archived copy, PUT it back. It
    // PUTs to a scratch key, so the bucket stays at the release the rounds expect: the same requests, another key.
    const v1Objects = new Map(desiredObjects(v1, CACHE).map((o) => [o.key, o]));
    const eachChanged = (restore: (local: DesiredObject, archived: string, headers: ObjectHeaders) => Promise<unknown>) => () =>
      mapPool(changed, CONCURRENCY, async (key) => {
        const local = v1Objects.get(key);
        if (!local) throw new Error(`${key} is not in v1`);
        await restore(local, archiveKeys(local)[0] as string, { contentType: local.contentType, cacheControl: local.cacheControl, metadata: objectMetadata(local) });
      });
    const naiveRestore = eachChanged(async (local, archived, headers) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of (await store.get(archived)).body) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      await store.put({ key: `${NAIVE_PREFIX}${local.key}`, body, md5: md5Of(body), ...headers });
    });
    // The rollback's restore copies alone, without its listing and records: the transport next to GET + PUT.
    const bareCopies = eachChanged((local, archived, headers) => store.copy({ key: `${NAIVE_PREFIX}${local.key}`, sourceKey: archived, ...headers }));
    const dropScratch = async () => {
      const cleanup = await store.deleteMany(changed.map((key) => `${NAIVE_PREFIX}${key}`));
      if (cleanup.failed.length > 0) throw new Error(`could not delete the scratch copies: ${cleanup.failed[0]?.reason}`);
    };

    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}…\n`);
      // The two dry runs swap places every round, so neither always follows the previous round's writes.
      const noChangePass = () => measure(() => rollback({ release: 'latest', dryRun: true }));
      const readPlanPass = () => measure(() => rollback({ dryRun: true }));
      const readFirst = round % 2 === 1;
      const earlier = readFirst ? await readPlanPass() : await noChangePass();
      const later = readFirst ? await noChangePass() : await readPlanPass();
      const [noChange, readPlan] = readFirst ? [later, earlier] : [earlier, later];
      if (noChange.value.plan.actions.length > 0) throw new Error(`the no-change pass planned ${noChange.value.plan.actions.length} actions`);
      const back = await measure(() => rollback());
      if (!back.value.release || back.value.result?.failures.length) throw new Error(`rollback failed: ${JSON.stringify(back.value.result?.failures.slice(0, 3))}`);
      const verified = await runVerify(store, { manifest: v1, cacheControl: CACHE, scope: {}, deep: false, concurrency: CONCURRENCY, quiet: true });
      if (!isClean(verified)) throw new Error(`after the rollback the bucket is not v1: ${JSON.stringify(verified.findings.slice(0, 2))}`);
      const forward = await measure(() => rollback());
      if (!forward.value.release) throw new Error('the roll forward did not finish');
      const naive = await measure(naiveRestore);
      await dropScratch();
      const copies = await measure(bareCopies);
      await dropScratch();
      rounds.push({ noChange, readPlan, rollback: back, forward, naive, copies });
    }
    printRollbackReport({
      count: COUNT, changed: CHANGED, bytes, where: bucket.where, concurrency: CONCURRENCY, rounds,
      syncs: [first, second], load: [loadAtStart, loadavg()],
    });
  } finally {
    if (SERVER === 'ceph') { // memstore keeps data in RAM: give it back
      const all: string[] = [];
      for await (const page of store.list()) all.push(...page.map((o) => o.key));
      await store.deleteMany(all).catch(() => undefined);
    }
    client.destroy();
    await proxy.close();
    await bucket.close();
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) main().catch((error: unknown) => { console.error(error); process.exit(1); });
