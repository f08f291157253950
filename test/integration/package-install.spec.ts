/**
 * The package as russ.fm's repository installs it: `npm pack` (prepack compiles it), then pnpm into a
 * throw-away `"type": "module"` project with an ESM gulpfile.ts. pnpm links only what each package
 * declares, and hoisting is off here, so a runtime require of an undeclared dependency fails.
 * The install needs the npm registry: without it the suite is skipped locally and fails in CI.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { PHOTO, REPO_ROOT } from '../helpers/paths';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

const PNPM_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'pnpm');
const TSC_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
/** pnpm's store and metadata cache, kept between runs (npm ci clears it with the rest of node_modules). */
const PNPM_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'russfm-assets-pnpm');
const SLUGS = { citrus: PHOTO.landscape, bee: PHOTO.bee } as const;
/** What the site's gulpfile.ts would be: the brief's lines, with serve, setup, purge, report, cost and mirror (tasks of ours since). */
const GULPFILE = `import { build, sync, verify, restore, prune, releases, serve, setup, purge, report, cost, mirror, pipeline } from 'russfm-assets';
export { build, sync, verify, restore, prune, releases, serve, setup, purge, report, cost, mirror };
export default pipeline;
`;
/** Its assets.config.ts: albums get only their hi-res (the default would add a medium), so the build shows the file was read. */
const ASSETS_CONFIG = `import { defineConfig } from 'russfm-assets';
export default defineConfig({ preset: 'russ-fm', collections: { album: { sizes: ['hi-res'] } }, ignore: ['robots.txt'] });
`;
const NETWORK_FAILURE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ERR_PNPM_META_FETCH_FAIL|ERR_PNPM_FETCH_|ERR_SOCKET_TIMEOUT|socket hang up/;

interface Run { code: number | null; output: string }

/**
 * Runs a command in its own process group; past `ms` the whole group is killed and the promise rejects
 * naming the command, so nothing it started outlives the test.
 */
function run(what: string, file: string, args: readonly string[], cwd: string, ms: number, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(file, [...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => {
      try { process.kill(-(child.pid as number), 'SIGKILL'); } catch { /* already gone */ }
      fail(new Error(`${what} did not finish within ${ms / 1000} s (killed); its output:\n${output.slice(-4000)}`));
    }, ms);
    child.on('error', (error) => { clearTimeout(timer); fail(error); });
    child.on('close', (code) => { clearTimeout(timer); done({ code, output }); });
  });
}

async function runOk(what: string, file: string, args: readonly string[], cwd: string, ms: number, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(what, file, args, cwd, ms, env);
  if (result.code !== 0) throw new Error(`${what} exited ${String(result.code)}:\n${result.output.slice(-4000)}`);
  return result.output;
}

