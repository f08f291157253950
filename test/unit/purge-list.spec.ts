import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { changedPublicKeys, formatPurge, purgeChanged, throwIfUnpurged, type PurgeReport } from '../../lib/edge/purge-changes';
import { readPurgeList } from '../../lib/edge/purge-list';
import { PurgeFailedError, UsageError } from '../../lib/errors';
import { useWorkspace } from '../helpers/tmp';

const BASE = 'https://assets.russ.fm';

describe('gulp purge --urls: the list, checked where it enters', () => {
  const ws = useWorkspace('purge-list');
  const file = async (name: string, text: string) => { const path = join(ws.current.root, name); await writeFile(path, text); return path; };

  it('reads a text list (blank lines, # comments, CRLF, duplicates) and the URLs a run report left unpurged', async () => {
    const text = await file('urls.txt', `# redo\r\n${BASE}/album/a/a-medium.jpg\r\n\r\n${BASE}/og-image.png\n${BASE}/album/a/a-medium.jpg\n`);
    expect(await readPurgeList(text, BASE)).to.deep.equal([`${BASE}/album/a/a-medium.jpg`, `${BASE}/og-image.png`]);
    const report = await file('sync.json', JSON.stringify({ ok: true, purge: { status: 'failed', unpurged: [{ url: `${BASE}/artist/b/b-avatar.jpg`, reason: 'HTTP 500' }] } }));
    expect(await readPurgeList(report, BASE)).to.deep.equal([`${BASE}/artist/b/b-avatar.jpg`]);
    // verify --public's stale answers (its next step says to purge them): the report is the list.
    const verify = await file('verify.json', JSON.stringify({ ok: false, problems: [
      { kind: 'public-stale', key: 'album/c/c-medium.jpg', url: `${BASE}/album/c/c-medium.jpg`, reason: 'cached answer' },
      { kind: 'missing', key: 'album/d/d-medium.jpg', reason: 'not in the bucket' },
    ] }));
    expect(await readPurgeList(verify, BASE)).to.deep.equal([`${BASE}/album/c/c-medium.jpg`]);
  });

  const hostile: [string, string, RegExp][] = [
    ['another site', 'https://evil.example/album/a.jpg', /line 3: .* is not under the public base URL https:\/\/assets\.russ\.fm/],
    ['a look-alike host', 'https://assets.russ.fm.evil.example/a.jpg', /is not under the public base URL/],
    ['a header smuggled after a control character', `${BASE}/a.jpg\u0000X-Evil: 1`, /contains white space or a control character/],
    ['credentials in the URL', 'https://user:pw@assets.russ.fm/a.jpg', /is not under the public base URL|carries a user name/],
    ['not a URL', 'album/a/a.jpg', /is not a URL|is not under/],
  ];
  for (const [what, line, message] of hostile) {
    it(`refuses ${what}, naming the line, and purges nothing`, async () => {
      const path = await file('bad.txt', `# first line\n${BASE}/ok.jpg\n${line}\n`);
      await readPurgeList(path, BASE).then(() => expect.fail('accepted'), (error: unknown) => {
        expect(error).to.be.instanceOf(UsageError);
        expect((error as Error).message).to.match(message);
      });
    });
  }

  it('refuses a JSON file that is not a report with a purge section, and a file too large to be a list', async () => {
    const json = await file('other.json', '{"hello": 1}');
    await readPurgeList(json, BASE).then(() => expect.fail('accepted'), (e: unknown) => expect((e as Error).message).to.match(/not a run report of ours \(no purge section, no verify problems\)/));
    await readPurgeList(join(ws.current.root, 'missing.txt'), BASE).then(() => expect.fail('accepted'), (e: unknown) => expect((e as Error).message).to.match(/cannot read it \(ENOENT\)/));
  });
});

