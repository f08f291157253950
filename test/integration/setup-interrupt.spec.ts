import { expect } from 'chai';
import { listAll } from '../../lib/storage/object-store';
import { SetupWorld, item } from '../support/setup-world';

const STOPPED = 'not checked: stopped by Ctrl-C';

describe('gulp setup stopped by Ctrl-C', () => {
  let w: SetupWorld;
  beforeEach(async () => { w = await SetupWorld.start(); });
  afterEach(async () => { await w.close(); });

  it('skips the steps not begun, still removes its probe, and names what it left unchecked', async () => {
    const signal = { aborted: false };
    const record = w.proxy.onRequest;
    // Ctrl-C arrives while the first probe is being written.
    w.proxy.onRequest = (op, key, req) => { record?.(op, key, req); if (/^PUT .*setup-probe-/.test(`${req.method} ${req.url}`)) signal.aborted = true; };
    const report = await w.run({ signal });
    expect(item(report, 'CORS').ok).to.equal(true);
    expect(item(report, 'credentials (bucket "images")').detail).to.match(/written and removed/);
    for (const name of ['credentials (bucket "records")', 'public domain', 'CORS for https://russ.fm', 'records private', 'lifecycle']) {
      expect(item(report, name), name).to.deep.include({ ok: 'skipped', detail: STOPPED });
    }
    expect(report.unchecked).to.deep.equal(['credentials (bucket "records")', 'public domain', 'CORS for https://russ.fm', 'CORS for http://localhost:5173', 'records private', 'lifecycle']);
    expect(await listAll(w.images(), { prefix: '_state/' })).to.deep.equal([]);
    expect(await listAll(w.store(), { prefix: '_state/' })).to.deep.equal([]);
  });

  it('stopped before it begins, it changes nothing and leaves every item unchecked', async () => {
    const report = await w.run({ signal: { aborted: true } });
    expect(report.items.every((i) => i.ok === 'skipped' && i.detail === STOPPED)).to.equal(true);
    expect(w.requests.filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '))).to.deep.equal([]);
  });
});
