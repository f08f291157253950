import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGulp } from '../helpers/cli';
import { photoJpeg } from '../helpers/fixtures';
import { artistSource } from '../helpers/paths';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

const dirs = (ws: Workspace) => ['--src', ws.src, '--dest', ws.dest, '--cache-dir', ws.cache];

describe('the recipe from the command line (assets.config.ts)', function () {
  this.timeout(60_000);
  const ws = useWorkspace('recipe-cli');

  it('builds what the config file names: a four-size recipe from $ASSETS_CONFIG', async () => {
    await writeAt(ws.current.src, artistSource('nina'), await photoJpeg(900, 900));
    const config = join(ws.current.root, 'recipe.json');
    await writeFile(config, JSON.stringify({ preset: 'four-size', collections: { artist: { sizes: ['hi-res', 'small'] } } }));
    const run = await spawnGulp(['build', ...dirs(ws.current)], { ASSETS_CONFIG: config });
    expect(run.status, run.output).to.equal(0);
    expect(readdirSync(join(ws.current.dest, 'artist', 'nina')).sort()).to.deep.equal(['nina-hi-res.jpg', 'nina-small.jpg']);
  });

  it('stops before any work on a config error, naming the file and the field', async () => {
    await writeAt(ws.current.src, artistSource('nina'), await photoJpeg(300, 300));
    const config = join(ws.current.root, 'recipe.json');
    await writeFile(config, JSON.stringify({ sizes: { medium: { width: 800, height: -1, fit: 'inside' } } }));
    const run = await spawnGulp(['build', ...dirs(ws.current)], { ASSETS_CONFIG: config });
    expect(run.status).to.not.equal(0);
    expect(run.output).to.contain(`${config}: sizes.medium.height is less than 1`);
    expect(run.output).to.not.match(/\n\s+at /); // an expected error, not a stack trace
    expect(readdirSync(ws.current.root)).to.not.include('dist');
  });

  it('--size takes the sizes the recipe defines, and refuses another naming them', async () => {
    const run = await spawnGulp(['verify', '--size', 'small', '--dest', ws.current.dest], {});
    expect(run.status).to.not.equal(0);
    expect(run.output).to.match(/--size small is not a size of the recipe; use one of hi-res, medium, avatar/);
    const tasks = await spawnGulp(['--tasks'], {});
    expect(tasks.output).to.match(/--size <name>\s+…only one size: hi-res, medium, avatar \(from the recipe in assets\.config\.ts\)/);
  });
});
