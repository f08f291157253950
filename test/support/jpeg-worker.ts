/**
 * Runs the JPEG readers on one input per message in a worker thread, so that a hang is a missed
 * deadline the test can report (and end with terminate()) rather than a blocked test process.
 * Replies with a JpegOutcome; the property asserts on it.
 */
import { parentPort } from 'node:worker_threads';
import { JpegFormatError } from '../../lib/errors';
import { hiResPath, type HiResPath } from '../../lib/images/hi-res-path';
import { jpegFacts } from '../../lib/images/jpeg-facts';
import { readJpegSegments } from '../../lib/images/jpeg-segments';
import { stripMetadata } from '../../lib/images/jpeg-strip';

export interface JpegOutcome {
  /** 'ok', 'JpegFormatError', or any other error as `Name: message` (a failure). */
  readonly read: string;
  readonly facts: string;
  readonly strip: string;
  readonly path: HiResPath | { readonly threw: string };
  /** When the input strips: the path of the stripped bytes, and whether a second strip changes them. */
  readonly stripped?: { readonly path: HiResPath; readonly idempotent: boolean };
}

function attempt(work: () => unknown): string {
  try {
    work();
    return 'ok';
  } catch (error) {
    if (error instanceof JpegFormatError) return 'JpegFormatError';
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

function outcomeOf(input: Buffer): JpegOutcome {
  let path: JpegOutcome['path'];
  try {
    path = hiResPath(input);
  } catch (error) {
    path = { threw: String(error) };
  }
  let stripped: Buffer | undefined;
  const strip = attempt(() => { stripped = stripMetadata(input); });
  return {
    read: attempt(() => readJpegSegments(input)),
    facts: attempt(() => jpegFacts(input)),
    strip,
    path,
    stripped: stripped && { path: hiResPath(stripped), idempotent: stripMetadata(stripped).equals(stripped) },
  };
}

parentPort?.on('message', (bytes: Uint8Array) => {
  parentPort?.postMessage(outcomeOf(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
});