describe('gulp purge --urls: what the attacker\'s trial found', () => {
  const ws = useWorkspace('purge-list-hostile');
  const file = async (name: string, text: string) => { const path = join(ws.current.root, name); await writeFile(path, text); return path; };
  const refused = (path: string, base = BASE) => readPurgeList(path, base).then(() => expect.fail('accepted'), (error: unknown) => {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  });

  it('refuses a URL that leaves a base with a path through .. or %2e%2e, and one not in normal form', async () => {
    const base = 'https://cdn.x.com/img';
    for (const url of [`${base}/../private/x.jpg`, `${base}/%2e%2e/other/x.jpg`, `${base}/a/./b.jpg`, 'https://CDN.x.com/img/a.jpg']) {
      expect(await refused(await file('dots.txt', `${base}/ok.jpg\n${url}\n`), base), url).to.match(/line 2: ".*" is not in its normal form \(as a URL it is https:\/\/cdn\.x\.com\//);
    }
    expect(await refused(await file('root.txt', `${base}/\n`), base)).to.match(/line 1: ".*" is not under the public base URL/);
    expect(await readPurgeList(await file('fine.txt', `${base}/a%20b.jpg\n`), base)).to.deep.equal([`${base}/a%20b.jpg`]);
  });

  it('refuses a FIFO, a device (a /dev/stdin link) or a directory by name instead of hanging on it', async () => {
    const fifo = join(ws.current.root, 'urls.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await refused(fifo)).to.match(/urls\.fifo is a FIFO \(named pipe\), not a regular file/);
    const link = join(ws.current.root, 'stdin');
    await symlink('/dev/null', link);
    expect(await refused(link)).to.match(/stdin is a device, not a regular file/);
    expect(await refused(ws.current.root)).to.match(/is a directory, not a regular file/);
  });

  it('never quotes a line that is not a URL: a .env file\'s secret stays unprinted', async () => {
    const env = await file('.env', '# production\nR2_BUCKET_NAME=images\nR2_SECRET_ACCESS_KEY=SECRET-abc\nTOKEN=SECRET a b\nkey:SECRET\nhttps://me:SECRET@assets.russ.fm/a.jpg\n');
    const message = await refused(env);
    expect(message).to.equal(`--urls ${env}, line 2 is not a URL (not shown)`);
    for (const line of ['R2_SECRET_ACCESS_KEY=SECRET-abc', 'TOKEN=SECRET a b', 'key:SECRET', 'https://me:SECRET@assets.russ.fm/a.jpg']) {
      expect(await refused(await file('one.env', `${line}\n`))).to.not.contain('SECRET');
    }
  });

  it('takes all the changed URLs of a sync report that ran without a purge token', async () => {
    const changed = [`${BASE}/album/a/a-medium.jpg`, `${BASE}/og-image.png`];
    const report = await file('sync.json', JSON.stringify({ ok: true, purge: { status: 'not-configured', changed, unpurged: [] } }));
    expect(await readPurgeList(report, BASE)).to.deep.equal(changed);
    // A purge that ran: only what it left, never what it purged.
    const ran = await file('ran.json', JSON.stringify({ ok: true, purge: { status: 'purged', changed, unpurged: [] } }));
    expect(await readPurgeList(ran, BASE)).to.deep.equal([]);
  });
});

describe('what a changing command purges, and what it says', () => {
  it('purges what was written or deleted, never the tool\'s records or archive', async () => {
    expect(changedPublicKeys({ written: ['album/a/a-medium.jpg', '_archive/md5-x', '_state/sync-state.json', 'og-image.png'], deleted: ['album/b/b-small.jpg', '_releases/r.json'] }))
      .to.deep.equal(['album/a/a-medium.jpg', 'album/b/b-small.jpg', 'og-image.png']);
    expect(changedPublicKeys(undefined)).to.deep.equal([]);
  });

  it('lists the changed URLs without a token, and a failed purge exits 3 naming the redo', async () => {
    const changed = Array.from({ length: 25 }, (_, i) => `${BASE}/album/s${i}/s${i}-medium.jpg`);
    const lines = formatPurge({ status: 'not-configured', changed, unpurged: [] });
    expect(lines[0]).to.equal('CDN: 25 changed URL(s), not purged (set CLOUDFLARE_PURGE_TOKEN and CLOUDFLARE_ZONE_ID to purge them after each change):');
    expect(lines).to.have.length(22);
    expect(lines.at(-1)).to.equal('  … and 5 more (all in the report)');
    const failed: PurgeReport = { status: 'failed', changed, purged: 24, unpurged: [{ url: changed[0] as string, reason: 'HTTP 500 after 5 attempts' }], requests: 1, mode: 'files' };
    expect(formatPurge(failed)[0]).to.equal('CDN: purged 24 of 25 changed URL(s); 1 may still be served stale:');
    expect(() => throwIfUnpurged(failed, 'sync to production', 'reports/sync-x.json', 'production')).to.throw(PurgeFailedError)
      .that.satisfies((e: PurgeFailedError) => e.exitCode === 3 && e.hint === 'nothing needs undoing: run `gulp purge --env production --urls reports/sync-x.json` to purge what is left');
    expect(() => throwIfUnpurged({ ...failed, status: 'purged', unpurged: [] }, 'sync', undefined, 'production')).to.not.throw();
  });

  it('says nothing about tokens for the embedded bucket, which no CDN fronts, and keeps its URLs for the report', async () => {
    const local = await purgeChanged(['album/a/a-medium.jpg'], { publicBase: 'http://127.0.0.1:4568/russ-fm-assets', local: true });
    expect(local).to.deep.equal({ status: 'no-cdn', changed: ['http://127.0.0.1:4568/russ-fm-assets/album/a/a-medium.jpg'], unpurged: [] });
    expect(formatPurge(local)).to.deep.equal(['1 public URL(s) changed (the embedded bucket has no CDN in front of it: nothing to purge; the list is in the report)']);
  });
});
