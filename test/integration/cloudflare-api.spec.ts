import { expect } from 'chai';
import { CloudflareApi } from '../servers/cloudflare-api';

const TOKEN = 'cf-contract-token-0123456789';
const ZONE = '00112233445566778899aabbccddeeff';

describe('local Cloudflare API (test server): the documented purge contract', () => {
  let api: CloudflareApi;
  let base: string;

  beforeEach(async () => {
    api = new CloudflareApi({ token: TOKEN, zoneId: ZONE, rate: { perSecond: 1, burst: 8 } });
    base = await api.start();
  });
  afterEach(async () => api.close());

  const post = async (body: unknown, { path = `/zones/${ZONE}/purge_cache`, token = TOKEN } = {}) => {
    const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const json = (await answer.json()) as { success: boolean; errors: { code: number }[] };
    return { status: answer.status, code: json.errors[0]?.code, success: json.success, retryAfter: answer.headers.get('retry-after') };
  };

  it('accepts files, prefixes, hosts and purge_everything within the limits, and records them', async () => {
    const files = Array.from({ length: 100 }, (_, i) => `https://assets.russ.fm/album/a${i}.jpg`);
    expect(await post({ files })).to.include({ status: 200, success: true });
    expect(await post({ files: [{ url: 'https://assets.russ.fm/x.jpg', headers: { Origin: 'https://russ.fm' } }] })).to.include({ status: 200 });
    expect(await post({ prefixes: ['assets.russ.fm/album/'] })).to.include({ status: 200 });
    expect(await post({ hosts: ['assets.russ.fm'] })).to.include({ status: 200 });
    expect(await post({ purge_everything: true })).to.include({ status: 200 });
    expect(api.purges).to.have.length(5);
    expect(api.purged().files.has('https://assets.russ.fm/x.jpg')).to.equal(true);
  });

  it('answers 400 with code 1012 for too many URLs or prefixes, a scheme in a prefix, or a mixed body', async () => {
    const files = Array.from({ length: 101 }, (_, i) => `https://assets.russ.fm/a${i}.jpg`);
    expect(await post({ files })).to.include({ status: 400, code: 1012 });
    expect(await post({ prefixes: Array.from({ length: 31 }, (_, i) => `assets.russ.fm/f${i}/`) })).to.include({ status: 400, code: 1012 });
    expect(await post({ prefixes: ['https://assets.russ.fm/album/'] })).to.include({ status: 400, code: 1012 });
    expect(await post({ files: ['https://assets.russ.fm/a.jpg'], prefixes: ['assets.russ.fm/album/'] })).to.include({ status: 400, code: 1012 });
    expect(api.purges).to.deep.equal([]);
  });

  it('answers 403 with code 10000 for a wrong token, and 404 off the route', async () => {
    expect(await post({ hosts: ['assets.russ.fm'] }, { token: 'wrong' })).to.include({ status: 403, code: 10000 });
    expect(await post({ hosts: ['assets.russ.fm'] }, { path: '/zones/purge' })).to.include({ status: 404 });
  });

  it('answers 429 with Retry-After once its token bucket is empty', async () => {
    const answers = [];
    for (let i = 0; i < 9; i += 1) answers.push(await post({ hosts: ['assets.russ.fm'] }));
    expect(answers.slice(0, 8).every((a) => a.status === 200)).to.equal(true);
    expect(answers[8]).to.include({ status: 429, retryAfter: '1' });
  });
});
