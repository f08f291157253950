import { expect } from 'chai';
import { createProgress } from '../../lib/util/progress';

function plainStream(): NodeJS.WriteStream & { lines: () => string[] } {
  let text = '';
  return { isTTY: false, write: (chunk: string) => { text += chunk; return true; }, lines: () => text.split('\n').filter(Boolean) } as never;
}

describe('progress lines', () => {
  it('prints the final line once when the last tick already showed it (no duplicate final line)', async () => {
    const stream = plainStream();
    const progress = createProgress({ label: 'sync', total: 1, unit: 'obj', stream });
    progress.tick(1);
    progress.done();
    expect(stream.lines()).to.have.length(1);
    expect(stream.lines()[0]).to.match(/^sync 1\/1 obj 100%/);
  });

  it('still prints the final count when the last line shown was an earlier one', async () => {
    const stream = plainStream();
    const progress = createProgress({ label: 'sync', total: 3, unit: 'obj', stream, plainEvery: 3600 });
    progress.tick(1);
    progress.tick(1);
    progress.tick(1);
    progress.done();
    expect(stream.lines().map((l) => /\d+\/\d+/.exec(l)?.[0])).to.deep.equal(['1/3', '3/3']);
  });

  it('prints no "0 of n" line when a run ends before doing anything (it stopped, or waited and gave up)', async () => {
    const stream = plainStream();
    createProgress({ label: 'sync', total: 44, unit: 'obj', stream }).done();
    expect(stream.lines()).to.deep.equal([]);
  });
});
