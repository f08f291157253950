import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENDPOINT_FILE, readEndpoint } from '../../lib/serve/endpoint-file';
import { RENDERED_HEADER } from '../../lib/serve/bucket-middleware';
import { runBuild, readManifestOf } from '../helpers/build';
import { spawnGulp } from '../helpers/cli';
import { withDeadline } from '../helpers/deadline';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource } from '../helpers/paths';
import { gulpIn, makeProject, startServeChild, type Project, type ServeChild } from '../helpers/serve';
import { removeTmp, writeAt } from '../helpers/tmp';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const exists = (path: string) => access(path).then(() => true, () => false);

describe('gulp serve from the command line', () => {
  let project: Project;
  const children: ServeChild[] = [];
  const serve = async (args?: string[]) => { const child = await startServeChild(project, args); children.push(child); return child; };
  const fetchBody = async (url: string) => {
    const response = await withDeadline(fetch(url, { signal: AbortSignal.timeout(10_000) }), 15_000, `GET ${url}`);
    return { status: response.status, rendered: response.headers.get(RENDERED_HEADER), body: Buffer.from(await response.arrayBuffer()) };
  };

  beforeEach(async () => {
    project = await makeProject();
    await writeAt(project.src, albumSource('a'), await photoJpeg(1200, 900));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.stop('SIGKILL').catch(() => undefined);
    await removeTmp(project.root);
  });

  it('keeps the bucket up until Ctrl-C: `gulp sync` in another process uses it, and the object is then served at its public URL', async () => {
    await runBuild(project);
    const medium = (await readManifestOf(project)).sources[albumSource('a')]?.variants.find((v) => v.size === 'medium');
    const served = await serve();
    expect((await readEndpoint(project.bucketDir))?.pid).to.equal(served.child.pid);
    const before = await fetchBody(`${served.publicBase}/album/a/a-medium.jpg`);
    expect([before.status, before.rendered]).to.deep.equal([200, 'album/a/a-hi-res.jpg']);
    const sync = await gulpIn(project, ['sync']);
    expect(sync.status, sync.output).to.equal(0);
    expect(sync.output).to.include(`kept up by \`gulp serve\` (pid ${served.child.pid}`).and.include(`${served.publicBase}/<key>`);
    const after = await fetchBody(`${served.publicBase}/album/a/a-medium.jpg`);
    expect([after.status, after.rendered, sha256(after.body)]).to.deep.equal([200, null, medium?.sha256]);
    const again = await gulpIn(project, ['sync']);
    expect(again.output, again.output).to.match(/0 create, 0 update, 0 retag \(copy, headers only\), 0 delete, 2 unchanged/);
    expect(await exists(join(project.bucketDir, 'russ-fm-assets', '_state', 'lock.json._S3rver_object')), 'writer lock given back').to.equal(false);
    expect(await served.stop('SIGINT')).to.equal(0);
    expect(served.output()).to.include('Ctrl-C: stopping the embedded bucket');
    expect(await exists(join(project.bucketDir, ENDPOINT_FILE))).to.equal(false);
  });

  it('a killed serve\'s endpoint file does not break the next run: sync starts its own bucket, and the next serve replaces the file', async () => {
    await runBuild(project);
    const killed = await serve();
    expect(await killed.stop('SIGKILL')).to.equal(null);
    const stale = await readFile(join(project.bucketDir, ENDPOINT_FILE), 'utf8');
    expect(JSON.parse(stale).pid).to.equal(killed.child.pid);
    const sync = await gulpIn(project, ['sync']);
    expect(sync.status, sync.output).to.equal(0);
    expect(sync.output).to.include('embedded local bucket "russ-fm-assets" (data in').and.not.include('kept up by');
    const next = await serve();
    expect((await readEndpoint(project.bucketDir))?.pid).to.equal(next.child.pid);
    const verify = await gulpIn(project, ['verify']);
    expect(verify.status, verify.output).to.equal(0);
    expect(verify.output).to.include(`kept up by \`gulp serve\` (pid ${next.child.pid}`);
    expect(await next.stop('SIGTERM')).to.equal(0);
  });

  it('refuses a --cors origin with a path before starting anything, and `gulp --tasks` lists serve with its flags', async () => {
    const bad = await gulpIn(project, ['serve', '--cors', 'http://localhost:5173/app']);
    expect(bad.status).to.not.equal(0);
    expect(bad.output).to.include('--cors "http://localhost:5173/app" is not an origin');
    expect(await exists(project.bucketDir)).to.equal(false);
    const tasks = await withDeadline(spawnGulp(['--tasks'], {}), 30_000, 'gulp --tasks');
    expect(tasks.output).to.match(/serve\s+Keep the embedded local bucket/);
    for (const flag of ['--port <n>', '--src <dir>', '--cors <origins>', '--no-render']) expect(tasks.output).to.include(flag);
  });
});
