/**
 * How a command's error is printed: one message (and the next step) on stderr, and with `--json` one JSON
 * object on stdout; never a stack trace for an error we expect, never a secret.
 */
import { AssetsError } from '../errors';
import { scrub } from './run-report';

export interface ErrorJson { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly hint?: string } }

export interface ErrorOutput {
  /** For stderr: `error: <message>` and `  → <hint>`. */
  readonly text: string;
  /** For stdout with --json. */
  readonly json: ErrorJson;
  readonly exitCode: number;
}

/** An error we did not expect (a bug, or a library's own error): its message, and the stack only when ASSETS_DEBUG is set. */
const UNEXPECTED_HINT = 'this is not an error the tool expects: run again with ASSETS_DEBUG=1 for the details, and report it';

export function errorOutput(error: unknown, secrets: readonly string[], debug = process.env.ASSETS_DEBUG === '1'): ErrorOutput {
  const known = error instanceof AssetsError;
  const code = known ? error.code : 'E_UNEXPECTED';
  const message = scrub(error instanceof Error ? error.message : String(error), secrets);
  const hint = known ? error.hint && scrub(error.hint, secrets) : UNEXPECTED_HINT;
  const label = error instanceof AssetsError && error.code === 'E_NOT_APPLIED' ? 'not applied' : error instanceof AssetsError && error.code === 'E_INTERRUPTED' ? 'stopped' : 'error';
  const stack = !known && debug && error instanceof Error && error.stack ? `\n${scrub(error.stack, secrets)}` : '';
  return {
    text: `${label}: ${message}${hint ? `\n  → ${hint}` : ''}${stack}`,
    json: { ok: false, error: { code, message, ...(hint ? { hint } : {}) } },
    exitCode: known ? error.exitCode : 1,
  };
}
