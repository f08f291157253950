/**
 * Reads a whole file, but never more than `maxBytes`: the size is checked on the open handle first (the
 * file a symlink names, as it is now), and the read stops at the cap even if the file grows meanwhile.
 */
import { open } from 'node:fs/promises';

export class TooLargeError extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`${bytes} bytes, over the ${maxBytes}-byte cap`);
  }
}

export async function readBounded(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new TooLargeError(size, maxBytes);
    // One byte more than the cap tells a file that grew past it since the stat.
    const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) {
        if (filled > maxBytes) throw new TooLargeError(filled, maxBytes);
        break; // a file growing under us is read to its size at open (+1): the decoder judges what it got
      }
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
