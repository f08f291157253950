/** Small JSON objects the tool keeps in the bucket (its state record, release records and pointer). */
import { BadRecordError } from '../errors';
import { digestsOf } from '../util/hash';
import type { ObjectHead, ObjectStore, WriteResult } from './object-store';
import { readObject } from './read-object';
import { isNotFound } from './store-error';

/** More than any record of ours grows to (a release of 100,000 images is about 25 MB): a bigger one is not read. */
export const RECORD_MAX_BYTES = 128 * 1024 * 1024;

/** A record too big to be one of ours: refused by its size, before (or while) it is read into memory. */
export class RecordTooLargeError extends BadRecordError {
  readonly head: ObjectHead;
  constructor(key: string, head: ObjectHead, maxBytes: number) {
    super(key, `is ${head.size > maxBytes ? `${head.size} bytes` : 'longer than it said'}: more than any record of ours (at most ${maxBytes} bytes), so it was not read`);
    this.head = head;
  }
}

/** The object's text and served headers; undefined when it does not exist. */
export async function readObjectText(
  store: ObjectStore, key: string, maxBytes = RECORD_MAX_BYTES,
): Promise<{ text: string; head: ObjectHead } | undefined> {
  try {
    return await readObject(store, key, async (body, head) => {
      if (head.size > maxBytes) throw new RecordTooLargeError(key, head, maxBytes);
      const chunks: Uint8Array[] = [];
      let read = 0;
      for await (const chunk of body) {
        read += chunk.length;
        if (read > maxBytes) throw new RecordTooLargeError(key, head, maxBytes);
        chunks.push(chunk);
      }
      return { text: Buffer.concat(chunks).toString('utf8'), head };
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The ETag a store gives the object putJsonObject writes for `value` (its MD5): how a retried write knows its own. */
export function jsonEtag(value: unknown): string {
  return digestsOf(Buffer.from(JSON.stringify(value))).md5;
}

/** Writes a JSON object (never cached), optionally on a condition (see PutRequest); answers with its ETag. */
export async function putJsonObject(
  store: ObjectStore, key: string, value: unknown, condition: { ifMatch?: string; ifNoneMatch?: '*' } = {},
): Promise<WriteResult> {
  const body = Buffer.from(JSON.stringify(value));
  return store.put({ key, body, md5: digestsOf(body).md5, contentType: 'application/json', cacheControl: 'no-store', metadata: {}, ...condition });
}
