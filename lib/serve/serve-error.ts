import { AssetsError } from '../errors';

/** `gulp serve` cannot start (another serve runs, the port is taken, the environment names another store). */
export class ServeError extends AssetsError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('E_SERVE', message, { hint, cause });
  }
}
