import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { CACHE, SyncHarness } from '../support/sync-harness';

// Finding 5 of [05/10]: on a store that does not normalise keys (s3rver here; S3, MinIO and Ceph keep the
// bytes they are given), an object stored under the NFD form of a key counted as the NFC object: sync said
// unchanged, verify said clean, repair did nothing, while the public URL (the NFC key) was a 404.
const NFC = 'artist/björk/björk-small.jpg';
const NFD = NFC.normalize('NFD');
const BYTES = 'björk small';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('keys that differ only in Unicode normalisation, against s3rver', () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
    await h.writeDist({ [NFC]: BYTES });
    await h.direct.put({ key: NFD, body: Buffer.from(BYTES), md5: md5(BYTES), contentType: 'image/jpeg', cacheControl: CACHE, metadata: {} });
  });
  afterEach(async () => { await h.close(); });

  it('the store keeps both forms apart (the premise)', async () => {
    expect(NFD).to.not.equal(NFC);
    expect(await h.head(NFC)).to.equal(null);
    expect(await h.head(NFD)).to.not.equal(null);
  });

  it('verify names the NFC key missing and the NFD object an extra, as its non-NFC twin', async () => {
    const outcome = await h.verify();
    expect(outcome.findings.map((f) => [f.kind, f.key])).to.deep.equal([['extra', NFD], ['missing', NFC]].sort((a, b) => (a[1] as string < (b[1] as string) ? -1 : 1)));
    expect(outcome.findings.find((f) => f.kind === 'extra')?.reason).to.equal(`key is not NFC: the non-NFC twin of ${NFC} (it never serves that URL; remove it with --delete)`);
  });

  it('sync uploads the NFC key and keeps the twin without --delete; with --delete the twin goes (archived first)', async () => {
    const kept = await h.sync();
    expect(kept.plan.actions.map((a) => [a.kind, a.key])).to.deep.equal([['create', NFC]]);
    expect(kept.plan.extras.map((e) => e.key)).to.deep.equal([NFD]);
    expect(await h.text(NFC)).to.equal(BYTES);
    const publicAnswer = await fetch(`${h.server.publicBase}/${NFC.split('/').map(encodeURIComponent).join('/')}`);
    expect(publicAnswer.status).to.equal(200);
    const removed = await h.sync({ delete: true, limits: { count: 10, percent: 100 } });
    expect(removed.result?.deleted).to.deep.equal([NFD]);
    expect(await h.head(NFD)).to.equal(null);
    expect(await h.text(`_archive/md5-${md5(BYTES)}`)).to.equal(BYTES);
    expect((await h.verify()).findings).to.deep.equal([]);
  });
});
