/**
 * Settings files in the working directory: `.env.<environment>` (`.env.staging`, `.env.production`) and
 * `.env`, all git-ignored. A variable is taken from the first place that sets it: the process environment
 * (CI's secrets), then `.env.<environment>`, then `.env`. Values are never printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { ConfigError } from '../errors';

type Env = Readonly<Record<string, string | undefined>>;

/** The files read for an environment, the one that wins first. */
export function settingsFiles(environment: string): string[] {
  return [`.env.${environment}`, '.env'];
}

/** One settings file's variables ({} when it does not exist). */
export function readFileSettings(path: string): Record<string, string> {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new ConfigError(`cannot read the settings file ${path}: ${code ?? String(error)}`, 'make it a readable file, or remove it');
  }
  return parse(text);
}

/** The settings an environment sees: `env` over `.env.<environment>` over `.env` (in `dir`). Changes nothing. */
export function readSettings(environment: string, dir = '.', env: Env = process.env): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  for (const file of settingsFiles(environment).reverse()) Object.assign(merged, readFileSettings(join(dir, file)));
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  return merged;
}

/** What `.env.staging` and `.env.production` (in `dir`) set: where a deploy's credentials may sit when --env is left out. */
export function remoteSettings(dir = '.'): Record<string, string> {
  return { ...readFileSettings(join(dir, '.env.staging')), ...readFileSettings(join(dir, '.env.production')) };
}

let started: Env | undefined;

/** The process environment as the command started, before any settings file was read into it. */
export function startedEnvironment(): Env {
  return started ?? process.env;
}

/** Reads the environment's settings files into process.env, never over a variable already set there. */
export function loadSettingsFiles(environment: string, dir = '.'): void {
  started ??= { ...process.env };
  for (const [name, value] of Object.entries(readSettings(environment, dir))) {
    if (process.env[name] === undefined && value !== undefined) process.env[name] = value;
  }
}
