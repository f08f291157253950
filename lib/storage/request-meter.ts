/**
 * Counts the requests a run sends, every attempt on the wire, by S3 operation and by R2's billing class
 * (r2-facts §4), so the run history can say what a run cost. Fed by the one client factory, the lean reader and the lean writer.
 */
import type { RequestFigures } from '../history/types';

const CLASS_A: ReadonlySet<string> = new Set([
  'ListBuckets', 'CreateBucket', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'PutObject', 'CopyObject',
  'CreateMultipartUpload', 'CompleteMultipartUpload', 'UploadPart', 'UploadPartCopy', 'ListParts', 'ListMultipartUploads',
  'PutBucketEncryption', 'PutBucketCors', 'PutBucketLifecycleConfiguration', 'PutBucketVersioning',
]);
// R2 lists DeleteObject, DeleteBucket and AbortMultipartUpload as free; DeleteObjects is not listed, and counted with them.
const FREE: ReadonlySet<string> = new Set(['DeleteObject', 'DeleteObjects', 'DeleteBucket', 'AbortMultipartUpload']);

/** R2's class for an S3 operation (`GetObject`, or the SDK's `GetObjectCommand`): reads and HEADs are class B. */
export function r2ClassOf(operation: string): 'classA' | 'classB' | 'free' {
  const name = operation.replace(/Command$/, '');
  if (CLASS_A.has(name)) return 'classA';
  return FREE.has(name) ? 'free' : 'classB';
}

export class RequestMeter {
  private readonly counts = new Map<string, number>();

  /** One request sent (a retry is another). */
  readonly count = (operation: string): void => {
    const name = operation.replace(/Command$/, '');
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  };

  figures(): RequestFigures {
    const totals = { classA: 0, classB: 0, free: 0 };
    for (const [name, n] of this.counts) totals[r2ClassOf(name)] += n;
    return { ...totals, byOperation: Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b))) };
  }
}
