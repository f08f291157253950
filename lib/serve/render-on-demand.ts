/**
 * Render on demand: an image the bucket does not have yet, made from its source in public/ by the
 * build's own planning (variants.ts) and renderer (sharp-per-output.ts), so it is the image `gulp build`
 * would make. Kept in memory (bounded, least recently used dropped first), never written anywhere: the
 * bucket changes only through sync.
 */
import { readdir, stat } from 'node:fs/promises';
import type { ImageConfig } from '../images/config';
import { renderVariants } from '../images/sharp-per-output';
import { probeSource, readSourceFile, sourceFailure } from '../images/source-input';
import { isSourceName, parseSourcePath } from '../images/source-path';
import { variantsFor } from '../images/variants';
import { pathUnder } from '../util/contained-path';
import { imageKeyProblem } from '../validate/object-key';
import { isCollectionImage } from './image-request';

export interface RenderedImage {
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  /** The source it was made from, under public/ (`album/<slug>/<slug>-hi-res.jpg`). */
  readonly source: string;
}

export interface RenderOptions {
  /** The sources' folder (russ.fm's public/). */
  readonly publicDir: string;
  /** The recipe: which sizes each collection has, and how they are made. */
  readonly config: ImageConfig;
  /** Most bytes of rendered images kept in memory (default 64 MB). */
  readonly maxCacheBytes?: number;
}

export class OnDemandRenderer {
  private readonly cache = new Map<string, { stamp: string; image: RenderedImage }>();
  private readonly inFlight = new Map<string, Promise<RenderedImage | undefined>>();
  private cachedBytes = 0;

  constructor(private readonly options: RenderOptions) {}

  get publicDir(): string {
    return this.options.publicDir;
  }

  /**
   * The image `key` names, rendered from its source; undefined when it names no size of a source in
   * public/ (no such slug, a size or format the collection's recipe does not have, a hostile key).
   * Throws SourceError when the source is there but cannot be rendered (its reason, as the build says it).
   */
  async render(key: string): Promise<RenderedImage | undefined> {
    if (imageKeyProblem(key) !== undefined || !isCollectionImage(key)) return undefined;
    const rel = await this.sourceOf(key);
    if (!rel) return undefined;
    const path = pathUnder(this.options.publicDir, rel);
    const found = await stat(path).catch(() => undefined); // removed since the listing: as if never there
    if (!found) return undefined;
    const { size, mtimeMs, ino } = found;
    const stamp = `${rel}:${size}:${mtimeMs}:${ino}`; // a source replaced meanwhile (the scraper ran) is rendered again
    const hit = this.cache.get(key);
    if (hit?.stamp === stamp) {
      this.cache.delete(key);
      this.cache.set(key, hit); // most recently used last
      return hit.image;
    }
    const flightKey = `${key}\0${stamp}`;
    let flight = this.inFlight.get(flightKey);
    if (!flight) {
      flight = this.renderFrom(path, rel, key).then((image) => {
        if (image) this.remember(key, stamp, image);
        return image;
      }).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, flight);
    }
    return flight;
  }

  /** The source of `<type>/<slug>/<name>`: the folder's `<slug>-hi-res.<jpg|jpeg|png>` (any case), first by name. */
  private async sourceOf(key: string): Promise<string | undefined> {
    const [type, slug] = key.split('/') as [string, string];
    const folder = `${type}/${slug}`;
    const names = await readdir(pathUnder(this.options.publicDir, folder)).catch(() => [] as string[]);
    return names.sort().map((name) => `${folder}/${name}`).find((rel) => isSourceName(rel, this.options.config));
  }

  private async renderFrom(path: string, rel: string, key: string): Promise<RenderedImage | undefined> {
    const { config } = this.options;
    let input: Buffer = Buffer.alloc(0);
    try {
      input = await readSourceFile(rel, path, config);
      const info = await probeSource(rel, input, config);
      const variant = variantsFor(parseSourcePath(rel, config.sourceSuffix), info, config).find((v) => v.key === key);
      if (!variant) return undefined;
      const [rendered] = await renderVariants(input, info, [variant], config.maxPixels);
      if (!rendered) return undefined;
      return { key, body: rendered.data, contentType: variant.contentType, width: rendered.width, height: rendered.height, source: rel };
    } catch (error) {
      throw sourceFailure(rel, error, input, config, '`gulp build` reports the same source; fix or replace it in public/');
    }
  }

  private remember(key: string, stamp: string, image: RenderedImage): void {
    const max = this.options.maxCacheBytes ?? 64_000_000;
    const old = this.cache.get(key);
    if (old) this.cachedBytes -= old.image.body.length;
    this.cache.delete(key);
    if (image.body.length > max) return;
    this.cache.set(key, { stamp, image });
    this.cachedBytes += image.body.length;
    for (const [oldest, entry] of this.cache) {
      if (this.cachedBytes <= max) break;
      this.cache.delete(oldest);
      this.cachedBytes -= entry.image.body.length;
    }
  }
}
