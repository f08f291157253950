import { expect } from 'chai';
import { UsageError } from '../../lib/errors';
import { GIVEN, parseFlags, wasGiven, type FlagTable } from '../../tasks/flags';
import { COMPOSITES, FLAG_CHECKS, FLAG_TABLES } from '../../tasks/flag-tables';

const build = (...argv: string[]) => parseFlags('build', FLAG_TABLES, COMPOSITES, ['build', ...argv]);

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('parseFlags (gulp build)', () => {
  it('fills in the defaults', async () => {
    const flags = build();
    expect(flags).to.include({ src: 'public', dest: 'dist', 'cache-dir': '.cache/images', 'no-cache': false, 'keep-going': false, json: false });
    expect(flags.formats, 'formats come from assets.config.ts unless given').to.equal(undefined);
    expect(flags.concurrency).to.equal(undefined);
    expect(flags.filter).to.equal(undefined);
  });

  it('reads values given as --flag value and --flag=value', async () => {
    expect(build('--src', 'in', '--dest=out')).to.include({ src: 'in', dest: 'out' });
  });

  it('rejects an unknown flag, naming it and listing the flags build takes', async () => {
    const error = usageError(() => build('--bogus'));
    expect(error.message).to.contain('--bogus');
    expect(error.hint).to.contain('--concurrency');
  });

  // From the attacker's trial: these ended in a raw EEXIST/ENOTDIR/EISDIR deep in the run (--reports after it).
  it('refuses a folder flag that names a file, and a file flag that names a folder, before any work', async () => {
    expect(usageError(() => build('--dest', __filename)).message).to.equal(`--dest ${__filename} is a file, not a folder`);
    expect(usageError(() => build('--cache-dir', __filename)).message).to.match(/--cache-dir .* is a file, not a folder/);
    expect(usageError(() => build('--dest', `${__filename}/out`)).message).to.match(/cannot be a folder: ENOTDIR/);
    const verify = (...argv: string[]) => parseFlags('verify', FLAG_TABLES, COMPOSITES, ['verify', ...argv]);
    expect(usageError(() => verify('--manifest', __dirname)).message).to.equal(`--manifest ${__dirname} is a folder, not a file`);
    expect(build('--dest', `${__dirname}/not-there-yet`).dest).to.equal(`${__dirname}/not-there-yet`);
    // From the new user's trial: `--dest /proc/nope` hung for ever in Node's recursive mkdir.
    expect(usageError(() => build('--dest', '/proc/nope')).message).to.match(/is on a kernel file system/);
  });

  it('rejects a mistyped flag rather than ignoring it', async () => {
    expect(usageError(() => build('--keep-goin')).message).to.contain('--keep-goin');
  });

  it('parses --concurrency as a whole number within 1–64', async () => {
    expect(build('--concurrency', '4').concurrency).to.equal(4);
    for (const bad of ['0', '65', '1.5', 'many', '-1']) {
      expect(usageError(() => build('--concurrency', bad)).message, bad).to.match(/--concurrency.*1 to 64/);
    }
  });

  it('rejects a valued flag given without a value', async () => {
    expect(usageError(() => build('--formats')).message).to.contain('--formats needs a value');
    expect(usageError(() => build('--concurrency', '--json')).message).to.contain('--concurrency needs a value');
  });

  it('compiles --filter to a regular expression and rejects an invalid one', async () => {
    const filter = build('--filter', '^album/(a|b)/').filter as RegExp;
    expect(filter).to.be.instanceOf(RegExp);
    expect(filter.test('album/a/a-hi-res.jpg')).to.equal(true);
    expect(filter.test('artist/a/a-hi-res.jpg')).to.equal(false);
    expect(usageError(() => build('--filter', '(')).message).to.contain('not a valid regular expression');
  });

  // russ.fm's scripts compile --filter with `new RegExp(x, 'i')`: the same command line must select the same covers.
  it('compiles --filter case-insensitively for every task that takes it (build, sync, verify)', async () => {
    for (const task of ['build', 'sync', 'verify'] as const) {
      const filter = parseFlags(task, FLAG_TABLES, COMPOSITES, [task, '--filter', '^Album/ABBA/']).filter as RegExp;
      expect(filter.test('album/abba/abba-medium.jpg'), task).to.equal(true);
      expect(filter.test('album/bjork/bjork-medium.jpg'), task).to.equal(false);
      expect(filter.flags, task).to.equal('iu');
      expect(FLAG_TABLES[task].filter.description, task).to.contain('case-insensitive');
    }
  });

  it('says which flags the command line gave, apart from those its defaults filled in', async () => {
    const sync = (...argv: string[]) => parseFlags('sync', FLAG_TABLES, COMPOSITES, ['sync', ...argv]);
    expect(sync().env).to.equal('development');
    expect(wasGiven(sync(), 'env')).to.equal(false);
    expect(wasGiven(sync('--env', 'development'), 'env')).to.equal(true);
    expect(wasGiven(sync('--env=production', '--dry-run'), 'dry-run')).to.equal(true);
    expect(Object.prototype.propertyIsEnumerable.call(sync('--env', 'production'), GIVEN), 'values stay a plain record').to.equal(false);
  });

  it('accepts only album or artist for --type', async () => {
    expect(build('--type', 'artist').type).to.equal('artist');
    expect(usageError(() => build('--type', 'single')).message).to.match(/--type must be one of album, artist/);
  });

  it('parses --formats as a de-duplicated list of known formats', async () => {
    expect(build('--formats', 'jpeg, webp,jpeg').formats).to.deep.equal(['jpeg', 'webp']);
    expect(usageError(() => build('--formats', 'jpeg,gif')).message).to.contain('--formats');
    expect(usageError(() => build('--formats', ',')).message).to.contain('--formats');
  });

  it('treats switches as booleans and rejects a switch given a value', async () => {
    expect(build('--no-cache', '--json', '--keep-going')).to.include({ 'no-cache': true, json: true, 'keep-going': true });
    expect(build('--json=false').json).to.equal(false);
    expect(usageError(() => build('--json=yes')).message).to.contain('--json is a switch');
  });

  it('does not take the next task name as the value of a switch', async () => {
    const flags = parseFlags('build', FLAG_TABLES, COMPOSITES, ['--no-cache', 'build']);
    expect(flags['no-cache']).to.equal(true);
  });

  it('tolerates gulp-cli\'s own flags and their values', async () => {
    const flags = build('--silent', '--cwd', '/tmp', '--gulpfile', 'gulpfile.ts', '-f', 'gulpfile.ts', '--color', '--series', '--depth', '2');
    expect(flags.src).to.equal('public');
  });

  it('tolerates gulp-cli\'s -L / -LLL log-level counters', async () => {
    expect(build('-L', '--type', 'album').type).to.equal('album');
    expect(build('-LLL').src).to.equal('public');
  });

  it('accepts build\'s flags under the default task, which runs build', async () => {
    expect(parseFlags('build', FLAG_TABLES, COMPOSITES, ['--type', 'album']).type).to.equal('album');
  });
});

