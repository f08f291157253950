import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface Digests { md5: string; sha256: string }

/** MD5 (what S3/R2 report as a single-PUT ETag) and SHA-256 of a buffer. */
export function digestsOf(data: Uint8Array): Digests {
  return {
    md5: createHash('md5').update(data).digest('hex'),
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

export function md5Of(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a file, streamed so large files never sit in memory. */
export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** A short, stable hash of a JSON-able value (object keys sorted, so key order never matters). */
export function stableHash(value: unknown, length = 16): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, length);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
