import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SetupWorld, item } from '../support/setup-world';

/** A public domain whose headers carry C1 controls (CSI U+009B, NEL U+0085); Node sends them as UTF-8, which fetch reads as latin1 (Â, then the control). */
async function hostileDomain(): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('cache-control', 'public,\u009b2J max-age=1');
    res.setHeader('access-control-allow-origin', '\u0085https://evil.example');
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const C1 = /[\u0080-\u009f]/;

describe('gulp setup prints the public domain\'s header values printable', () => {
  let w: SetupWorld;
  let domain: { base: string; server: Server };
  beforeEach(async () => { w = await SetupWorld.start(); domain = await hostileDomain(); });
  afterEach(async () => { await w.close(); domain.server.closeAllConnections(); await new Promise((resolve) => { domain.server.close(resolve); }); });

  it('quotes a Cache-Control and an Access-Control-Allow-Origin holding C1 controls with ? in their place', async () => {
    const report = await w.run({ publicBase: domain.base });
    const domainLine = item(report, 'public domain').detail;
    expect(domainLine).to.match(/Cache-Control "public,\S*?\?2J max-age=1"/);
    const corsLine = item(report, 'CORS for https://russ.fm').detail;
    expect(corsLine).to.match(/with Access-Control-Allow-Origin: \S*?\?https:\/\/evil\.example/);
    expect(C1.test(domainLine) || C1.test(corsLine)).to.equal(false);
  });
});
