/**
 * Multipart upload for bodies above the single-PUT threshold: equal-sized parts (R2 requires it), each
 * with Content-MD5; aborted on any failure so no parts are left behind. The ETag of the result is not an
 * MD5, so the caller stores the SHA-256 in metadata and compares that instead.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { PutRequest } from './object-store';

export async function multipartPut(client: S3Client, bucket: string, request: PutRequest, partSize: number): Promise<string> {
  const created = await client.send(new CreateMultipartUploadCommand({
    Bucket: bucket, Key: request.key, ContentType: request.contentType, CacheControl: request.cacheControl,
    Metadata: { ...request.metadata },
  }));
  const uploadId = created.UploadId;
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let offset = 0, number = 1; offset < request.body.length; offset += partSize, number += 1) {
      const body = request.body.subarray(offset, offset + partSize);
      const out = await client.send(new UploadPartCommand({
        Bucket: bucket, Key: request.key, UploadId: uploadId, PartNumber: number, Body: body,
        ContentLength: body.length, ContentMD5: createHash('md5').update(body).digest('base64'),
      }));
      parts.push({ ETag: out.ETag ?? '', PartNumber: number });
    }
    const done = await client.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: request.key, UploadId: uploadId, MultipartUpload: { Parts: parts },
    }));
    return (done.ETag ?? '').replace(/"/g, '').toLowerCase();
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: request.key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}
