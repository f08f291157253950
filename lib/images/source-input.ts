/**
 * The steps every use of a source shares before rendering — the build's plugin and `gulp serve`'s render
 * on demand: read it (bounded by what an image within the pixel limit can be), probe its header, refuse a
 * pixel bomb; and one way to put any failure of these or of the render into the build's words.
 */
import { SourceError } from '../errors';
import { readBounded, TooLargeError } from '../util/read-bounded';
import { maxSourceBytes, type ImageConfig } from './config';
import { describeDecodeError, probe, type SourceInfo } from './sharp-adapter';
import { sourceTooLarge } from './source-path';

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} megapixels`;
}

/** The bytes of the source `rel` at `path`, refused unread when larger than any image within the pixel limit. */
export async function readSourceFile(rel: string, path: string, config: Pick<ImageConfig, 'maxPixels'>): Promise<Buffer> {
  try {
    return await readBounded(path, maxSourceBytes(config));
  } catch (error) {
    if (error instanceof TooLargeError) throw sourceTooLarge(rel, error.bytes, maxSourceBytes(config));
    throw new SourceError(rel, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

/** The header of `input` (oriented size, format, orientation, alpha); a pixel bomb is refused from it, with its real size. */
export async function probeSource(rel: string, input: Buffer, config: Pick<ImageConfig, 'maxPixels'>): Promise<SourceInfo> {
  const info = await probe(input);
  if (info.pixels > config.maxPixels) {
    throw new SourceError(rel, `refused: ${info.width}×${info.height} is ${megapixels(info.pixels)}, `
      + `over the ${megapixels(config.maxPixels)} limit (a pixel bomb, or raise maxPixels)`);
  }
  return info;
}

/** Any failure reading, probing or rendering `rel` as a SourceError: ours as they are, sharp's in the user's terms. */
export function sourceFailure(rel: string, error: unknown, input: Buffer, config: Pick<ImageConfig, 'maxPixels'>, hint?: string): SourceError {
  if (error instanceof SourceError) return error;
  return new SourceError(rel, describeDecodeError(error, input, config.maxPixels), { cause: error, hint });
}
