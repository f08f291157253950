/**
 * A Vite plugin for the app's dev server: renders `-medium`/`-avatar` (every size the recipe names) from
 * public/ on demand, as russ.fm's own vite.config.ts middleware does, but with the build's recipe and
 * renderer, so what the app shows in development is what `gulp build` publishes.
 *
 *   // vite.config.ts
 *   import { russFmAssets } from 'russfm-assets/lib/serve/vite-plugin';
 *   export default defineConfig({ plugins: [react(), russFmAssets({ publicDir: 'public' })] });
 *
 * No dependency on vite: the plugin is typed with the little of Vite's shape it uses.
 */
import { resolve } from 'node:path';
import { loadAssetsConfig } from '../config/load-assets-config';
import type { ImageConfig } from '../images/config';
import { renderHandler, type ConnectHandler } from './connect-handler';
import { OnDemandRenderer } from './render-on-demand';

export interface ViteDevServerLike {
  readonly middlewares: { use(handler: ConnectHandler): unknown };
}

export interface RussFmAssetsOptions {
  /** The sources' folder (default `public`, from the working directory). */
  readonly publicDir?: string;
  /** The recipe (default: assets.config.* in the working directory, else the russ-fm preset). */
  readonly config?: ImageConfig;
  /** The app's base path (default `/`). */
  readonly base?: string;
}

export function russFmAssets(options: RussFmAssetsOptions = {}) {
  return {
    name: 'russfm-assets',
    apply: 'serve' as const,
    configureServer(server: ViteDevServerLike): void {
      const renderer = new OnDemandRenderer({ publicDir: resolve(options.publicDir ?? 'public'), config: options.config ?? loadAssetsConfig().image });
      const onRenderError = (key: string, error: unknown) => process.stderr.write(`russfm-assets: cannot render ${key}: ${error instanceof Error ? error.message : String(error)}\n`);
      server.middlewares.use(renderHandler({ renderer, base: options.base, onRenderError }));
    },
  };
}
