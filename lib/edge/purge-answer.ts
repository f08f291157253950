/**
 * The purge API's answer as it enters: read up to a cap (what fetch decompressed counts, so a gzip bomb
 * stops at the cap too), and scrubbed of the token and of any credentials an error page echoes back
 * before anything is cut, quoted or printed.
 */
import { printable } from '../util/printable';

/** A purge answer is a few hundred bytes of JSON: anything past this is not one. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Longest part of a reason quoted from the API (one error message, or an excerpt of a non-JSON page). */
export const MAX_QUOTED = 300;

export type AnswerText = { readonly text: string } | { readonly tooLong: number };

/** The body's text, or how many bytes had arrived when it went past `maxBytes` (the rest is never read). */
export async function readAnswer(response: Response, maxBytes = MAX_ANSWER_BYTES): Promise<AnswerText> {
  if (!response.body) return { text: '' };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { tooLong: bytes };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}

/** `text` without the token, nor whatever follows `Bearer` or `Authorization:` (a proxy may echo another credential). */
export function scrubCredentials(text: string, token: string): string {
  // As environment.ts's secretValues: a token too short to be real would blot out ordinary words.
  const withoutToken = token.length >= 4 ? text.split(token).join('[token]') : text;
  return withoutToken
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^\r\n"'<>,;]*/gi, '$1[hidden]')
    .replace(/\b(bearer|basic)(\s+|%20|\+)(?!\[token\])[^\s"'<>,;&]+/gi, '$1 [hidden]');
}

/** Text from the API as a reason may quote it: scrubbed first, then cut to `max` characters and made printable. */
export function quotable(text: string, token: string, max = MAX_QUOTED): string {
  const scrubbed = scrubCredentials(text, token);
  const cut = scrubbed.length > max ? `${scrubbed.slice(0, max)}…` : scrubbed;
  return printable(cut);
}
