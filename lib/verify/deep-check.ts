/**
 * Deep verification: reads objects back and streams them through SHA-256, bounded in concurrency and
 * never holding a body in memory. Catches what an ETag cannot (bytes changed behind stored metadata).
 */
import { createHash } from 'node:crypto';
import { messageOf } from '../errors';
import { headersHash, recordFromHead, type DesiredObject } from '../plan/match';
import type { ObjectStore } from '../storage/object-store';
import { readObject } from '../storage/read-object';
import type { WorkQueue } from '../util/work-queue';

export interface ReadProblem {
  readonly key: string;
  readonly local: DesiredObject;
  /** 'different': the bytes differ from the build; 'headers': served with other headers; 'unreadable': the read failed. */
  readonly kind: 'different' | 'headers' | 'unreadable';
  readonly reason: string;
}

export interface DeepResult {
  readonly problems: ReadProblem[];
  readonly objects: number;
  readonly bytes: number;
}

export async function hashStream(stream: AsyncIterable<unknown>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    const data = chunk as Uint8Array;
    bytes += data.length;
    hash.update(data);
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function describeDifference(local: DesiredObject, read: { sha256: string; bytes: number }, where: string): string | undefined {
  if (read.bytes !== local.size) return `${where} ${read.bytes} bytes, the build has ${local.size}`;
  if (read.sha256 !== local.sha256) return `${where} bytes hash to sha256 ${read.sha256.slice(0, 12)}…, the build's is ${local.sha256.slice(0, 12)}…`;
  return undefined;
}

/** Reads what `queue` holds (it may still be filling, e.g. page by page from a listing) until it is closed. */
export async function deepCheck(
  store: ObjectStore, queue: WorkQueue<DesiredObject>, options: { concurrency: number; onDone?: (bytes: number) => void },
): Promise<DeepResult> {
  const problems: ReadProblem[] = [];
  let bytes = 0;
  let objects = 0;
  await queue.run(options.concurrency, async (local) => {
    objects += 1;
    try {
      const { read, head } = await readObject(store, local.key, async (body, served) => ({ read: await hashStream(body), head: served }));
      bytes += read.bytes;
      options.onDone?.(read.bytes);
      const reason = describeDifference(local, read, 'read back:');
      if (reason) problems.push({ key: local.key, local, kind: 'different', reason: `${reason} (the listing could not see this)` });
      else if (recordFromHead(head).headersHash !== headersHash(local)) {
        problems.push({ key: local.key, local, kind: 'headers', reason: `served with Content-Type "${head.contentType ?? ''}", `
          + `Cache-Control "${head.cacheControl ?? ''}"; the build wants "${local.contentType}", "${local.cacheControl}"` });
      }
    } catch (error) {
      problems.push({ key: local.key, local, kind: 'unreadable', reason: messageOf(error) });
    }
  });
  return { problems, objects, bytes };
}
