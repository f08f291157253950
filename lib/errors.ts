/**
 * Typed errors. Each carries a stable `code` and, where there is one, a `hint` naming the next step.
 * `showStack = false` makes gulp-cli print `toString()` (name, message, hint) instead of a stack trace.
 */
export class AssetsError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly showStack = false;
  /** The process's exit status when this error ends a command. */
  readonly exitCode: number = 1;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  override toString(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}

/** A flag or option that cannot be used: fails before any work starts. */
export class UsageError extends AssetsError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, { hint });
  }
}

/** Configuration (environment, config values) that cannot work: fails fast. */
export class ConfigError extends AssetsError {
  constructor(message: string, hint?: string) {
    super('E_CONFIG', message, { hint });
  }
}

/** One source image that could not be processed; collected, never thrown across the whole run. */
export class SourceError extends AssetsError {
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string, options: { hint?: string; cause?: unknown } = {}) {
    super('E_SOURCE', `${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}

/** The run finished but some items failed; the message summarises, the report lists each one. */
export class RunFailedError extends AssetsError {
  constructor(message: string, hint?: string) {
    super('E_RUN_FAILED', message, { hint });
  }
}

/** A shown plan the user did not confirm: nothing was applied; exit 1, reported as "not applied", not as an error. */
export class NotAppliedError extends AssetsError {
  constructor(message: string, hint?: string) {
    super('E_NOT_APPLIED', message, { hint });
  }
}

/** Stopped by Ctrl-C (SIGINT): the message says what was done so far and how to finish; exit 130 as shells expect. */
export class InterruptedError extends AssetsError {
  override readonly exitCode = 130;
  constructor(message: string, hint?: string) {
    super('E_INTERRUPTED', message, { hint });
  }
}

/**
 * The command changed the bucket as asked, but the CDN purge after it failed: exit 3, so a deploy can tell
 * "the bucket is wrong" (1) from "the bucket is right, the edge may be stale" (3) and redo only the purge.
 */
export class PurgeFailedError extends AssetsError {
  override readonly exitCode = 3;
  constructor(message: string, hint?: string) {
    super('E_PURGE_FAILED', message, { hint });
  }
}

/** A record from outside (the bucket, dist/) that is not what it claims to be: `where` names it (a key or a file). */
export class BadRecordError extends AssetsError {
  readonly where: string;
  /** What is wrong with it, without where (the message is `<where>: <problem>`). */
  readonly problem: string;
  constructor(where: string, problem: string, hint?: string) {
    super('E_BAD_RECORD', `${where}: ${problem}`, { hint });
    this.where = where;
    this.problem = problem;
  }
}

/** A message for any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bytes that are not a well-formed JPEG where one was expected; the message names the byte offset. */
export class JpegFormatError extends AssetsError {
  constructor(message: string) {
    super('E_JPEG_FORMAT', message);
  }
}
