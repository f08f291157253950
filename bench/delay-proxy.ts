/**
 * A link with added latency, in a process of its own: the counting proxy (test/servers/fault-proxy.ts)
 * holding every request `delayMs` before passing it on to the server, so each request/response exchange
 * takes `delayMs` longer whatever its size (not a delay per byte chunk). Its own process, so its CPU is
 * charged to no tool under test and the bench's parent may block while a tool runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { FaultProxy, type Operation } from '../test/servers/fault-proxy';

export type Counts = Record<Operation, number> & { total: number };

export interface DelayProxy {
  readonly endpoint: string;
  /** Requests counted since the last call (then reset). */
  take(): Promise<Counts>;
  close(): void;
}

type Message = { endpoint?: string; counts?: Counts };

function ask(child: ChildProcess, message: string): Promise<Message> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Message));
    child.send(message);
  });
}

export async function startDelayProxy(target: string, delayMs: number): Promise<DelayProxy> {
  const child = fork(__filename, [target, String(delayMs)], { execArgv: ['--require', 'esbuild-register'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ready = await new Promise<Message>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Message));
    child.once('exit', (code) => reject(new Error(`delay proxy exited with ${code}`)));
  });
  return {
    endpoint: ready.endpoint as string,
    take: async () => (await ask(child, 'take')).counts as Counts,
    close: () => { child.kill(); },
  };
}

if (require.main === module) {
  const [target = '', delay = '0'] = process.argv.slice(2);
  const proxy = new FaultProxy(target);
  proxy.start().then((endpoint) => {
    proxy.delayMs = Number(delay);
    process.send?.({ endpoint });
    process.on('message', () => {
      process.send?.({ counts: { ...proxy.counts, total: proxy.total } });
      for (const op of Object.keys(proxy.counts) as Operation[]) proxy.counts[op] = 0;
    });
    process.on('disconnect', () => process.exit(0));
  }, (error: unknown) => { console.error(error); process.exit(1); });
}
