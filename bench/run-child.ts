/** Parent side: runs a strategy in a fresh Node process, or `gulp build` end to end, and collects the result. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RESULT_TAG, type ChildOptions } from './child';
import type { Corpus, CorpusSpec } from './corpus';

export const REPO = resolve(__dirname, '..');

export interface ChildResult {
  strategy: string;
  seconds: number;
  cpuSeconds: number;
  foreignCpuSeconds: number | null;
  peakRssMB: number;
  sources: number;
  outputs: number;
  decodes: number;
  bytesOut?: number;
  built?: number;
  cached?: number;
  hashed?: number;
  concurrency?: number;
  /** Spawn to exit of the child, as the parent saw it (Node + lib start-up included). */
  processSeconds?: number;
  [extra: string]: unknown;
}

function collect(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; seconds: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) done({ stdout, stderr, seconds });
      else fail(new Error(`${command} ${args.join(' ')} exited with ${code}\n${stderr.slice(-4000)}`));
    });
  });
}

/** `strategy` in bench/child.ts in a fresh process; `nodeArgs` e.g. ['--cpu-prof', …]. */
export async function runChild(strategy: string, options: ChildOptions, nodeArgs: string[] = []): Promise<ChildResult> {
  const args = [...nodeArgs, '--require', 'esbuild-register', join(__dirname, 'child.ts'), strategy, JSON.stringify(options)];
  const { stdout, seconds } = await collect(process.execPath, args, process.env);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
  if (!line) throw new Error(`${strategy}: no result line in the child's output:\n${stdout.slice(-2000)}`);
  return { ...(JSON.parse(line.slice(RESULT_TAG.length)) as ChildResult), processSeconds: seconds };
}

export interface GulpRun {
  seconds: number; peakRssMB: number | null; cpuSeconds?: number; foreignCpuSeconds: number | null; summary: Record<string, number>;
}

export interface GulpCliRun {
  seconds: number; peakRssMB: number | null; cpuSeconds?: number; foreignCpuSeconds: number | null; stdout: string; stderr: string;
}

/**
 * `node_modules/.bin/gulp <args>` as a user runs it, timed from spawn to exit (gulp-cli start-up, gulpfile.ts
 * transpile and the tasks), with `env` added to this process's environment. Peak RSS comes from a tiny
 * preload (rss-on-exit.js). Fails when gulp exits non-zero.
 */
export async function runGulpCli(gulpArgs: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<GulpCliRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-gulp-'));
  const rssFile = join(scratch, 'rss.json');
  const childEnv = {
    ...process.env,
    ...env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'rss-on-exit.js')}`.trim(),
    BENCH_RSS_FILE: rssFile,
  };
  const gulp = join(REPO, 'node_modules', '.bin', 'gulp');
  // With node flags (e.g. --cpu-prof, which NODE_OPTIONS refuses) the same bin script runs under `node <flags>`.
  const { stdout, stderr, seconds } = nodeArgs.length === 0
    ? await collect(gulp, gulpArgs, childEnv)
    : await collect(process.execPath, [...nodeArgs, gulp, ...gulpArgs], childEnv);
  type Hook = { vmHwm: number | null; maxRSS: number; cpuSeconds: number; foreignCpuSeconds: number | null };
  let hook: Hook | null = null;
  try { hook = JSON.parse(readFileSync(rssFile, 'utf8')) as Hook; } catch { /* no preload */ }
  rmSync(scratch, { recursive: true, force: true });
  return {
    seconds, peakRssMB: hook ? (hook.vmHwm ?? hook.maxRSS) / 1024 : null, cpuSeconds: hook?.cpuSeconds,
    foreignCpuSeconds: hook?.foreignCpuSeconds ?? null, stdout, stderr,
  };
}

/** `gulp build --src … --dest … --cache-dir … --json --silent` (runGulp), with its JSON summary. */
export async function runGulpBuild(src: string, dest: string, cacheDir: string, nodeArgs: string[] = []): Promise<GulpRun> {
  return runGulp(['build', '--src', src, '--dest', dest, '--cache-dir', cacheDir, '--json', '--silent'], {}, nodeArgs);
}

/** Any gulp task end to end (`gulpArgs` should include `--json`), with the last JSON line it printed. */
export async function runGulp(gulpArgs: string[], extraEnv: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<GulpRun> {
  const run = await runGulpCli(gulpArgs, extraEnv, nodeArgs);
  const json = run.stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  if (!json) throw new Error(`gulp ${gulpArgs[0]} printed no JSON summary:\n${run.stdout.slice(-2000)}`);
  return {
    seconds: run.seconds, peakRssMB: run.peakRssMB, cpuSeconds: run.cpuSeconds,
    foreignCpuSeconds: run.foreignCpuSeconds, summary: JSON.parse(json) as Record<string, number>,
  };
}

/** The corpus for `spec` (generated in a child, so this parent never loads sharp and stays small). */
export async function ensureCorpus(spec: CorpusSpec): Promise<Corpus> {
  return (await runChild('corpus', { ...spec })).corpus as Corpus;
}

/** Machine and library versions, as a child process sees them. */
export async function machineInfo(): Promise<string> {
  return (await runChild('info', {})).info as string;
}

/** Foreign CPU above 10 % of the machine's capacity during a run: another process disturbed it. */
export function noisy(r: { seconds: number; foreignCpuSeconds?: number | null }, cores: number): boolean {
  return (r.foreignCpuSeconds ?? 0) > 0.1 * cores * r.seconds;
}

/**
 * Runs `once` until it is not noisy, at most 1 + `retries` times; returns the least disturbed run and
 * how many attempts it took. (The machine is shared: tests may be running.)
 */
export async function quietRun<T extends { seconds: number; foreignCpuSeconds?: number | null }>(
  once: () => Promise<T>, cores: number, retries = 2,
): Promise<T & { attempts: number }> {
  let best: T | null = null;
  let attempts = 0;
  while (attempts <= retries) {
    attempts += 1;
    const r = await once();
    if (!best || (r.foreignCpuSeconds ?? 0) < (best.foreignCpuSeconds ?? 0)) best = r;
    if (!noisy(r, cores)) break;
  }
  return { ...(best as T), attempts };
}

/** The code under test: commit plus uncommitted changes outside bench/ (others may be editing lib/ meanwhile). */
export function codeVersion(): string {
  const git = (...a: string[]): string => spawnSync('git', a, { cwd: REPO, encoding: 'utf8' }).stdout ?? '';
  const head = git('rev-parse', '--short', 'HEAD').trim() || 'unknown';
  // Porcelain lines are `XY path`: the leading status column may be a space, so never trim them.
  const dirty = git('status', '--porcelain', '--', 'lib', 'tasks', 'gulpfile.ts').split('\n').filter(Boolean).map((l) => l.slice(3));
  return dirty.length === 0 ? `git ${head}` : `git ${head} + uncommitted changes in ${dirty.join(', ')}`;
}

/** The median run by seconds, taken among the undisturbed runs when there are any. */
export function medianRun<T extends { seconds: number; foreignCpuSeconds?: number | null }>(runs: T[], cores: number): T {
  const quiet = runs.filter((r) => !noisy(r, cores));
  const pool = [...(quiet.length > 0 ? quiet : runs)].sort((a, b) => a.seconds - b.seconds);
  return pool[Math.floor((pool.length - 1) / 2)] as T;
}