describe('parseFlags (several tasks on one command line)', () => {
  const tables: Record<string, FlagTable> = {
    build: FLAG_TABLES.build,
    sync: { bucket: { kind: 'string', description: 'bucket' }, 'dry-run': { kind: 'boolean', description: 'plan only' } },
  };

  it('allows a flag of another task named on the same command line', async () => {
    const flags = parseFlags('build', tables, {}, ['build', 'sync', '--bucket', 'photos', '--dry-run', '--type', 'album']);
    expect(flags.type).to.equal('album');
    expect(flags).to.not.have.property('bucket');
  });

  it('rejects a flag of a task that is not on the command line', async () => {
    expect(usageError(() => parseFlags('build', tables, {}, ['build', '--bucket', 'photos'])).message).to.contain('--bucket');
  });

  it('does not mistake another task\'s flag value for a task name', async () => {
    // "photos" is --bucket's value; were it read as a task, the run would try to start a task "photos".
    expect(() => parseFlags('sync', tables, {}, ['sync', '--bucket', 'photos', 'build', '--type', 'album'])).to.not.throw();
  });

  it('does not take the task name after gulp-cli\'s -L switch as its value', async () => {
    // -L is a counter in gulp-cli (cli-options.js: `count: true`), so "sync" here is the task.
    expect(parseFlags('sync', tables, {}, ['-L', 'sync', '--bucket', 'photos']).bucket).to.equal('photos');
  });
});

describe('parseFlags (every part of the command line checked up front)', () => {
  const parse = (task: string, ...argv: string[]) => parseFlags(task, FLAG_TABLES, COMPOSITES, argv, FLAG_CHECKS);

  it('rejects a bad value of a flag only verify reads when build (the default task\'s first part) parses', async () => {
    expect(usageError(() => parse('build', '--sample', '150')).message).to.contain('--sample must be a percentage');
    expect(usageError(() => parse('build', 'build', 'verify', '--max-delete', '1', '--concurrency', '999')).message).to.contain('--concurrency');
  });

  it('refuses verify --sample without --deep or --public, saying why', async () => {
    const error = usageError(() => parse('verify', 'verify', '--sample', '10'));
    expect(error.message).to.match(/--sample .*--deep or --public/);
    expect(error.hint).to.contain('--deep');
    expect(parse('verify', 'verify', '--sample', '10', '--deep').sample).to.equal(10);
    expect(usageError(() => parse('build', '--sample', '10')).message, 'from the default task too').to.contain('--sample');
  });

  it('takes --dry-run and --allow-empty for build', async () => {
    expect(parse('build', 'build', '--dry-run', '--allow-empty')).to.include({ 'dry-run': true, 'allow-empty': true });
  });
});
