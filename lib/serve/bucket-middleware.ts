/**
 * What `gulp serve` adds in front of the embedded S3 server: the identity other commands check before
 * they connect, CORS for the app's dev server, and render on demand for public reads of images the
 * bucket does not have yet. Signed requests (this tool's own S3 calls) always see the bucket as it is.
 */
import { messageOf } from '../errors';
import type { BucketContext, Middleware } from '../storage/local-bucket';
import { corsHeaders, preflight } from './cors';
import { IDENTITY_PATH } from './endpoint-file';
import { isCollectionImage, keyOfPath } from './image-request';
import type { OnDemandRenderer, RenderedImage } from './render-on-demand';

/** Set on every answer render on demand made (naming its source): not an object of the bucket. */
export const RENDERED_HEADER = 'x-russfm-rendered-from';

export interface BucketMiddlewareOptions {
  /** The images' bucket: public URLs are `/<bucket>/<key>`. */
  readonly bucket: string;
  /** Origins allowed to read cross-origin (`*`: any). */
  readonly origins: readonly string[];
  /** Absent: no render on demand (a missing image is a 404, as on R2). */
  readonly renderer?: OnDemandRenderer;
  /** What `GET /.russfm-serve` answers: other commands compare it with the endpoint file. */
  readonly identity: { readonly pid: number; readonly id: string };
  /** A source that exists but could not be rendered (the answer is a 500 naming it). */
  readonly onRenderError?: (key: string, error: unknown) => void;
}

// S3 sub-resources of an object (s3rver's object METHODS): a GET of one is an API call, not a public read.
const SUBRESOURCES = ['acl', 'legal-hold', 'retention', 'select', 'tagging', 'torrent', 'uploadId', 'uploads'];

/** A read as a browser makes it: no signature in a header or the query, no sub-resource. */
function isPublicRead(ctx: BucketContext): boolean {
  if (ctx.headers.authorization) return false;
  const query = new URLSearchParams(ctx.querystring);
  return !query.has('X-Amz-Signature') && !query.has('Signature') && !SUBRESOURCES.some((name) => query.has(name));
}

/**
 * A public read's query as R2 would weigh it: only `response-*` overrides and the version kept. The app adds
 * cache-busters (`?cors=webgl` for its WebGL textures), which R2 ignores but s3rver takes for a bucket
 * sub-resource and refuses (405).
 */
function publicQuery(querystring: string): string {
  const query = new URLSearchParams(querystring);
  for (const name of [...query.keys()]) if (!name.startsWith('response-') && name !== 'versionId') query.delete(name);
  return query.toString();
}

function answer(ctx: BucketContext, status: number, type: string, body: string | Buffer): void {
  ctx.status = status;
  ctx.type = type;
  ctx.body = body;
}

function notFound(ctx: BucketContext): void {
  answer(ctx, 404, 'application/xml', '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
}

export function bucketMiddleware(options: BucketMiddlewareOptions): Middleware {
  const prefix = `/${options.bucket}/`;
  const identity = JSON.stringify(options.identity);
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === IDENTITY_PATH) return answer(ctx, 200, 'application/json', identity);
    const requested = ctx.headers['access-control-request-method'];
    if (ctx.method === 'OPTIONS' && requested) {
      const { status, headers } = preflight(ctx.headers.origin, requested, ctx.headers['access-control-request-headers'], options.origins);
      for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
      ctx.status = status;
      if (status !== 204) ctx.body = 'CORS: this origin or method is not allowed (gulp serve --cors names the origins)';
      return;
    }
    // A browser sends Origin; this tool's S3 calls never do. So a page open in the browser (any site) cannot write to the bucket.
    if (ctx.headers.origin && ctx.method !== 'GET' && ctx.method !== 'HEAD') return answer(ctx, 403, 'text/plain', 'gulp serve: browsers may only read\n');
    for (const [name, value] of Object.entries(corsHeaders(ctx.headers.origin, options.origins) ?? {})) ctx.set(name, value);
    const target = ctx.method === 'GET' || ctx.method === 'HEAD' ? keyOfPath(ctx.path, prefix) : undefined;
    if (!target) return next();
    // A read of a key that could name a file outside the bucket's folder: answered here, before s3rver touches the disk.
    if (target.problem) return notFound(ctx);
    if (!isPublicRead(ctx)) return next();
    if (ctx.querystring) ctx.querystring = publicQuery(ctx.querystring);
    if (!options.renderer || !isCollectionImage(target.key)) return next();
    try {
      await next();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'NoSuchKey') throw error;
      let image: RenderedImage | undefined;
      try {
        image = await options.renderer.render(target.key);
      } catch (renderError) {
        options.onRenderError?.(target.key, renderError);
        return answer(ctx, 500, 'text/plain', `cannot render ${target.key}: ${messageOf(renderError)}\n`);
      }
      if (!image) throw error;
      ctx.set('Cache-Control', 'no-store');
      ctx.set(RENDERED_HEADER, encodeURI(image.source)); // a slug may be non-ASCII: header values must not be
      answer(ctx, 200, image.contentType, image.body);
    }
  };
}
