import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { slugsFromChangeList, slugsInChangeList, unquoteGitPath } from '../../lib/bucket/change-list';
import { ConfigError } from '../../lib/errors';
import { makeTmpDir, removeTmp } from '../helpers/tmp';

const slugs = (...lines: string[]) => [...slugsInChangeList(lines.join('\n'))].sort();

describe('--changed-files: the lists russ.fm\'s deploy writes', () => {
  it('takes `git diff --name-only` output: source paths name their folder, every other path is ignored', async () => {
    expect(slugs(
      'public/album/blue-train/blue-train-hi-res.jpg', 'public/artist/cher/cher-hi-res.png', 'public/album/old/old-hi-res.jpeg',
      'src/lib/image-utils.ts', 'docs/build-pipeline/asset-processing.md', 'package.json', 'public/album/index.json', 'public/album', '',
    )).to.deep.equal(['album/blue-train', 'album/old', 'artist/cher']);
  });

  it('takes the `public/<target>/manual` lines it writes for targets named by hand', async () => {
    expect(slugs('public/album/blue-train/manual', 'public/artist/cher/manual')).to.deep.equal(['album/blue-train', 'artist/cher']);
  });

  it('reads CRLF and lone-CR lines, blank lines, surrounding spaces and a byte-order mark', async () => {
    expect([...slugsInChangeList('\uFEFFpublic/album/a/a-hi-res.jpg\r\n\r\n  public/album/b/manual  \r\npublic/artist/c/c-hi-res.jpg\r')].sort())
      .to.deep.equal(['album/a', 'album/b', 'artist/c']);
    expect([...slugsInChangeList('')]).to.deep.equal([]);
  });

  it('names the folder of a deleted source like any other (the diff lists the path that is gone)', async () => {
    expect(slugs('public/album/gone/gone-hi-res.jpg')).to.deep.equal(['album/gone']);
  });

  // git quotes a path with bytes outside printable ASCII (core.quotePath), each byte in octal.
  it('reads the C-quoted paths git writes for accented slugs, in NFC', async () => {
    expect(unquoteGitPath('"public/album/caf\\303\\251/caf\\303\\251-hi-res.jpg"')).to.equal('public/album/café/café-hi-res.jpg');
    expect(unquoteGitPath('"a\\"b\\\\c\\td"')).to.equal('a"b\\c\td');
    expect(unquoteGitPath('public/album/plain/plain-hi-res.jpg')).to.equal('public/album/plain/plain-hi-res.jpg');
    expect(slugs('"public/album/bjo\\314\\210rk/manual"')).to.deep.equal(['album/björk']);
  });

  it('never takes `.` or `..` for a slug', async () => {
    expect(slugs('public/album/../x/y.jpg', 'public/album/./x.jpg')).to.deep.equal([]);
  });

  it('names the list it cannot read, and how to write one', async () => {
    const dir = await makeTmpDir('changed');
    try {
      const error = await slugsFromChangeList(join(dir, 'missing.txt')).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).hint).to.contain('git diff --name-only');
      await writeFile(join(dir, 'changed_files.txt'), 'public/album/a/a-hi-res.jpg\r\npublic/artist/b/manual\r\n');
      expect([...await slugsFromChangeList(join(dir, 'changed_files.txt'))].sort()).to.deep.equal(['album/a', 'artist/b']);
    } finally {
      await removeTmp(dir);
    }
  });
});
