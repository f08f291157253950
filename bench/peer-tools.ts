/**
 * The tools our sync is compared with (Debian's rclone 1.60 and aws-cli 2.9; a missing one is skipped)
 * and how any tool is run for a figure: under /usr/bin/time, so wall, user and system CPU (children
 * included) and peak RSS are measured the same way for gulp, rclone and aws-cli.
 * How they are invoked against a local server: ../shared/notes/local-s3.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './bench-bucket';

export const RCLONE = '/usr/bin/rclone';
/** The full path: a pip awscli 1.x shim comes first on PATH here. */
export const AWS = '/usr/bin/aws';
export const hasRclone = (): boolean => existsSync(RCLONE);
export const hasAws = (): boolean => existsSync(AWS);

export interface Command { readonly command: string; readonly args: readonly string[]; readonly env?: NodeJS.ProcessEnv }

export interface Timed { seconds: number; userSeconds: number; systemSeconds: number; cpuSeconds: number; peakRssMB: number; stdout: string }

export const CREDENTIALS = { R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER' };

/** `gulp <args>` against `bucket` at `endpoint` (s3rver's fixed key). */
export function gulpCommand(endpoint: string, bucket: string, args: readonly string[]): Command {
  return { command: join(ROOT, 'node_modules/.bin/gulp'), args, env: { ...CREDENTIALS, S3_ENDPOINT: endpoint, R2_BUCKET_NAME: bucket } };
}

/** Config files for rclone (one remote per endpoint, named by the map's keys) and aws-cli (one per concurrency). */
export class PeerConfigs {
  private readonly rcloneConf: string;

  constructor(private readonly dir: string, endpoints: Readonly<Record<string, string>>) {
    this.rcloneConf = join(dir, 'rclone.conf');
    writeFileSync(this.rcloneConf, Object.entries(endpoints).map(([name, endpoint]) => `[${name}]\ntype = s3\nprovider = Other\n`
      + `endpoint = ${endpoint}\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\nforce_path_style = true\nregion = us-east-1\n`).join('\n'));
  }

  /** `rclone <args>` with `remote:` names from the constructor; AWS_CA_BUNDLE unset (rclone 1.60 refuses it here). */
  rclone(args: readonly string[]): Command {
    return { command: '/usr/bin/env', args: ['-u', 'AWS_CA_BUNDLE', RCLONE, '--config', this.rcloneConf, ...args] };
  }

  /** `aws --endpoint-url … <args>` with `max_concurrent_requests` set in its config (aws-cli's default is 10). */
  aws(endpoint: string, args: readonly string[], concurrency?: number): Command {
    const config = join(this.dir, `aws-${concurrency ?? 'default'}.cfg`);
    if (!existsSync(config)) {
      writeFileSync(config, `[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n${concurrency ? `    max_concurrent_requests = ${concurrency}\n` : ''}`);
    }
    return { command: AWS, args: ['--endpoint-url', endpoint, ...args], env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_CONFIG_FILE: config } };
  }
}

/** Runs `command` to its end under /usr/bin/time; a non-zero exit throws with its output. */
export function timedRun(command: Command): Promise<Timed> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const out = join(scratch, 'time');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', command.command, ...command.args],
      { cwd: ROOT, env: { ...process.env, ...command.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = readFileSync(out, 'utf8').trim().split('\n').pop() ?? '';
      rmSync(scratch, { recursive: true, force: true });
      if (code !== 0) { reject(new Error(`${command.command} ${command.args.join(' ')} exited ${code}:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`)); return; }
      const [seconds, user, system, rssKB] = last.split(' ').map(Number) as [number, number, number, number];
      resolve({ seconds, userSeconds: user, systemSeconds: system, cpuSeconds: user + system, peakRssMB: rssKB / 1024, stdout });
    });
  });
}
