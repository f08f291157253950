/** Running the real `gulp` CLI from the repository root, as a user would. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GULP_BIN, REPO_ROOT, TMP_PREFIX } from './paths';

/** Where every CLI run of the suite writes its reports (REPORTS_DIR), so the repo's reports/ is never written. */
export const TEST_REPORTS_DIR = mkdtempSync(join(tmpdir(), `${TMP_PREFIX}reports-`));
process.once('exit', () => rmSync(TEST_REPORTS_DIR, { recursive: true, force: true }));

export interface CliResult { code: number; stdout: string; stderr: string }

export function runGulp(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(GULP_BIN, [...args], { cwd: REPO_ROOT, timeout: timeoutMs, env: { ...process.env, REPORTS_DIR: TEST_REPORTS_DIR, FORCE_COLOR: '0', NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error); // spawn failure or timeout, not an exit code
        else resolve({ code: error ? (error.code as unknown as number) : 0, stdout, stderr });
      });
  });
}

/** A clean environment for the CLI: no developer settings leak in. CI is set, as on the CI machine. */
export const CLEAN_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true', REPORTS_DIR: TEST_REPORTS_DIR };

/**
 * Runs gulp without blocking this process (an S3 server under test may live in it), with only
 * CLEAN_ENV and `env`. Output is stdout and stderr interleaved.
 */
export function spawnGulp(
  args: readonly string[], env: Record<string, string>, timeoutMs = 60_000, cwd = REPO_ROOT,
  /** Called with the output so far as it grows (e.g. to send SIGINT at a given line). */
  watch?: (output: string, child: ChildProcess) => void,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(GULP_BIN, [...args], { cwd, env: { ...CLEAN_ENV, ...env }, timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); watch?.(output, child); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); watch?.(output, child); });
    child.on('close', (status) => resolve({ status, output }));
  });
}
