/**
 * How a source becomes its published hi-res image: the source itself (`copy`), the source without its
 * metadata (`strip`, lossless) or a re-encode through sharp. Only a JPEG a browser shows exactly as
 * sharp would (8-bit YCbCr/RGB, sRGB or no profile, upright) avoids the re-encode.
 */
import { JpegFormatError } from '../errors';
import { iccProfileName, isSrgbProfile } from './icc-profile';
import { jpegFacts, type JpegFacts } from './jpeg-facts';

export type HiResPath =
  | { readonly path: 'copy' }
  | { readonly path: 'strip'; readonly dropped: readonly string[] }
  | { readonly path: 'reencode'; readonly reason: string };

/** The reason for each format we recognise by its first bytes. */
const SIGNATURES: ReadonlyArray<readonly [string, (head: Buffer) => boolean]> = [
  ['a PNG source', (head) => head.toString('latin1', 0, 8) === '\x89PNG\r\n\x1a\n'],
  ['a WebP source', (head) => head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP'],
  ['a GIF source', (head) => head.toString('latin1', 0, 4) === 'GIF8'],
  ['an AVIF or HEIF source', (head) => head.toString('latin1', 4, 8) === 'ftyp'],
  ['a TIFF source', (head) => ['II*\0', 'MM\0*'].includes(head.toString('latin1', 0, 4))],
];

function notJpegReason(source: Buffer): string {
  const head = source.subarray(0, 12);
  return SIGNATURES.find(([, matches]) => matches(head))?.[0] ?? 'not a JPEG';
}

/** SOF0 baseline, SOF1 extended and SOF2 progressive Huffman: what browsers decode. */
const WEB_FRAMES: ReadonlySet<number> = new Set([0xc0, 0xc1, 0xc2]);

function codingOf(frameMarker: number): string {
  if (frameMarker >= 0xc9) return 'an arithmetic-coded';
  return frameMarker === 0xc3 ? 'a lossless' : 'a hierarchical';
}

/** Why these facts rule out publishing the bytes as they are, or undefined when nothing does. */
function reencodeReason(facts: JpegFacts): string | undefined {
  const { frame, colour, orientation, icc } = facts;
  if (facts.problems.length > 0) return facts.problems[0];
  if (!frame) return 'it has no frame header (SOF)';
  if (!WEB_FRAMES.has(frame.marker)) return `${codingOf(frame.marker)} JPEG (browsers may not show it)`;
  if (frame.precision !== 8) return `${frame.precision}-bit samples (browsers show 8-bit JPEGs)`;
  if (frame.width === 0 || frame.height === 0) return 'its frame header gives no size';
  if (colour === 'grey') return 'greyscale';
  if (colour === 'CMYK') return 'CMYK';
  if (colour === 'YCCK') return 'YCCK (CMYK)';
  if (colour === 'unknown') return `${frame.components} colour components`;
  if (orientation !== 1) return `EXIF orientation ${orientation} (needs rotating)`;
  if (icc && !isSrgbProfile(icc)) return `its ICC profile is ${iccProfileName(icc)}, not sRGB`;
  return undefined;
}

/** Decides the hi-res path of `source` from its bytes. Never throws for bad input: anything unclear is re-encoded. */
export function hiResPath(source: Buffer): HiResPath {
  if (source[0] !== 0xff || source[1] !== 0xd8) return { path: 'reencode', reason: notJpegReason(source) };
  let facts: JpegFacts;
  try {
    facts = jpegFacts(source);
  } catch (error) {
    if (error instanceof JpegFormatError) return { path: 'reencode', reason: `a damaged JPEG: ${error.message}` };
    throw error;
  }
  const reason = reencodeReason(facts);
  if (reason) return { path: 'reencode', reason };
  const dropped = facts.trailingBytes > 0 ? [...facts.dropped, `${facts.trailingBytes} bytes after the image`] : facts.dropped;
  return dropped.length === 0 ? { path: 'copy' } : { path: 'strip', dropped };
}
