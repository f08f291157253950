/**
 * Ctrl-C during a writing command: the first SIGINT stops new work (requests in flight finish, the run
 * records what it did and gives the writer lock back), so the command can say what was done and how to
 * finish; a second one quits at once. Handed to the executor as its StopSignal.
 */
export interface Interrupt {
  readonly aborted: boolean;
  readonly reason?: unknown;
  /** Aborted by the first Ctrl-C: for a wait that should end at once (a purge request in flight), not only between requests. */
  readonly signal: AbortSignal;
  /** Stop listening (the default Ctrl-C comes back). */
  dispose(): void;
}

export const STOPPED_BY_CTRL_C = 'stopped by Ctrl-C';

export function watchInterrupt(stream: NodeJS.WritableStream = process.stderr): Interrupt {
  let aborted = false;
  const controller = new AbortController();
  const onSignal = () => {
    if (aborted) process.exit(130);
    aborted = true;
    controller.abort(new Error(STOPPED_BY_CTRL_C));
    stream.write('\nCtrl-C: finishing the requests in flight and recording what was done (Ctrl-C again to quit at once)…\n');
  };
  process.on('SIGINT', onSignal);
  return {
    get aborted() { return aborted; },
    get reason() { return aborted ? new Error(STOPPED_BY_CTRL_C) : undefined; },
    signal: controller.signal,
    dispose() { process.off('SIGINT', onSignal); },
  };
}
