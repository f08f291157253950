import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runGulp } from '../helpers/cli';
import { HTML_PAGE } from '../helpers/bad-fixtures';
import { photoJpeg } from '../helpers/fixtures';
import { albumSource, outputKey } from '../helpers/paths';
import { useWorkspace, writeAt, type Workspace } from '../helpers/tmp';

const BAD = albumSource('not-a-cover');

function dirs(ws: Workspace): string[] {
  return ['--src', ws.src, '--dest', ws.dest, '--cache-dir', ws.cache];
}

describe('gulp build from the command line (end to end)', function () {
  this.timeout(60_000);
  const ws = useWorkspace('cli');

  beforeEach(async () => {
    await writeAt(ws.current.src, albumSource('good'), await photoJpeg(500, 500));
    await writeAt(ws.current.src, BAD, HTML_PAGE);
  });

  it('exits non-zero naming the bad file and its reason, after building the good one', async () => {
    const result = await runGulp(['build', ...dirs(ws.current)]);
    const output = result.stdout + result.stderr;
    expect(result.code, output).to.not.equal(0);
    expect(output).to.contain(BAD).and.match(/HTML/);
    expect(output).to.match(/\b1 failed\b|\b1 of 2 sources failed\b/);
    expect(existsSync(join(ws.current.dest, outputKey('album', 'good', 'medium')))).to.equal(true);
  });

  it('exits 0 with --keep-going and still lists the failure', async () => {
    const result = await runGulp(['build', ...dirs(ws.current), '--keep-going']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain(BAD);
  });

  it('prints the summary as one parseable JSON line on stdout with --json (--silent leaves nothing else)', async () => {
    const result = await runGulp(['build', ...dirs(ws.current), '--json', '--keep-going', '--silent']);
    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines, result.stdout).to.have.length(1);
    const summary = JSON.parse(lines[0] as string) as { sources: number; built: number; failed: number; failures: { file: string }[] };
    expect(summary).to.include({ sources: 2, built: 1, failed: 1 });
    expect(summary.failures.map((f) => f.file)).to.deep.equal([BAD]);
  });

  it('rejects an unknown flag or a bad value before doing any work, saying what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 64 \(got "0"\)/],
      [['--type', 'single'], /--type must be one of album, artist \(got "single"\)/],
      [['--bogus'], /unknown flag --bogus/],
      [['--formats', 'jpeg,gif'], /--formats takes a comma-separated list/],
    ];
    const results = await Promise.all(cases.map(([args]) => runGulp(['build', ...dirs(ws.current), ...args])));
    results.forEach((result, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect(result.code, args.join(' ')).to.not.equal(0);
      expect(result.stdout + result.stderr, args.join(' ')).to.match(message);
      expect(result.stdout + result.stderr, 'no stack trace').to.not.match(/\n\s+at /);
    });
    expect(existsSync(ws.current.dest), 'nothing was built').to.equal(false);
  });
});
