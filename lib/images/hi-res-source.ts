/**
 * A `source` size (russ.fm's hi-res) is the source itself. A JPEG that needs nothing is published byte
 * for byte (no decode, no encode); one that carries metadata is stripped losslessly (EXIF, GPS, XMP, IPTC
 * and comments dropped; JFIF, Adobe and an sRGB profile kept); one that needs rotating, has another
 * profile or is not a JPEG is re-encoded to sRGB. So no GPS or camera data leaves the build, and every
 * output is sRGB, whichever path a source takes.
 */
import { hiResPath } from './hi-res-path';
import { stripMetadata } from './jpeg-strip';
import { decodeSource, finish, type RenderedVariant, type SourceInfo } from './sharp-adapter';
import type { VariantSpec } from './variants';

export async function publishSource(input: Buffer, info: SourceInfo, v: VariantSpec, maxPixels: number): Promise<RenderedVariant> {
  const decided = v.format === 'jpeg' ? hiResPath(input) : { path: 'reencode' as const, reason: `a ${v.format} rendition` };
  if (decided.path === 'copy' || decided.path === 'strip') {
    const data = decided.path === 'copy' ? input : stripMetadata(input);
    return { variant: v, data, width: info.width, height: info.height, passthrough: { path: decided.path } };
  }
  // A re-encoded JPEG is converted to sRGB by sharp's default output (profile applied, then dropped).
  const { data, info: out } = await finish(decodeSource(input, info, maxPixels), info, v);
  return { variant: v, data, width: out.width, height: out.height, passthrough: { path: 'reencode', reason: decided.reason } };
}
