import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../lib/errors';
import { isLeftoverTemp } from '../../lib/images/dist-cleanup';
import { listFiles, runBuild } from '../helpers/build';
import { runGulp } from '../helpers/cli';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource, artistSource } from '../helpers/paths';
import { snapshot } from '../helpers/snapshot';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

async function usageErrorOf(run: Promise<unknown>): Promise<UsageError> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).to.be.instanceOf(UsageError);
  return error as UsageError;
}

async function twoSources(ws: Workspace): Promise<void> {
  await writeAt(ws.src, albumSource('a'), await photoJpeg(300, 300));
  await writeAt(ws.src, artistSource('r'), await photoJpeg(300, 300));
}

/** A pid no process has: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('gulp build: the traps a new user falls into', () => {
  const ws = useWorkspace('traps');

  it('refuses --dest equal to --src, inside it, or containing it, before writing anything', async () => {
    await twoSources(ws.current);
    const before = snapshot(ws.current.root);
    for (const dest of [ws.current.src, join(ws.current.src, 'dist'), ws.current.root]) {
      const error = await usageErrorOf(runBuild(ws.current, { dest }));
      expect(error.message).to.contain('--dest').and.contain('--src');
    }
    expect(snapshot(ws.current.root)).to.deep.equal(before);
  });

  it('refuses to empty dist when no source is found, naming --allow-empty; with it, removes the outputs', async () => {
    await twoSources(ws.current);
    await runBuild(ws.current);
    const built = await listFiles(ws.current.dest);
    await rm(join(ws.current.src, 'album'), { recursive: true });
    await rm(join(ws.current.src, 'artist'), { recursive: true });
    const error = await usageErrorOf(runBuild(ws.current));
    expect(error.message).to.match(/no sources found/).and.contain(`remove all ${built.length} outputs`);
    expect(error.hint).to.contain('--allow-empty');
    expect(await listFiles(ws.current.dest)).to.deep.equal(built);
    const summary = await runBuild(ws.current, { allowEmpty: true });
    expect(summary.outputsRemoved).to.equal(built.length);
    expect(await listFiles(ws.current.dest)).to.deep.equal([]);
  });

  it('with --type or --filter, judges emptiness within that scope only', async () => {
    await twoSources(ws.current);
    await runBuild(ws.current);
    await rm(join(ws.current.src, 'artist'), { recursive: true });
    expect((await runBuild(ws.current, { scope: { type: 'album' } })).failed).to.equal(0);
    await usageErrorOf(runBuild(ws.current, { scope: { type: 'artist' } }));
    const error = await usageErrorOf(runBuild(ws.current, { scope: { filter: /^artist\// } }));
    expect(error.message).to.contain('--filter');
  });

  it('removes temp files left in dist by a killed build, and only those', async () => {
    await twoSources(ws.current);
    await runBuild(ws.current);
    const old = new Date(Date.now() - 2 * 60_000);
    const ancient = new Date(Date.now() - 11 * 60_000);
    const dead = deadPid();
    const leftovers = { [`album/a/a-small.jpg.${dead}-3.tmp`]: old, [`images.json.${process.pid}-9.tmp`]: ancient };
    const kept = { [`album/a/a-medium.jpg.${process.pid}-7.tmp`]: old, [`album/a/a-medium.jpg.${dead}-8.tmp`]: new Date(), 'album/a/notes.tmp': ancient };
    for (const [rel, time] of Object.entries({ ...leftovers, ...kept })) {
      await utimes(await writeAt(ws.current.dest, rel, 'partial'), time, time);
    }
    const beside = await writeAt(ws.current.root, `elsewhere/x.jpg.${dead}-1.tmp`, 'not ours');
    await utimes(beside, ancient, ancient);
    const summary = await runBuild(ws.current);
    expect(summary.leftoversRemoved).to.equal(2);
    const files = await listFiles(ws.current.dest, true);
    for (const rel of Object.keys(leftovers)) expect(files, rel).to.not.include(rel);
    for (const rel of Object.keys(kept)) expect(files, rel).to.include(rel);
    expect(existsSync(beside), 'outside dist: untouched').to.equal(true);
  });

  it('tells a leftover temp file from one being written (unit)', async () => {
    const now = Date.now();
    expect(isLeftoverTemp(`a.jpg.${process.pid}-1.tmp`, now - 5 * 60_000, now), 'a live writer, 5 min').to.equal(false);
    expect(isLeftoverTemp(`a.jpg.${process.pid}-1.tmp`, now - 11 * 60_000, now), 'any writer, 11 min').to.equal(true);
    expect(isLeftoverTemp(`a.jpg.pull-${deadPid()}-1.tmp`, now - 2 * 60_000, now), 'a dead writer, 2 min').to.equal(true);
    expect(isLeftoverTemp('a.jpg.0-1.tmp', now - 2 * 60_000, now), 'pid 0 is never signalled').to.equal(false);
    expect(isLeftoverTemp('a.tmp', now - 60 * 60_000, now), 'not our pattern').to.equal(false);
  });

  it('--dry-run reports what would be built and removed and writes nothing: no dist, no cache, no manifest', async () => {
    await twoSources(ws.current);
    const before = snapshot(ws.current.root);
    const summary = await runBuild(ws.current, { dryRun: true });
    expect(snapshot(ws.current.root)).to.deep.equal(before);
    expect(summary.dryRun?.build).to.deep.equal([albumSource('a'), artistSource('r')]);
    await runBuild(ws.current);
    await rm(join(ws.current.src, 'artist'), { recursive: true });
    const built = snapshot(ws.current.root);
    const plan = await runBuild(ws.current, { dryRun: true });
    expect(snapshot(ws.current.root)).to.deep.equal(built);
    expect(plan.dryRun?.build).to.deep.equal([]);
    expect(plan.dryRun?.remove.every((key) => key.startsWith('artist/r/'))).to.equal(true);
    expect(plan.dryRun?.remove.length).to.be.greaterThan(0);
  });
});

describe('gulp build and the default task from the command line: refused before any work', function () {
  this.timeout(60_000);
  const ws = useWorkspace('traps-cli');
  const dirs = (w: Workspace) => ['--src', w.src, '--dest', w.dest, '--cache-dir', w.cache];

  it('`gulp build --dest <src>`: a usage error, no stack trace, nothing written', async () => {
    await twoSources(ws.current);
    const result = await runGulp(['build', '--src', ws.current.src, '--dest', ws.current.src, '--cache-dir', ws.current.cache]);
    expect(result.code).to.not.equal(0);
    expect(result.stdout + result.stderr).to.match(/is the same folder as --src/).and.not.match(/\n\s+at /);
    expect(existsSync(ws.current.cache)).to.equal(false);
  });

  it('`gulp --sample 150` and `gulp --sample 10` (no --deep/--public) fail before build starts', async () => {
    await twoSources(ws.current);
    const results = await Promise.all([['--sample', '150'], ['--sample', '10']].map((args) => runGulp([...dirs(ws.current), ...args])));
    for (const result of results) {
      const output = result.stdout + result.stderr;
      expect(result.code, output).to.not.equal(0);
      expect(output).to.not.contain("Starting 'build'");
      expect(output).to.not.match(/\n\s+at /);
    }
    expect(results[0]!.stdout + results[0]!.stderr).to.contain('--sample must be a percentage');
    expect(results[1]!.stdout + results[1]!.stderr).to.match(/--sample chooses which objects --deep or --public read/);
    expect(existsSync(ws.current.dest), 'nothing was built').to.equal(false);
  });

  it('`gulp build --dry-run` and `gulp --dry-run` write nothing, and `gulp --tasks` lists the default task\'s flags', async () => {
    await twoSources(ws.current);
    const dry = await runGulp(['build', ...dirs(ws.current), '--dry-run']);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.match(/dry run/).and.contain(albumSource('a'));
    expect(existsSync(ws.current.dest) || existsSync(ws.current.cache)).to.equal(false);
    const pipeline = await runGulp([...dirs(ws.current), '--dry-run']);
    expect(pipeline.code, pipeline.stdout + pipeline.stderr).to.equal(0);
    expect(pipeline.stdout).to.match(/build \(dry run/).and.match(/sync skipped: --dry-run/);
    expect(existsSync(ws.current.dest) || existsSync(ws.current.cache), '`gulp --dry-run` wrote nothing either').to.equal(false);
    const tasks = await runGulp(['--tasks']);
    const defaultBlock = tasks.stdout.slice(tasks.stdout.indexOf('default'));
    expect(defaultBlock).to.contain('--sample').and.contain('--dry-run').and.contain('--allow-empty');
  });
});
