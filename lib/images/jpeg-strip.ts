// Placeholder until the JPEG segment parser lands (branch h3).
export function stripMetadata(jpeg: Buffer): Buffer {
  return jpeg;
}
