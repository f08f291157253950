/**
 * Render on demand as a connect-style handler (Vite's dev server, Express): the same renderer as
 * `gulp serve`, for an app that loads its images from its own dev server (`/album/<slug>/<slug>-medium.jpg`).
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathUnder } from '../util/contained-path';
import { RENDERED_HEADER } from './bucket-middleware';
import { isCollectionImage, isUnderCollection, keyOfPath } from './image-request';
import type { OnDemandRenderer } from './render-on-demand';

export type NextFunction = (error?: unknown) => void;
export type ConnectHandler = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

export interface RenderHandlerOptions {
  readonly renderer: OnDemandRenderer;
  /** The URL path images live under (the app's `base`); default `/`. */
  readonly base?: string;
  /** A source that exists but could not be rendered (the answer is a 500 naming it). */
  readonly onRenderError?: (key: string, error: unknown) => void;
}

function send(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(message);
}

/**
 * GET/HEAD of `<base><album|artist>/<slug>/<name>.<jpg|webp|avif>`: the recipe's image rendered from its
 * source; a file of that name in public/ that is no size of the recipe is left to the next handler; any
 * other such path is a 404 (no source, a size the collection has not), a hostile one (`%2e%2e`, a
 * backslash) without touching the disk. Every other request goes to `next()`.
 */
/** Whether public/ has a file at `key` — never one reached through a link out of it (a 404 then, not a crash). */
function inPublic(publicDir: string, key: string): boolean {
  try {
    return existsSync(pathUnder(publicDir, key));
  } catch {
    return false;
  }
}

export function renderHandler(options: RenderHandlerOptions): ConnectHandler {
  const base = options.base ?? '/';
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const target = keyOfPath((req.url ?? '').split('?')[0] ?? '', base);
    if (!target || !isUnderCollection(target.key)) return next();
    if (target.problem) return send(res, 404, 'not found\n'); // an image path climbing out (`%2e%2e`): nothing on disk is looked at
    if (!isCollectionImage(target.key)) return next();
    const { key } = target;
    options.renderer.render(key).then((image) => {
      if (!image) return inPublic(options.renderer.publicDir, key) ? next() : send(res, 404, `${key}: no such image (no source in public/, or no such size in the recipe)\n`);
      res.statusCode = 200;
      res.setHeader('Content-Type', image.contentType);
      res.setHeader('Content-Length', String(image.body.length));
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader(RENDERED_HEADER, encodeURI(image.source));
      res.end(req.method === 'HEAD' ? undefined : image.body);
    }, (error: unknown) => {
      options.onRenderError?.(key, error);
      send(res, 500, `cannot render ${key}: ${error instanceof Error ? error.message : String(error)}\n`);
    }).catch((error: unknown) => {
      // Whatever went wrong answering, the dev server keeps serving (an unhandled rejection would end it).
      if (!res.headersSent) send(res, 500, `cannot serve ${key}: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
}
