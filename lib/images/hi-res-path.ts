// Placeholder until the JPEG segment parser lands (branch h3).
export type HiResPath = { path: 'copy' } | { path: 'strip'; dropped: string[] } | { path: 'reencode'; reason: string };
export function hiResPath(source: Buffer): HiResPath {
  return source[0] === 0xff && source[1] === 0xd8 ? { path: 'copy' } : { path: 'reencode', reason: 'not a JPEG' };
}
