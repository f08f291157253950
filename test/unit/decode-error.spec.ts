import { expect } from 'chai';
import { describeDecodeError } from '../../lib/images/sharp-adapter';

describe('describeDecodeError', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);

  it('names a cut-off JPEG even when libvips lost its message ("Unknown error")', async () => {
    expect(describeDecodeError(new Error('Unknown error'), jpeg.subarray(0, 120), 1e8)).to.match(/^truncated or corrupt image data \(the file ends before its end marker/);
  });

  it('does not call a complete file truncated', async () => {
    expect(describeDecodeError(new Error('Unknown error'), jpeg, 1e8)).to.equal('cannot decode: Unknown error');
  });
});
