import { expect } from 'chai';
import { planPurge, PREFIXES_PER_REQUEST, type PurgeRequest } from '../../lib/edge/purge-plan';

const BASE = 'https://assets.russ.fm';
const options = { publicBase: BASE, urlsPerRequest: 100, purgeByPrefixAbove: 1000 };
const albums = (n: number, base = BASE) => Array.from({ length: n }, (_, i) => `${base}/album/a${i}/a${i}-medium.jpg`);
const filesOf = (r: PurgeRequest) => ('files' in r ? r.files : []);
const prefixesOf = (r: PurgeRequest) => ('prefixes' in r ? r.prefixes : []);

describe('planPurge: which purge requests cover the changed URLs', () => {
  it('batches URLs at or below the threshold, urlsPerRequest at a time', async () => {
    const plan = planPurge(albums(250), options);
    expect(plan.mode).to.equal('files');
    expect(plan.requests.map((r) => filesOf(r).length)).to.deep.equal([100, 100, 50]);
    expect(planPurge(albums(250), { ...options, urlsPerRequest: 30 }).requests).to.have.length(9);
    expect(plan.requests.flatMap((r) => r.covers)).to.deep.equal(albums(250));
  });

  it('drops duplicate URLs before batching and counting', async () => {
    const urls = [...albums(3), ...albums(3)];
    const plan = planPurge(urls, { ...options, purgeByPrefixAbove: 3 });
    expect(plan.mode).to.equal('files');
    expect(plan.requests).to.deep.equal([{ files: albums(3), covers: albums(3) }]);
  });

  it('purges by top folder above the threshold, in one request', async () => {
    const urls = [...albums(5), `${BASE}/artist/eno/eno-avatar.jpg`];
    const plan = planPurge(urls, { ...options, purgeByPrefixAbove: 4 });
    expect(plan.mode).to.equal('prefixes');
    expect(plan.requests).to.have.length(1);
    expect(prefixesOf(plan.requests[0] as PurgeRequest)).to.deep.equal(['assets.russ.fm/album/', 'assets.russ.fm/artist/']);
    expect(plan.requests[0]?.covers).to.have.members(urls);
  });

  it('keeps the public base\'s own path in each prefix', async () => {
    const base = 'https://cdn.x.com/img/';
    const plan = planPurge(albums(3, 'https://cdn.x.com/img'), { ...options, publicBase: base, purgeByPrefixAbove: 0 });
    expect(plan.requests).to.deep.equal([{ prefixes: ['cdn.x.com/img/album/'], covers: albums(3, 'https://cdn.x.com/img') }]);
  });

  it('keeps URLs directly under the base as files in their own request, beside the prefixes', async () => {
    const loose = [`${BASE}/og-image.png`, `${BASE}/og-image.png?v=1a2b3c4d`];
    const plan = planPurge([...albums(4), ...loose], { ...options, purgeByPrefixAbove: 2 });
    expect(plan.mode).to.equal('prefixes');
    expect(plan.requests).to.deep.equal([
      { prefixes: ['assets.russ.fm/album/'], covers: albums(4) },
      { files: loose, covers: loose },
    ]);
  });

  it('purges the base itself, in one request, when the files directly under it would take more than a few', async () => {
    const loose = (base: string) => Array.from({ length: 301 }, (_, i) => `${base}/cover-${i}.jpg`);
    const plan = planPurge([...albums(5), ...loose(BASE)], { ...options, purgeByPrefixAbove: 10 });
    expect(plan).to.deep.equal({ mode: 'prefixes', requests: [{ prefixes: ['assets.russ.fm'], covers: [...albums(5), ...loose(BASE)] }] });
    const withPath = planPurge(loose('https://cdn.x.com/img'), { ...options, publicBase: 'https://cdn.x.com/img/', purgeByPrefixAbove: 10 });
    expect(withPath.requests.map(prefixesOf)).to.deep.equal([['cdn.x.com/img']]);
    expect(planPurge(loose(BASE).slice(0, 300), { ...options, purgeByPrefixAbove: 10 }).requests.map((r) => filesOf(r).length)).to.deep.equal([100, 100, 100]);
  });

  it(`puts at most ${PREFIXES_PER_REQUEST} prefixes in a request`, async () => {
    const urls = Array.from({ length: 65 }, (_, i) => `${BASE}/folder${i}/x.jpg`);
    const plan = planPurge(urls, { ...options, purgeByPrefixAbove: 10 });
    expect(plan.requests.map((r) => prefixesOf(r).length)).to.deep.equal([30, 30, 5]);
    expect(plan.requests.flatMap((r) => r.covers)).to.have.members(urls);
  });

  it('plans no request for no URLs', async () => {
    expect(planPurge([], options)).to.deep.equal({ mode: 'files', requests: [] });
    expect(planPurge([], { ...options, purgeByPrefixAbove: 0 }).requests).to.deep.equal([]);
  });

  it('refuses a URL that is not under the public base, naming it', async () => {
    for (const url of ['https://russ.fm/album/a/a.jpg', 'https://assets.russ.fm.evil.com/album/x.jpg', `${BASE}/`, 'assets.russ.fm/album/x.jpg']) {
      expect(() => planPurge([url], options), url).to.throw(TypeError, `"${url}" is not under the public base`);
    }
  });

  it('refuses a public base that is not an http(s) URL', async () => {
    expect(() => planPurge([], { ...options, publicBase: 'assets.russ.fm' })).to.throw(TypeError, 'is not a URL');
    expect(() => planPurge([], { ...options, publicBase: 'ftp://assets.russ.fm' })).to.throw(TypeError, 'not an http(s) URL');
  });
});
