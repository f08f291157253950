/**
 * Failed store requests, as every caller sees them: one error type with the HTTP status and a stable
 * code, and the two questions callers ask of it. Nothing outside lib/storage reads `status` or `code`.
 */
import { AssetsError } from '../errors';
import { printable } from '../util/printable';

/** A failed store request, naming the operation and key; `status` is the HTTP status when there was one. */
export class StoreError extends AssetsError {
  readonly status?: number;
  readonly key?: string;
  constructor(operation: string, key: string | undefined, error: unknown, hint?: string) {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
    const status = e.$metadata?.httpStatusCode;
    const what = `${operation}${key === undefined ? '' : ` ${key}`}`;
    const reason = [e.name && e.name !== 'Error' ? e.name : e.code, status ? `HTTP ${status}` : undefined, e.message && scrubServerText(e.message)]
      .filter(Boolean).join(': ');
    super(e.name === 'NoSuchKey' || status === 404 ? 'NoSuchKey' : 'E_STORE', `${what} failed: ${reason}`,
      { hint: hint ?? hintFor(status, e.code), cause: error });
    this.status = status;
    this.key = key;
  }
}

/** A conditional write whose object was gone (answered 404): its condition did not hold, as a 412 says. */
export function conditionFailed(key: string, gone: StoreError): StoreError {
  return new StoreError('put', key, { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 }, message: `the object is gone (${gone.message})` });
}

function hintFor(status: number | undefined, code: string | undefined): string | undefined {
  if (status === 401 || status === 403) return 'check R2_ACCESS_KEY_ID / R2_SECRET_ACCESS_KEY and the token\'s bucket permissions';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') return 'check S3_ENDPOINT / R2_ACCOUNT_ID: the endpoint cannot be reached';
  return undefined;
}

/**
 * What a server said, safe to print: a server may echo the request's Authorization header, string to
 * sign or canonical request, which carry the access key id and the signature. Those are cut out,
 * control characters shown as `?`, and the text is kept short.
 */
export function scrubServerText(text: string): string {
  return printable(text)
    .replace(/Credential=[^\s,"'<]*/gi, 'Credential=***')
    .replace(/(Signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|AWSAccessKeyId)=[^\s,&"'<]*/gi, '$1=***')
    .replace(/<(AWSAccessKeyId|StringToSign|StringToSignBytes|CanonicalRequest|CanonicalRequestBytes|SignatureProvided)>[\s\S]*?<\/\1>/gi, '<$1>***</$1>')
    .slice(0, 500);
}

/** The object (or version) is not there. */
export function isNotFound(error: unknown): boolean {
  return error instanceof StoreError && error.code === 'NoSuchKey';
}

/** A conditional write's condition did not hold (HTTP 412). */
export function isPreconditionFailed(error: unknown): boolean {
  return error instanceof StoreError && error.status === 412;
}
