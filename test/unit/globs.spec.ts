import { expect } from 'chai';
import { resolveAssetsConfig } from '../../lib/config/assets-config';
import { ConfigError, UsageError } from '../../lib/errors';
import { globMatcher, globProblem } from '../../lib/util/globs';
import { parseFlags } from '../../tasks/flags';
import { COMPOSITES, FLAG_TABLES } from '../../tasks/flag-tables';

const flagsOf = (task: 'sync' | 'verify' | 'restore', ...argv: string[]) => parseFlags(task, FLAG_TABLES, COMPOSITES, [task, ...argv]);

function thrown(fn: () => unknown): Error & { hint?: string } {
  try { fn(); } catch (error) { return error as Error; }
  throw new Error('expected an error, nothing was thrown');
}

describe('globs (--exclude, `publish`, `ignore`): one dialect, checked where they enter', () => {
  it('match whole keys: * within a segment, ** across, {a,b}, dotfiles like any name, case counts', async () => {
    const match = globMatcher(['{album,artist}/*/og-image.png', '**/.well-known/*', 'og-image.png']);
    expect(['album/a/og-image.png', 'artist/b/og-image.png', 'og-image.png', 'x/.well-known/y'].every(match)).to.equal(true);
    expect(['album/a/b/og-image.png', 'album/a/OG-IMAGE.png', 'single/a/og-image.png', 'x/og-image.png'].some(match)).to.equal(false);
    expect(globMatcher([])('anything')).to.equal(false);
  });

  it('refuse what cannot be meant, saying why', async () => {
    expect(globProblem('album/[ab')).to.match(/^is not a valid glob: Missing closing: "\]"/);
    expect(globProblem('album/{a,b')).to.match(/Missing closing: "\}"/);
    expect(globProblem('!album/**')).to.match(/negation is not supported/);
    expect(globProblem('/album/**')).to.match(/starts with \//);
    expect(globProblem('album/../x')).to.match(/\.\. segment/);
    expect(globProblem('')).to.equal('is empty');
    expect(globProblem('album/*/og-image.png')).to.equal(undefined);
  });

  it('a bad `publish` or `ignore` glob in assets.config.ts is refused when the config loads, naming the field', async () => {
    const error = thrown(() => resolveAssetsConfig({ publish: ['og-image.png', 'album/[x'] }, 'assets.config.ts'));
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.match(/^assets\.config\.ts: publish\.1 "album\/\[x" is not a valid glob: Missing closing/);
    expect(thrown(() => resolveAssetsConfig({ ignore: ['!keep'] })).message).to.match(/ignore\.0 "!keep" starts with !/);
  });

  it('--exclude repeats (each value one glob, commas included) on sync, verify and restore, and a bad one is refused up front', async () => {
    expect(flagsOf('sync').exclude).to.deep.equal([]);
    expect(flagsOf('sync', '--exclude', '{album,artist}/*/og-image.png', '--exclude=robots.txt').exclude)
      .to.deep.equal(['{album,artist}/*/og-image.png', 'robots.txt']);
    expect(flagsOf('verify', '--exclude', 'a/**', '--exclude', 'a/**').exclude).to.deep.equal(['a/**']);
    expect(flagsOf('restore', '--exclude', 'tmp/**').exclude).to.deep.equal(['tmp/**']);
    const error = thrown(() => flagsOf('sync', '--exclude', 'album/[x'));
    expect(error).to.be.instanceOf(UsageError);
    expect(error.message).to.match(/^--exclude "album\/\[x" is not a valid glob/);
    expect(thrown(() => flagsOf('verify', '--exclude')).message).to.match(/^--exclude needs a value/);
    expect(flagsOf('sync', '--type', 'album', '--type', 'artist').type).to.equal('artist'); // other flags: the last one counts, as before
  });
});
