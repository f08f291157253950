/**
 * `gulp serve` in tests: a project folder of its own (its `.local-bucket/`, `public/` and `dist/`, with the
 * repo's node_modules linked in, as a user's checkout has), the CLI run there, and a serve child process
 * waited for and stopped with deadlines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { CLEAN_ENV, spawnGulp } from './cli';
import { withDeadline } from './deadline';
import { GULP_BIN, REPO_ROOT } from './paths';
import { makeTmpDir, type Workspace } from './tmp';

export interface Project extends Workspace {
  /** The embedded bucket's folder, `<root>/.local-bucket`. */
  readonly bucketDir: string;
}

export async function makeProject(): Promise<Project> {
  const root = await makeTmpDir('serve');
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  const project = { root, src: join(root, 'public'), dest: join(root, 'dist'), cache: join(root, '.cache', 'images'), bucketDir: join(root, '.local-bucket') };
  await mkdir(project.src, { recursive: true });
  return project;
}

/** gulp's arguments to run this repository's gulpfile with the project as the working directory. */
const inProject = (project: Project, args: readonly string[]) => ['--gulpfile', join(REPO_ROOT, 'gulpfile.ts'), '--cwd', project.root, ...args];

/** A gulp command run to its end in the project (stdout and stderr interleaved). */
export function gulpIn(project: Project, args: readonly string[], timeoutMs = 60_000): Promise<{ status: number | null; output: string }> {
  return withDeadline(spawnGulp(inProject(project, args), {}, timeoutMs, project.root), timeoutMs + 5_000, `gulp ${args.join(' ')}`);
}

export interface ServeChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>/<bucket>`, as printed. */
  readonly publicBase: string;
  output(): string;
  /** Sends `signal` and waits for the exit: its code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gulp serve` in the project and waits (with a deadline) until it prints its public base URL. */
export async function startServeChild(project: Project, args: readonly string[] = ['--port', '0']): Promise<ServeChild> {
  const child = spawn(GULP_BIN, inProject(project, ['serve', ...args]), { cwd: project.root, env: { ...CLEAN_ENV } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /public base URL: (\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`gulp serve exited (${code}) before it was ready:\n${output}`)));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return withDeadline(exited, 15_000, `gulp serve stopping on ${signal}`);
  };
  try {
    const publicBase = await withDeadline(ready, 30_000, 'gulp serve starting');
    return { child, publicBase, output: () => output, stop };
  } catch (error) {
    await stop('SIGKILL').catch(() => undefined);
    throw error;
  }
}

export interface RawAnswer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** One HTTP request with the path sent exactly as given (`..` and `%2e%2e` are not normalised away, as fetch would). */
export function rawRequest(endpoint: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(endpoint);
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  return withDeadline(answer, 15_000, `${options.method ?? 'GET'} ${path}`);
}
