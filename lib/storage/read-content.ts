/**
 * Reading a known content back from a store: an object read whole only when it is no longer than the size
 * wanted (a longer body is not the one wanted: read no further), and kept only when its size, MD5 (when
 * known) and SHA-256 are the ones wanted. What the mirror copies and what a sync re-sends from the archive
 * for the remote build cache both come through here.
 */
import { createHash } from 'node:crypto';
import type { ObjectStore } from './object-store';
import { readObject } from './read-object';
import { isNotFound } from './store-error';

/** Reads `key` whole if it is there and no longer than `size` bytes; undefined otherwise. */
export async function readUpTo(store: ObjectStore, key: string, size: number): Promise<Buffer | undefined> {
  try {
    return await readObject(store, key, async (body) => {
      const chunks: Uint8Array[] = [];
      let length = 0;
      for await (const chunk of body) {
        length += chunk.length;
        if (length > size) return undefined;
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Whether `body` is exactly the wanted content: its size, its MD5 when one is given, its SHA-256. */
export function holds(body: Buffer, want: { size: number; md5?: string; sha256: string }): boolean {
  if (body.length !== want.size) return false;
  if (want.md5 && createHash('md5').update(body).digest('hex') !== want.md5) return false;
  return createHash('sha256').update(body).digest('hex') === want.sha256;
}

/** The first of `keys` that holds the wanted content, read back and checked; undefined when none does. */
export async function firstHolding(store: ObjectStore, keys: readonly string[], want: { size: number; md5?: string; sha256: string }): Promise<Buffer | undefined> {
  for (const key of keys) {
    const body = await readUpTo(store, key, want.size);
    if (body && holds(body, want)) return body;
  }
  return undefined;
}
