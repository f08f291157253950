/**
 * kill -9 for real: a writing command run by a forked worker against the server through the proxy,
 * SIGKILLed when the proxy sees its `atRequest`-th request (that request dies with it; requests already
 * forwarded land on the server, as they would).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { HistoryPaths, StepResult, WritingStep } from './history-commands';
import type { SyncHarness } from './sync-harness';

const WORKER = join(__dirname, 'history-worker.ts');

/** Runs `step` in a worker: whether it was killed, and its result when it finished first. */
export async function killWorkerAt(
  h: SyncHarness, paths: HistoryPaths, step: WritingStep, atRequest: number,
): Promise<{ killed: boolean; result?: StepResult }> {
  const config = { ...h.server.store, endpoint: h.proxy.endpoint };
  const child = fork(WORKER, [JSON.stringify({ config, paths, step })], { execArgv: ['--require', 'tsx/cjs'], stdio: 'ignore' });
  let seen = 0;
  let killed = false;
  let result: StepResult | { error: string } | undefined;
  child.on('message', (message) => { result = message as typeof result; });
  h.proxy.onRequest = (_op, _key, req) => {
    seen += 1;
    if (seen !== atRequest || killed) return;
    killed = true;
    child.kill('SIGKILL');
    req.socket.destroy();
  };
  await new Promise((resolve) => child.on('exit', resolve));
  h.proxy.onRequest = undefined;
  await h.proxy.settled();
  if (!killed && (!result || 'error' in result)) throw new Error(`the worker failed: ${result && 'error' in result ? result.error : 'no result'}`);
  return { killed, result: killed ? undefined : result as StepResult };
}
