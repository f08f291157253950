/**
 * Reading an object whole. `get` retries what a store answers (5xx, 429, resets before an answer); a body
 * that breaks off after the answer began (a reset, an answer cut short, a read stalled past its deadline)
 * only shows while it is consumed, so the whole read starts again here, a few times, with a pause.
 * Errors of the consumer itself (a full disk, say) are not the network's, and are not retried.
 */
import { messageOf } from '../errors';
import type { ObjectHead, ObjectStore } from './object-store';

/** The body of an answer broke off while it was being read. */
export class BrokenBodyError extends Error {
  constructor(key: string, cause: unknown) {
    super(`reading ${key} broke off: ${messageOf(cause)}`, { cause });
  }
}

async function* guarded(key: string, body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw new BrokenBodyError(key, error);
  }
}

export interface ReadRetries {
  /** Reads in all, the first included. */
  readonly attempts?: number;
  readonly pauseMs?: number;
}

export async function readObject<T>(
  store: ObjectStore, key: string, consume: (body: AsyncIterable<Uint8Array>, head: ObjectHead) => Promise<T>, retries: ReadRetries = {},
): Promise<T> {
  const attempts = retries.attempts ?? 4;
  for (let attempt = 1; ; attempt += 1) {
    const { body, head } = await store.get(key);
    try {
      return await consume(guarded(key, body), head);
    } catch (error) {
      if (!(error instanceof BrokenBodyError) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, (retries.pauseMs ?? 100) * attempt));
    }
  }
}
