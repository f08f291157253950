/** Small JSON objects the tool keeps in the bucket (its state record, release records and pointer). */
import { digestsOf } from '../util/hash';
import type { ObjectHead, ObjectStore, WriteResult } from './object-store';
import { readObject } from './read-object';
import { isNotFound } from './store-error';

/** The object's text and served headers; undefined when it does not exist. */
export async function readObjectText(store: ObjectStore, key: string): Promise<{ text: string; head: ObjectHead } | undefined> {
  try {
    return await readObject(store, key, async (body, head) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(chunk);
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
