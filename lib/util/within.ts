/** A whole-operation deadline for the run history's reads and writes: past it, the caller goes on without them, or fails saying so. */
import { AssetsError } from '../errors';

export class DeadlineError extends AssetsError {
  constructor(what: string, ms: number) {
    super('E_DEADLINE', `${what} took longer than ${Math.round(ms / 1000)} s: the store is not answering in time`, { hint: 'check the store (its status page, the endpoint) and run the command again' });
  }
}

/** `work`, or a DeadlineError naming `what` once `ms` have passed (the work itself is not stopped: its store is closed after). */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