/** The environment of the tools run in the consumer: ours, less npm's script variables (pnpm would read them as its own settings). */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { FORCE_COLOR: '0', NO_COLOR: '1' };
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) || /^npm_config_registry$/i.test(name)) env[name] = value;
  }
  return env;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** `require('x')` and `require("x")` specifiers in compiled JavaScript (tsc's CommonJS output, and our lazy requires). */
function requiredSpecifiers(code: string): string[] {
  return [...code.matchAll(/\brequire\(\s*(['"])([^'"]+)\1\s*\)/g)].map((m) => m[2] as string);
}

const packageName = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('package install: npm pack, then pnpm into an ESM project', function () {
  this.timeout(300_000);
  let root = '';
  let app = '';
  let installed = '';
  let tarball = '';

  before(async function () {
    root = await makeTmpDir('package');
    app = join(root, 'app');
    await runOk('npm pack (prepack compiles the package)', 'npm', ['pack', '--pack-destination', root], REPO_ROOT, 120_000);
    const packed = (await readdir(root)).find((name) => name.endsWith('.tgz'));
    if (!packed) throw new Error(`npm pack wrote no .tgz into ${root}`);
    tarball = join(root, packed);
    const ours = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const dev = (name: string) => ours.devDependencies[name] as string; // the versions this repository runs gulp with
    await mkdir(app);
    await writeFile(join(app, 'package.json'), `${JSON.stringify({
      name: 'russfm-assets-consumer', private: true, type: 'module',
      dependencies: { 'russfm-assets': `file:${tarball}`, gulp: dev('gulp'), 'esbuild-register': dev('esbuild-register'), esbuild: dev('esbuild') },
      devDependencies: { '@types/node': dev('@types/node') },
    }, null, 2)}\n`);
    await writeFile(join(app, '.npmrc'), [
      `store-dir=${join(PNPM_CACHE, 'store')}`, `cache-dir=${join(PNPM_CACHE, 'metadata')}`, `state-dir=${join(root, 'pnpm-state')}`,
      'update-notifier=false',
      // Only declared dependencies resolve: no hoisting, so not even one that another package happens to bring.
      'node-linker=isolated', 'hoist=false',
      // Retries within seconds, not pnpm's minute: an unreachable registry is reported in about 15 s.
      'fetch-retries=2', 'fetch-retry-mintimeout=2000', 'fetch-retry-maxtimeout=10000', 'fetch-timeout=30000',
    ].join('\n'));
    const install = await run('pnpm install', PNPM_BIN, ['install', '--no-frozen-lockfile', '--prefer-offline', '--reporter=append-only'], app, 150_000, consumerEnv());
    if (install.code !== 0 && NETWORK_FAILURE.test(install.output)) {
      const message = `pnpm could not reach the npm registry, so the package cannot be installed into a project: ${install.output.match(NETWORK_FAILURE)?.[0]}`;
      if (process.env.CI) throw new Error(`${message} (CI must reach the npm registry for this test)\n${install.output.slice(-2000)}`);
      process.stderr.write(`      skipped: ${message}\n`);
      this.skip();
    }
    if (install.code !== 0) throw new Error(`pnpm install exited ${String(install.code)}:\n${install.output.slice(-4000)}`);
    installed = join(app, 'node_modules', 'russfm-assets');
    await writeFile(join(app, 'gulpfile.ts'), GULPFILE);
    // The site's recipe file, importing defineConfig from the package: the tasks load it from the project folder.
    await writeFile(join(app, 'assets.config.ts'), ASSETS_CONFIG);
    for (const [slug, photo] of Object.entries(SLUGS)) {
      await mkdir(join(app, 'public', 'album', slug), { recursive: true });
      await copyFile(photo, join(app, 'public', 'album', slug, `${slug}-hi-res.jpg`));
    }
  });

  after(async () => {
    if (root) await removeTmp(root);
  });

  it('ships only compiled JavaScript, declarations, README and package.json', async () => {
    const listing = await runOk('tar -tzf', 'tar', ['-tzf', tarball], root, 30_000);
    const files = listing.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, '')).sort();
    const stray = files.filter((file) => !/^out\/.+\.(js|d\.ts)$/.test(file) && !['package.json', 'README.md', 'LICENSE'].includes(file));
    expect(stray).to.deep.equal([]);
    expect(files).to.include.members(['out/index.js', 'out/index.d.ts', 'out/tasks/build.js', 'out/lib/images/build.js']);
    expect(files.filter((file) => /(^|\/)(test|bench)\//.test(file))).to.deep.equal([]);
  });

  it('requires at run time only Node built-ins, its own files and declared dependencies', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const problems: string[] = [];
    for (const file of (await filesUnder(join(installed, 'out'))).filter((f) => f.endsWith('.js'))) {
      for (const specifier of requiredSpecifiers(await readFile(file, 'utf8'))) {
        const where = relative(installed, file);
        if (isBuiltin(specifier)) continue;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          const found = await Promise.any([`${target}.js`, join(target, 'index.js')].map((p) => stat(p))).then(() => true, () => false);
          if (!found) problems.push(`${where}: ${specifier} is not in the package`);
        } else if (!declared.has(packageName(specifier))) {
          problems.push(`${where}: ${specifier} is not a dependency or peer dependency`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('gives an ESM import its named exports: the tasks with their descriptions, and the library calls', async () => {
    const script = `import * as pkg from 'russfm-assets';
      const manifest = await import('russfm-assets/package.json', { with: { type: 'json' } });
      console.log(JSON.stringify({ version: manifest.default.version, exports: Object.fromEntries(Object.entries(pkg).map(([k, v]) => [k, typeof v])),
        described: Object.fromEntries(['build', 'sync', 'verify', 'restore', 'prune', 'releases', 'pipeline'].map((k) => [k, [pkg[k].description, Object.keys(pkg[k].flags ?? {}).length]])) }));`;
    const out = JSON.parse(await runOk('node --input-type=module', process.execPath, ['--input-type=module', '-e', script], app, 30_000, consumerEnv())) as {
      version: string; exports: Record<string, string>; described: Record<string, [string | undefined, number]>;
    };
    for (const name of ['build', 'sync', 'verify', 'restore', 'prune', 'releases', 'pipeline', 'buildImages', 'formatBuildSummary', 'responsive', 'validateImageConfig']) {
      expect(out.exports[name], name).to.equal('function');
    }
    expect(out.exports.DEFAULT_IMAGE_CONFIG).to.equal('object');
    for (const [name, [description, flags]] of Object.entries(out.described)) {
      expect(description, `${name}.description`).to.be.a('string').and.not.equal('');
      expect(flags, `${name}.flags`).to.be.above(0);
    }
    expect(out.version).to.match(/^\d+\.\d+\.\d+/);
  });

  it('lists in `gulp --tasks` every task this repository\'s gulpfile registers, with its description and flags', async () => {
    const ours = require('../../gulpfile') as Record<string, { description?: string; flags?: Record<string, string> }>;
    const listed = await runOk('gulp --tasks', join(app, 'node_modules', '.bin', 'gulp'), ['--tasks'], app, 60_000, consumerEnv());
    for (const [name, task] of Object.entries(ours).filter(([, t]) => typeof t === 'function')) {
      const line = listed.split('\n').find((l) => new RegExp(`[├└]─[─┬] ${name} `).test(l));
      expect(line, `${name} in:\n${listed}`).to.be.a('string').and.contain(task.description);
      for (const flag of Object.keys(task.flags ?? {})) expect(listed, `${name} ${flag}`).to.contain(flag);
    }
    // The composite's parts are listed: the package's gulp is the consumer's (a peer dependency), not a second copy.
    const tree = JSON.parse(await runOk('gulp --tasks-json', join(app, 'node_modules', '.bin', 'gulp'), ['--tasks-json'], app, 60_000, consumerEnv())) as { nodes: { label: string; nodes: { nodes: { label: string }[] }[] }[] };
    const parts = tree.nodes.find((n) => n.label === 'default')?.nodes[0]?.nodes.map((n) => n.label);
    expect(parts).to.deep.equal(['check-settings', 'build', 'sync', 'verify', 'purge-outcome']);
  });

  it('runs `gulp build` from the ESM gulpfile: every output the manifest lists is in dist/', async () => {
    const env = { ...consumerEnv(), CI: 'true', REPORTS_DIR: join(root, 'reports') };
    await runOk('gulp build', join(app, 'node_modules', '.bin', 'gulp'), ['build'], app, 60_000, env);
    const manifest = JSON.parse(await readFile(join(app, 'dist', 'images.json'), 'utf8')) as { sources: Record<string, { variants: { key: string; size: string; bytes: number }[] }> };
    expect(Object.keys(manifest.sources).sort()).to.deep.equal(Object.keys(SLUGS).map((slug) => `album/${slug}/${slug}-hi-res.jpg`).sort());
    for (const source of Object.values(manifest.sources)) {
      expect(source.variants.map((v) => v.size), 'the recipe of assets.config.ts').to.deep.equal(['hi-res']);
      for (const variant of source.variants) expect((await stat(join(app, 'dist', variant.key))).size, variant.key).to.equal(variant.bytes);
    }
  });

  it('runs the default task (build, sync, verify) on the embedded local bucket', async () => {
    const env = { ...consumerEnv(), CI: 'true', REPORTS_DIR: join(root, 'reports') };
    const output = await runOk('gulp (default)', join(app, 'node_modules', '.bin', 'gulp'), [], app, 90_000, env);
    expect(output).to.match(/Finished 'verify'/).and.match(/\b0 missing, 0 corrupt\b/);
  });

  it('type-checks a consumer against the package\'s declarations (module nodenext, library checks on)', async () => {
    await writeFile(join(app, 'consumer.ts'), `import { build, buildImages, DEFAULT_IMAGE_CONFIG, pipeline, type BuildSummary } from 'russfm-assets';
const description: string = build.description;
const summary: Promise<BuildSummary> = buildImages({
  src: 'public', dest: 'dist', cacheDir: '.cache/images', config: DEFAULT_IMAGE_CONFIG, concurrency: 2, noCache: false, scope: { type: 'album' },
});
// @ts-expect-error: the declarations are real types, not any (src is a string)
void buildImages({ src: 1 });
export { description, summary };
export default pipeline;
`);
    await writeFile(join(app, 'tsconfig.json'), `${JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
      files: ['consumer.ts', 'gulpfile.ts', 'assets.config.ts'],
    }, null, 2)}\n`);
    await runOk('tsc -p (the consumer)', TSC_BIN, ['-p', app], app, 120_000, consumerEnv());
  });
});
