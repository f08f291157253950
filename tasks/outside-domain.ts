/**
 * gulp runs each task inside a Node `domain` (async-done). While a domain is active, every promise
 * created gets a domain property and a destroy hook: measured at about a fifth of `gulp sync`'s CPU.
 * Our tasks report errors through their returned promise, so their work runs outside the domain.
 *
 * Every task's promise goes through here, so this is also where its error is printed: gulp-cli prints
 * a task's error only through its logger, which `--silent` switches off (and `--json --silent` is how a
 * script reads our output), so the error is written to stderr here — scrubbed of secrets, with its next
 * step, no stack — and, with `--json`, as `{"ok":false,"error":{…}}` on stdout. gulp is then handed an
 * error that prints as nothing, so the message is not shown twice; it still exits 1 (130 after Ctrl-C).
 * A plan the user did not confirm ends the task with exit status 1, as "not applied", not as an error.
 */
import { secretValues } from '../lib/config/environment';
import { errorOutput } from '../lib/util/error-output';
import { nameBackupSettings } from '../lib/config/backup-settings';

interface DomainLike { exit(): void; enter(): void }

export function outsideDomain<T>(work: () => Promise<T>): Promise<T> {
  const domain = (process as unknown as { domain?: DomainLike | null }).domain;
  if (!domain) return work();
  domain.exit();
  try {
    return work();
  } finally {
    domain.enter();
  }
}

/** The error gulp sees after ours was printed: it prints as nothing (gulp-cli calls toString() when showStack is a boolean). */
class AlreadyReported extends Error {
  readonly showStack = false;
  override toString(): string { return ''; }
}

/** `--env backup`, outside gulp mirror (whose errors may be about either side). */
const onBackup = (argv: readonly string[]) => !argv.includes('mirror')
  && argv.some((a, i) => a === '--env=backup' || (a === '--env' && argv[i + 1] === 'backup'));
const wantsJson = (argv: readonly string[]) => argv.some((a) => a === '--json' || a === '--json=true');

/** Runs a task's body outside gulp's domain and prints its error ourselves (see above). */
export function runTask(work: () => Promise<void>): Promise<void> {
  return outsideDomain(async () => {
    try {
      await work();
    } catch (error) {
      if (onBackup(process.argv.slice(2))) nameBackupSettings(error);
      const out = errorOutput(error, secretValues());
      process.stderr.write(`${out.text}\n`);
      if (wantsJson(process.argv.slice(2))) process.stdout.write(`${JSON.stringify(out.json)}\n`);
      if (out.json.error.code === 'E_NOT_APPLIED') {
        process.exitCode = 1; // the task ends (nothing after it runs in a series either: it is the last), not "errored"
        return;
      }
      // gulp-cli exits 1 on a task's error; 130 (Ctrl-C) is set as the process exits, after gulp-cli's own exit handler.
      if (out.exitCode !== 1) process.once('exit', () => { process.exitCode = out.exitCode; });
      throw new AlreadyReported(out.json.error.message);
    }
  });
}
