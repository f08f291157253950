/**
 * One purge request on the wire, and what its answer means for the caller: purged, worth retrying
 * (5xx, no answer in time, a dropped connection), throttled (429), failed for good (other 4xx, a 200 with
 * `success: false`), or the token rejected (401/403, code 10000). The answer is validated here, where it
 * enters, at most 64 KB of it; reasons quote Cloudflare's messages scrubbed of credentials, capped and printable.
 */
import * as v from 'valibot';
import { messageOf } from '../errors';
import { printable } from '../util/printable';
import { quotable, readAnswer, scrubCredentials, MAX_ANSWER_BYTES } from './purge-answer';
import { retryAfterMsOf } from '../util/retry-after';

export type Attempt =
  | { readonly kind: 'purged' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'throttled'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string };

export interface PurgeCall {
  readonly endpoint: string;
  readonly token: string;
  readonly body: string;
  readonly deadlineMs: number;
  /** Ends the request at once when aborted (Ctrl-C). */
  readonly abort?: AbortSignal;
}

/** Cloudflare's code for "Authentication error": the token is wrong or may not purge this zone. */
const AUTH_ERROR_CODE = 10000;

const answerSchema = v.object({
  success: v.boolean(),
  errors: v.optional(v.array(v.object({ code: v.optional(v.number()), message: v.optional(v.string()) })), []),
});
type Answer = v.InferOutput<typeof answerSchema>;

function answerOf(text: string): Answer | undefined {
  let json: unknown;
  try { json = JSON.parse(text); } catch { return undefined; }
  const parsed = v.safeParse(answerSchema, json);
  return parsed.success ? parsed.output : undefined;
}

/** Errors quoted in a reason: an answer listing thousands would make every URL's reason huge. */
const ERRORS_QUOTED = 3;

function describe(status: number, answer: Answer | undefined, text: string, token: string): string {
  const errors = answer?.errors.slice(0, ERRORS_QUOTED)
    .map((e) => `${e.message === undefined ? 'no message' : quotable(e.message, token)}${e.code === undefined ? '' : ` (code ${e.code})`}`) ?? [];
  const more = (answer?.errors.length ?? 0) > ERRORS_QUOTED ? ` (and ${(answer?.errors.length ?? 0) - ERRORS_QUOTED} more errors)` : '';
  if (errors.length > 0) return `Cloudflare answered ${status}: ${errors.join('; ')}${more}`;
  if (answer) return `Cloudflare answered ${status} with no error message`;
  // Scrubbed before it is cut: a cut could split the token, and JSON-quoting could change how it is spelled.
  const excerpt = scrubCredentials(text, token).trim().slice(0, 120);
  return excerpt ? `Cloudflare answered ${status}, not with its JSON: ${printable(JSON.stringify(excerpt))}` : `Cloudflare answered ${status}`;
}

function classify(status: number, retryAfter: string | null, text: string, token: string): Attempt {
  const answer = answerOf(text);
  const reason = describe(status, answer, text, token);
  if (status === 401 || status === 403 || answer?.errors.some((e) => e.code === AUTH_ERROR_CODE)) return { kind: 'rejected', reason };
  if (status === 429) return { kind: 'throttled', reason, retryAfterMs: retryAfterMsOf(retryAfter) };
  if (status >= 500 || status === 408) return { kind: 'retry', reason };
  if (status >= 300 && status < 400) return { kind: 'failed', reason: `${reason} (a redirect: is CLOUDFLARE_API_URL right?)` };
  if (status === 404) return { kind: 'failed', reason: `${reason} (is CLOUDFLARE_API_URL right?)` };
  if (status >= 400) return { kind: 'failed', reason };
  if (!answer) return { kind: 'failed', reason };
  return answer.success ? { kind: 'purged' } : { kind: 'failed', reason: `${reason} (success: false)` };
}

/** Sends one purge request under a deadline; never throws. */
export async function attemptPurge(call: PurgeCall): Promise<Attempt> {
  try {
    const response = await fetch(call.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${call.token}`, 'content-type': 'application/json' },
      body: call.body,
      // A redirect would carry the token to wherever it points.
      redirect: 'manual',
      signal: call.abort ? AbortSignal.any([AbortSignal.timeout(call.deadlineMs), call.abort]) : AbortSignal.timeout(call.deadlineMs),
    });
    const read = await readAnswer(response, MAX_ANSWER_BYTES);
    if ('tooLong' in read) {
      const reason = `Cloudflare answered ${response.status} with more than ${MAX_ANSWER_BYTES / 1024} KB (not a purge answer; the rest was not read)`;
      return response.status >= 500 ? { kind: 'retry', reason } : { kind: 'failed', reason };
    }
    return classify(response.status, response.headers.get('retry-after'), read.text, call.token);
  } catch (error) {
    if ((error as { name?: string }).name === 'TimeoutError') return { kind: 'retry', reason: `no answer within ${call.deadlineMs / 1000} s` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'retry', reason: `connection failed (${cause?.message ?? cause?.code ?? messageOf(error)})` };
  }
}
