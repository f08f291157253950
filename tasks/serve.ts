import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveEnvironment } from '../lib/config/environment';
import { loadSettingsFiles } from '../lib/config/settings-files';
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import { parseOrigins } from '../lib/serve/cors';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';

/** `gulp serve`: the embedded bucket and its public URLs, up until Ctrl-C; other commands use it meanwhile. */
export function serve(): Promise<void> {
  return runTask(runServeTask);
}

async function runServeTask(): Promise<void> {
  const flags = flagsFor('serve');
  const origins = parseOrigins(flags.cors);
  loadSettingsFiles('development');
  const assets = loadAssetsConfig();
  const env = resolveEnvironment('development', process.env, assets.edge.development);
  const config = flags['no-render'] ? undefined : assets;
  // Loaded here, not at the top: `gulp --tasks` should not pay for s3rver and sharp.
  const { startServe, untilStopped } = require('../lib/serve/run-serve') as typeof import('../lib/serve/run-serve');
  const { LOCAL_BUCKET_DIR, LOCAL_BUCKET_PORT } = require('../lib/bucket/open-store') as typeof import('../lib/bucket/open-store');
  const directory = resolve(LOCAL_BUCKET_DIR);
  const src = resolve(flags.src);
  const serving = await startServe({
    env, directory, port: flags.port, origins,
    render: config && { publicDir: src, config: config.image },
    onRenderError: (key, error) => process.stderr.write(`cannot render ${key}: ${String(error)}\n`),
  });
  process.stdout.write([
    `serving the embedded bucket "${env.bucket}" (data in ${directory}) until Ctrl-C${serving.portFallback ? ` (port ${LOCAL_BUCKET_PORT} is taken: another port was picked)` : ''}`,
    `public base URL: ${serving.publicBase}`,
    `for the app: VITE_R2_PUBLIC_DOMAIN=${serving.publicBase}`,
    `CORS (GET, HEAD) for: ${origins.join(', ')}`,
    config ? `render on demand: sizes the bucket lacks, from ${src} (recipe: ${config.file ?? 'the russ-fm preset'})${existsSync(src) ? '' : ` — ${src} does not exist: nothing to render`}` : 'render on demand: off',
    'gulp sync, gulp verify and npx gulp in another terminal use this bucket while it runs',
  ].join('\n') + '\n');
  const signal = await untilStopped();
  process.stdout.write(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the embedded bucket\n`);
  await serving.close();
}
serve.description = 'Keep the embedded local bucket and its public URLs up until Ctrl-C, with CORS for the app\'s dev server and missing sizes rendered from public/ on demand; other commands use it meanwhile';
serve.flags = flagHelp('serve');
