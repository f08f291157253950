import { expect } from 'chai';
import fc from 'fast-check';
import { join } from 'node:path';
import { AssetsError } from '../../lib/errors';
import { releaseKey, type Release } from '../../lib/releases/release';
import { runPull } from '../../lib/restore/run-pull';
import { STATE_KEY } from '../../lib/bucket/state-record';
import { pathUnder } from '../../lib/util/contained-path';
import { md5Of } from '../../lib/util/hash';
import { imageKeyProblem } from '../../lib/validate/object-key';
import { BadRecordError, parseRelease } from '../../lib/validate/records';
import { snapshot } from '../helpers/snapshot';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';
import { V1, V2 } from '../support/release-states';
import { SyncHarness } from '../support/sync-harness';

/**
 * Generated hostile release records (fast-check): a real record with keys from a hostile alphabet
 * (`..`, `.`, `\`, `/`, reserved prefixes, control characters, non-NFC) and fields replaced by random
 * JSON or removed. Invariants: the parser either refuses with BadRecordError naming the record or
 * returns a record whose every key is an image key under any root; a pull or rollback of it writes
 * nothing outside its folder, never touches the tool's own records, and fails only with our typed errors.
 * RECORD_RUNS and RECORD_BUCKET_RUNS scale it; RECORD_SEED (and RECORD_PATH) replays.
 */
const RUNS = Number(process.env.RECORD_RUNS ?? 200);
const BUCKET_RUNS = Number(process.env.RECORD_BUCKET_RUNS ?? 25);
const SEED = process.env.RECORD_SEED ? { seed: Number(process.env.RECORD_SEED), path: process.env.RECORD_PATH } : undefined;

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', 'album', 'x', '_state', '_releases', '_archive', 'e\u0301', '\u0000', '\u001b[2J', 'a\\..\\..', '~', 'C:'),
  fc.string({ maxLength: 6 }),
);
const hostileKey = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/')),
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('\\')}`),
);
const FIELDS = ['schema', 'id', 'createdAt', 'parent', 'environment', 'reason', 'objects', 'changes', 'manifest'] as const;

type Mutation = { kind: 'key'; key: string } | { kind: 'field'; field: string; value: unknown } | { kind: 'drop'; field: string }
  | { kind: 'object-field'; field: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  hostileKey.map((key) => ({ kind: 'key' as const, key })),
  fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(...FIELDS), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...FIELDS) }),
  fc.record({ kind: fc.constant('object-field' as const), field: fc.constantFrom('md5', 'sha256', 'size', 'contentType', 'versionId'), value: fc.jsonValue({ maxDepth: 1 }) }),
);

function tamper(release: Release, mutations: readonly Mutation[]): string {
  const record: Record<string, unknown> = JSON.parse(JSON.stringify(release));
  const objects = record.objects as Record<string, Record<string, unknown>>;
  const first = Object.keys(objects)[0] ?? 'album/x/x.jpg';
  for (const m of mutations) {
    if (m.kind === 'key') objects[m.key] = { ...objects[first] };
    else if (m.kind === 'field') record[m.field] = m.value;
    else if (m.kind === 'drop') delete record[m.field];
    else if (objects[first]) objects[first][m.field] = m.value;
  }
  return JSON.stringify(record);
}

describe('generated hostile release records', function () {
  this.timeout(300_000);
  let h: SyncHarness;
  let v1 = '';
  let template: Release;
  before(async () => {
    h = await SyncHarness.start();
    [v1 = ''] = await h.publish(V1, V2);
    template = JSON.parse(await h.text(releaseKey(v1))) as Release;
  });
  after(async () => { await h.close(); });

  it('are refused by name or parse into image keys only: never a TypeError, never a key that leaves a folder', async () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      let parsed: Release;
      try {
        parsed = parseRelease(tamper(template, mutations), releaseKey(v1));
      } catch (error) {
        expect(error).to.be.instanceOf(BadRecordError);
        expect((error as Error).message.startsWith(`${releaseKey(v1)}: `)).to.equal(true);
        return;
      }
      for (const key of Object.keys(parsed.objects)) {
        expect(imageKeyProblem(key), key).to.equal(undefined);
        expect(pathUnder('/srv/dest', key).startsWith('/srv/dest/')).to.equal(true);
      }
    }), { numRuns: RUNS, ...SEED });
  });

  it('pulled or rolled back to in a real bucket: nothing outside the folder, no record of the tool\'s overwritten', async () => {
    const sandbox = await makeTmpDir('hostile-sandbox');
    try {
      await writeAt(sandbox, 'victim.txt', 'precious');
      await writeAt(sandbox, 'a/victim.txt', 'precious too');
      const outside = snapshot(sandbox);
      let run = 0;
      await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const body = Buffer.from(tamper(template, mutations));
        await h.direct.put({ key: releaseKey(v1), body, md5: md5Of(body), contentType: 'application/json', cacheControl: 'no-store', metadata: {} });
        const dest = join(sandbox, 'a', 'b', `pull-${(run += 1)}`);
        const stateBefore = (await h.head(STATE_KEY))?.etag;
        const pulled = await runPull(h.store, { release: v1, dest, concurrency: 4, quiet: true }).catch((e: unknown) => e);
        if (pulled instanceof Error) expect(pulled, pulled.stack).to.be.instanceOf(AssetsError);
        const rolled = await h.rollback(v1).catch((e: unknown) => e);
        if (rolled instanceof Error) {
          expect(rolled, rolled.stack).to.be.instanceOf(AssetsError);
          expect((await h.head(STATE_KEY))?.etag, 'a refused rollback left the state record as it was').to.equal(stateBefore);
        }
        const now = snapshot(sandbox);
        for (const [path, entry] of Object.entries(outside)) expect(now[path], path).to.equal(entry);
        for (const path of Object.keys(now)) expect(path in outside || path === 'a/b' || path.startsWith('a/b/'), path).to.equal(true);
        for (const key of ['_state/sync-state.json', '_releases/latest.json']) expect(await h.head(key), key).to.not.equal(null);
        await h.publish(V2); // back to a known latest for the next run
      }), { numRuns: BUCKET_RUNS, ...SEED });
    } finally {
      await removeTmp(sandbox);
    }
  });
});
