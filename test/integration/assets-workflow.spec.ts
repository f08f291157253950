import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { slugsInChangeList } from '../../lib/bucket/change-list';
import { REPO_ROOT } from '../helpers/paths';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

const WORKFLOW = join(REPO_ROOT, '.github', 'workflows', 'assets.yml');
const VALIDATOR = join(REPO_ROOT, 'node_modules', '.bin', 'action-validator');

/** The `run:` script of the step with this name (a `|` block dedented, as YAML reads it). */
function stepScript(workflow: string, name: string): string {
  const lines = workflow.split('\n');
  const start = lines.findIndex((l) => l.trim() === `- name: ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim().startsWith('- name: '));
  const run = lines.slice(0, end < 0 ? undefined : end).findIndex((l, i) => i > start && /^\s*run: /.test(l));
  if (start < 0 || run < 0) throw new Error(`no step "${name}" with a run: script`);
  const inline = /^\s*run: (.*)$/.exec(lines[run] as string)?.[1] as string;
  if (inline !== '|') return `${inline}\n`;
  const indent = (lines[run] as string).search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(run + 1)) {
    if (line.trim() !== '' && line.search(/\S/) <= indent) break;
    body.push(line);
  }
  const margin = Math.min(...body.filter((l) => l.trim()).map((l) => l.search(/\S/)));
  return body.map((l) => l.slice(margin)).join('\n');
}

function sh(script: string, cwd: string, env: Record<string, string>): { status: number | null; out: string } {
  const run = spawnSync('bash', ['-e', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('.github/workflows/assets.yml (russ.fm\'s deploy)', () => {
  let dir: string;
  let workflow: string;
  beforeEach(async () => {
    dir = await makeTmpDir('workflow');
    workflow = await readFile(WORKFLOW, 'utf8');
  });
  afterEach(async () => { await removeTmp(dir); });

  it('passes action-validator, offline; a copy with an unknown key does not', async () => {
    const valid = spawnSync(VALIDATOR, [WORKFLOW], { encoding: 'utf8' });
    expect(valid.status, `${valid.stdout}${valid.stderr}`).to.equal(0);
    const broken = join(dir, 'assets.yml');
    await writeFile(broken, workflow.replace('    timeout-minutes: 60\n', '    timeout-minutes: 60\n    bogus-key: true\n'));
    const refused = spawnSync(VALIDATOR, [broken], { encoding: 'utf8' });
    expect(refused.status).to.not.equal(0);
    expect(`${refused.stdout}${refused.stderr}`).to.contain("Additional property 'bogus-key' is not allowed");
  });

  it('runs the gulp tasks as the site does: pnpm, Node 22, the R2 secrets, --env production, the cache of --cache-dir', async () => {
    for (const secret of ['R2_ACCOUNT_ID', 'R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY', 'R2_BUCKET_NAME', 'R2_PUBLIC_DOMAIN', 'CLOUDFLARE_PURGE_TOKEN', 'CLOUDFLARE_ZONE_ID']) {
      expect(workflow, secret).to.contain(`${secret}: \${{ secrets.${secret} }}`);
    }
    expect(workflow).to.match(/uses: pnpm\/action-setup@/).and.match(/node-version: 22\n/).and.match(/fetch-depth: 0/);
    expect(workflow).to.contain('CACHE_DIR: .cache/images').and.contain("key: ${{ runner.os }}-assets-images-v1-${{ hashFiles('assets.config.ts') }}-shard${{ matrix.shard }}of3-");
    expect(workflow.match(/uses: actions\/cache\/(restore|save)@v\d+\n\s+with:\n\s+path: \$\{\{ env\.CACHE_DIR \}\}\n/g)).to.have.length(2);
    expect(workflow.match(/uses: actions\/cache\/(restore|save)@v\d+\n\s+with:\n\s+path: node_modules\/\.cache\/assets\/og\n/g)).to.have.length(2);
    expect(stepScript(workflow, 'OG cards'), 'the site\'s OG cards are in dist/ before sync').to.contain('pnpm run generate-og');
    expect(stepScript(workflow, 'Build')).to.equal('pnpm exec gulp build --shard "$SHARD/$SHARDS" --env production --cache-dir "$CACHE_DIR"\n');
    expect(workflow, 'the deploy job never gets the admin token').to.not.contain('R2_ADMIN_');
    expect(stepScript(workflow, 'Sync to R2 (and purge what changed)')).to.contain('args=(sync --env production --json --silent)').and.contain('--changed-files changed_files.txt').and.contain('--force');
    expect(stepScript(workflow, 'Verify the bucket')).to.contain('verify --env production').and.contain('--repair');
  });

  // Issue [10/10]: GitHub Actions is the engine — a matrix of build jobs, one sync job, artifacts between them.
  it('builds on a matrix of shards, one job each, and hands every shard\'s dist/ and build record to the one sync job', async () => {
    const shards = /matrix:\n\s+shard: \[([\d, ]+)\]/.exec(workflow)?.[1]?.split(',').map(Number) ?? [];
    const declared = Number(/\n\s+SHARDS: (\d+)\n/.exec(workflow)?.[1]);
    expect(shards).to.deep.equal(Array.from({ length: declared }, (_, i) => i + 1));
    expect(workflow).to.match(/name: Build images \(shard \$\{\{ matrix\.shard \}\} of 3\)/).and.contain(`of${declared}-\${{ github.sha }}`);
    expect(workflow).to.match(/- name: Hand the shard to the sync job\n\s+if: always\(\)\n\s+uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: dist-shard-\$\{\{ matrix\.shard \}\}\n\s+path: \|\n\s+dist\/\n\s+reports\/history\/pending\/\n\s+if-no-files-found: error/);
    expect(workflow).to.match(/assets:\n\s+name: Sync and verify images\n\s+needs: build\n/);
    // A failed shard: nothing synced, yet its record and alert go up with the dashboard, and the job fails.
    expect(workflow).to.contain("if: ${{ !cancelled() && needs.build.result != 'skipped' }}");
    for (const name of ['OG cards', 'Detect changed files', 'Sync to R2 (and purge what changed)', 'Verify the bucket']) {
      expect(workflow, name).to.contain(`- name: ${name}\n        if: needs.build.result == 'success'\n`);
    }
    const failed = sh(stepScript(workflow, 'A shard\'s build failed'), dir, {});
    expect(failed.status).to.equal(1);
    expect(failed.out).to.contain('::error::a build shard failed: nothing was synced');
    expect(workflow).to.match(/- name: Collect the shards\n\s+uses: actions\/download-artifact@v4\n\s+with:\n\s+pattern: dist-shard-\*\n\s+merge-multiple: true\n/);
    const order = ['Collect the shards', 'OG cards', 'Sync to R2 (and purge what changed)', 'Verify the bucket'].map((name) => workflow.indexOf(`- name: ${name}\n`));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] as number)))).to.equal(true);
    // The Build step as a runner runs it: each matrix job passes its own part of the split.
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    await writeFile(join(bin, 'pnpm'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    for (const shard of shards) {
      const run = sh(stepScript(workflow, 'Build'), dir, { PATH: `${bin}:${process.env.PATH ?? ''}`, SHARD: String(shard), SHARDS: String(declared), CACHE_DIR: '.cache/images' });
      expect(run.out.split('\n')[0]).to.equal(`exec gulp build --shard ${shard}/${declared} --env production --cache-dir .cache/images`);
    }
  });

  it('its sync step lets a failed purge (exit 3) through to verify, and fails the job after it; any other failure stops the job at once', async () => {
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    const outputs = join(dir, 'outputs.txt');
    const syncWith = async (status: number) => {
      await writeFile(join(bin, 'pnpm'), `#!/bin/sh\necho '{"ok":true}'\nexit ${status}\n`, { mode: 0o755 });
      await writeFile(outputs, '');
      const run = sh(stepScript(workflow, 'Sync to R2 (and purge what changed)'), dir, { PATH: `${bin}:${process.env.PATH ?? ''}`, GITHUB_OUTPUT: outputs, SCOPE: 'all', FORCE: 'false' });
      return { status: run.status, outputs: await readFile(outputs, 'utf8') };
    };
    expect(await syncWith(0)).to.deep.equal({ status: 0, outputs: '' });
    expect(await syncWith(3)).to.deep.equal({ status: 0, outputs: 'purge_failed=true\n' });
    expect((await syncWith(1)).status).to.equal(1);
    const after = sh(stepScript(workflow, 'Purge failed after the sync'), dir, {});
    expect(after.status).to.equal(3);
    expect(after.out).to.contain('::error::the bucket is synced, but the CDN purge failed: run `gulp purge --env production --urls <the sync report from this run\'s \'reports\' artifact>`');
    expect(workflow, 'the dashboard is made whatever happened before').to.match(/- name: Dashboard\n\s+if: always\(\)\n\s+run: pnpm exec gulp report --env production --out reports\/dashboard-production\.html/);
    expect(workflow, 'alerts reach the webhook when the secret is set').to.include('ALERT_WEBHOOK_URL: ${{ secrets.ALERT_WEBHOOK_URL }}');
    expect(workflow, 'the reports outlive the runner').to.match(/- name: Keep the reports\n\s+id: reports\n\s+if: always\(\)\n\s+uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: reports\n\s+path: reports\//);
    expect(workflow).to.contain("if: steps.sync.outputs.purge_failed == 'true'");
  });

  it('its changed-files step writes what --changed-files reads: the pushed diff, or one manual line per target (sent with --force)', async () => {
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).stdout.trim();
    git('init', '-q');
    await writeFile(join(dir, 'README.md'), 'x');
    git('add', '.');
    git('commit', '-qm', 'one');
    const before = git('rev-parse', 'HEAD');
    await Promise.all(['album/café', 'artist/cher'].map((folder) => spawnSync('mkdir', ['-p', join(dir, 'public', folder)])));
    await writeFile(join(dir, 'public', 'album', 'café', 'café-hi-res.jpg'), 'a');
    await writeFile(join(dir, 'public', 'artist', 'cher', 'cher-hi-res.jpg'), 'c');
    git('add', '.');
    git('commit', '-qm', 'two');
    const sha = git('rev-parse', 'HEAD');
    const script = stepScript(workflow, 'Detect changed files').replaceAll('${{ github.event.before }}', before).replaceAll('${{ github.sha }}', sha);
    const run = (env: Record<string, string>) => {
      const outputs = join(dir, 'outputs.txt');
      const result = sh(script, dir, { GITHUB_OUTPUT: outputs, TARGETS: '', EVENT: 'push', BEFORE: before, ...env });
      expect(result.status, result.out).to.equal(0);
      return spawnSync('cat', [outputs, join(dir, 'changed_files.txt')], { encoding: 'utf8' }).stdout;
    };
    const pushed = run({});
    expect(pushed).to.contain('scope=changed\nforce=false\n');
    expect([...slugsInChangeList(pushed)].sort()).to.deep.equal(['album/café', 'artist/cher']);
    const manual = run({ EVENT: 'workflow_dispatch', TARGETS: ' album/blue-train, artist/cher/ ,' });
    expect(manual).to.contain('force=true\npublic/album/blue-train/manual\npublic/artist/cher/manual\n');
    expect(run({ EVENT: 'workflow_dispatch' })).to.contain('scope=changed\nforce=false\n');
    expect(run({ BEFORE: '0000000000000000000000000000000000000000' })).to.contain('scope=all\n');
  });

  it('its summary step reports the counts from the sync and verify reports, and a failure by its message', async function () {
    if (spawnSync('jq', ['--version']).status !== 0) this.skip(); // on GitHub's runners jq is installed
    const summary = join(dir, 'summary.md');
    await writeFile(join(dir, 'sync.json'), `${JSON.stringify({ ok: true, completed: { create: 2, update: 3, retag: 1 }, plan: { keep: 40 }, failures: [] })}\n`);
    await writeFile(join(dir, 'verify.json'), `${JSON.stringify({ ok: true, objects: { matching: 46 } })}\n`);
    const clean = sh(stepScript(workflow, 'Summary'), dir, { GITHUB_STEP_SUMMARY: summary });
    expect(clean.status, clean.out).to.equal(0);
    expect(await readFile(summary, 'utf8')).to.contain('| 5 | 1 | 40 | 0 |\n').and.contain('Verify: clean (46 objects match the build)').and.contain('CDN: nothing changed to purge');
    const purge = { status: 'purged', changed: ['https://a/x.jpg', 'https://a/y.jpg'], mode: 'files', requests: 1, unpurged: [] };
    await writeFile(join(dir, 'sync.json'), `${JSON.stringify({ ok: true, completed: { create: 2 }, plan: { keep: 40 }, failures: [], purge })}\n`);
    expect(sh(stepScript(workflow, 'Summary'), dir, { GITHUB_STEP_SUMMARY: summary }).status).to.equal(0);
    expect(await readFile(summary, 'utf8')).to.contain('CDN: purged 2 changed URL(s) (files, 1 request(s))');
    await writeFile(join(dir, 'sync.json'), `${JSON.stringify({ ok: false, error: { code: 'E_CONFIG', message: 'R2_BUCKET_NAME is not set' } })}\n`);
    await writeFile(join(dir, 'verify.json'), '');
    const failed = sh(stepScript(workflow, 'Summary'), dir, { GITHUB_STEP_SUMMARY: summary });
    expect(failed.status, failed.out).to.equal(0);
    expect(await readFile(summary, 'utf8')).to.contain('| 0 | 0 | 0 | 0 |\n').and.contain('Verify: did not run').and.contain('**sync failed:** R2_BUCKET_NAME is not set');
  });
});
