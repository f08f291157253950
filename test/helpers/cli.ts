/** Running the real `gulp` CLI from the repository root, as a user would. */
import { execFile } from 'node:child_process';
import { GULP_BIN, REPO_ROOT } from './paths';

export interface CliResult { code: number; stdout: string; stderr: string }

export function runGulp(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(GULP_BIN, [...args], { cwd: REPO_ROOT, timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error); // spawn failure or timeout, not an exit code
        else resolve({ code: error ? (error.code as unknown as number) : 0, stdout, stderr });
      });
  });
}
