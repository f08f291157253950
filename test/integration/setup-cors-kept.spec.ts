import { expect } from 'chai';
import type { BucketCorsRule } from '../../lib/storage/bucket-settings';
import { SetupWorld, item } from '../support/setup-world';

/** Someone else's rule: an admin app uploading to the bucket. */
export const UPLOADS: BucketCorsRule = { id: 'other-site-uploads', origins: ['https://admin.example.org'], methods: ['PUT', 'POST'], headers: [], exposeHeaders: ['ETag'] };
const KEPT = 'kept 1 rule that is not this tool\'s (PUT, POST from https://admin.example.org)';
const corsWrites = (w: SetupWorld) => w.requests.filter((r) => /^PUT [^?]*\?cors/.test(r));

describe('gulp setup on s3rver keeps CORS rules that are not its own', () => {
  let w: SetupWorld;
  beforeEach(async () => { w = await SetupWorld.start(); });
  afterEach(async () => { await w.close(); });

  it('adds its read rule beside an uploads rule (PUT, POST), keeps that rule as it was, says so, and reports the CORS as it was before', async () => {
    await w.settings().putCors([UPLOADS]);
    const report = await w.run();
    expect(item(report, 'CORS').ok).to.equal(true);
    expect(item(report, 'CORS').changes?.at(-1)).to.equal(KEPT);
    const read = await w.settings().getCors();
    const rules = read.state === 'set' ? read.value : [];
    expect(rules.map((r) => [r.id, r.origins, r.methods, r.exposeHeaders])).to.deep.equal([
      ['other-site-uploads', ['https://admin.example.org'], ['PUT', 'POST'], ['ETag']], [undefined, ['https://russ.fm', 'http://localhost:5173'], ['GET', 'HEAD'], []],
    ]);
    expect(report.corsBefore).to.deep.equal({ state: 'set', value: [{ ...UPLOADS, maxAgeSeconds: undefined }] });

    w.requests.length = 0;
    const again = await w.run();
    expect(item(again, 'CORS').detail).to.match(new RegExp(`^as configured: .*; ${KEPT.replace(/[()]/g, '\\$&')}$`));
    expect(corsWrites(w)).to.deep.equal([]);
  });
});
