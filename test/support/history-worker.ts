/**
 * A writing command in a process of its own, for the generated histories' SIGKILL runs: argv[2] is
 * `{ config, paths, step }`; it runs the command as the in-process runs do and reports the result.
 */
import { connectStore } from '../../lib/bucket/open-store';
import { runWritingStep } from './history-commands';

const { config, paths, step } = JSON.parse(process.argv[2] ?? '{}');
const { store, destroy } = connectStore(config, { maxAttempts: 5, backoffBase: 5 });
runWritingStep(store, paths, step).then(
  (result) => { process.send?.(result); destroy(); },
  (error: unknown) => { process.send?.({ error: String(error) }); destroy(); process.exitCode = 1; },
);
