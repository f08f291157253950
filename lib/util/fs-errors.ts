/** What a failed filesystem write means to the user, and what to do about it. */
import { AssetsError } from '../errors';

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC)',
  EDQUOT: 'the disk quota is used up (EDQUOT)',
  EROFS: 'the file system is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'not permitted (EPERM)',
};

/** A local file could not be written: fatal for the run (the next file would fail the same way). */
export class WriteFileError extends AssetsError {
  readonly path: string;
  constructor(path: string, error: unknown, hint: string) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    super('E_WRITE', `cannot write ${path}: ${REASONS[code] ?? (error as Error).message}`, { hint, cause: error });
    this.path = path;
  }
}

/** Whether an error is a write failure that every later write would meet too (full disk, read-only, no permission). */
export function isFatalWriteError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code !== undefined && (error as NodeJS.ErrnoException).code as string in REASONS;
}
