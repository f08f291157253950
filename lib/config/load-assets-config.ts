/**
 * Finds and loads the user's config: $ASSETS_CONFIG, else the first of assets.config.{ts,js,cjs,json} in
 * the working directory, else the built-in default (the russ-fm preset). A .ts file needs the TypeScript
 * loader gulp registers for gulpfile.ts (esbuild-register), or tsx.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, messageOf } from '../errors';
import { resolveAssetsConfig, type AssetsConfig } from './assets-config';

export const CONFIG_FILES = ['assets.config.ts', 'assets.config.js', 'assets.config.cjs', 'assets.config.json'];

const loaded = new Map<string, { mtimeMs: number; config: AssetsConfig }>();

function configFile(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const named = env.ASSETS_CONFIG?.trim();
  if (named) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) throw new ConfigError(`ASSETS_CONFIG names ${path}, which does not exist`, 'point it at your assets.config.ts (or .js, .json), or unset it');
    return path;
  }
  return CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

function exported(path: string): unknown {
  if (path.endsWith('.json')) return JSON.parse(readFileSync(path, 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is code the user wrote, loaded like gulpfile.ts
  const module = require(path) as { default?: unknown };
  return module.default ?? module;
}

/** The config in effect for this working directory (cached until its file changes). */
export function loadAssetsConfig(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): AssetsConfig {
  const path = configFile(cwd, env);
  if (!path) return resolveAssetsConfig(undefined);
  const { mtimeMs } = statSync(path);
  const cached = loaded.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached.config;
  let raw: unknown;
  try {
    raw = exported(path);
  } catch (error) {
    const hint = path.endsWith('.ts') && /Unknown file extension|Unexpected token|Cannot use import/.test(messageOf(error))
      ? 'a .ts config needs a TypeScript loader: run it through gulp (gulpfile.ts registers one) or use assets.config.json'
      : 'fix the file, or delete it to use the default recipe';
    // esbuild puts the line, column and reason of a syntax error on the lines after its first: keep them.
    const detail = messageOf(error).split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 4).join(' ');
    throw new ConfigError(`cannot load ${path}: ${detail}`, hint);
  }
  const config = resolveAssetsConfig(raw, path);
  loaded.set(path, { mtimeMs, config });
  return config;
}
