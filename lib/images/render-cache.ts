/**
 * The render cache: every output the build renders is kept under `<cache-dir>/renders/<2 hex>/<cacheKey>.<ext>`
 * (the cache key hashes the source's bytes, the variant's recipe and the encoder), written whole or not at
 * all, and dist/ is made from it by hard links (copies where links are refused). With a copy of each
 * dist's last manifest kept beside it (`manifests/`), a wiped dist/ is put back without decoding anything.
 *
 * Renders are read-only (0444, not on Windows): a dist file is the same inode as its render, so a tool
 * writing into dist in place would change the cache too; read-only, the write fails instead. Replacing a
 * dist file (write elsewhere, rename over it) or deleting it never touches the cache.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { ConfigError, SourceError } from '../errors';
import { manifestPath, readManifest, writeManifest } from '../manifest/io';
import type { ImageManifest, ManifestSource, ManifestVariant } from '../manifest/types';
import { OutsideRootError, pathUnder } from '../util/contained-path';
import { WriteFileError, isFatalWriteError } from '../util/fs-errors';
import { sha256Of, stableHash } from '../util/hash';
import { tempPathFor } from '../util/temp-path';
import { Placer, type LinkFile } from './place-file';
import { shardManifestName, type Shard } from './shard';

export const RENDERS_DIR = 'renders';
export const MANIFESTS_DIR = 'manifests';
/** A render's name under renders/: the two-hex folder is the start of the cache key. */
export const RENDER_NAME = /^([0-9a-f]{2})\/(\1[0-9a-f]{14,62}\.(?:jpg|webp|avif))$/;
/** A manifest copy's name under manifests/. */
export const MANIFEST_COPY_NAME = /^[0-9a-f]{16}\.json$/;
const CACHE_KEY = /^[0-9a-f]{16,64}$/;
const RENDER_MODE = process.platform === 'win32' ? 0o666 : 0o444;

const CACHE_HINT = 'free space (or fix the permissions) under --cache-dir, or point --cache-dir elsewhere, and run `gulp build` again: '
  + 'renders are written whole or not at all, and the manifest was not updated';
const DIST_HINT = 'free space (or fix the folder\'s permissions) and run `gulp build` again: '
  + 'outputs are written whole or not at all, and the manifest was not updated, so nothing half-built is trusted';

/**
 * `renders/<2 hex>/<cacheKey>.<ext>` for an output (`ext` from its key), or undefined for a cache key that
 * is not ours (a hand-written or hostile manifest): such an output is never looked up or kept.
 */
export function renderKeyOf(cacheKey: string, outputKey: string): string | undefined {
  const ext = posix.extname(outputKey).slice(1);
  if (!CACHE_KEY.test(cacheKey) || !['jpg', 'webp', 'avif'].includes(ext)) return undefined;
  return `${RENDERS_DIR}/${cacheKey.slice(0, 2)}/${cacheKey}.${ext}`;
}

export class RenderCache {
  readonly root: string;
  private readonly placer: Placer;
  private readonly folders = new Set<string>();
  /** Renders has() found whole, by render key: their checked paths. */
  private readonly found = new Map<string, string>();

  constructor(cacheDir: string, link?: LinkFile) {
    this.root = resolve(cacheDir);
    this.placer = new Placer(link);
  }

  /**
   * A path under the cache dir. A part of it that links out of the folder (a tampered or hand-made cache)
   * stops the build with the one fix: the cache holds only copies, so deleting it loses nothing.
   */
  private under(key: string): string {
    try {
      return pathUnder(this.root, key);
    } catch (error) {
      if (!(error instanceof OutsideRootError)) throw error;
      throw new ConfigError(`the build cache ${this.root} is not the tool's own: ${error.message}`,
        'delete that folder (it holds only copies of renders and manifests) and run `gulp build` again; keep --cache-dir to your own builds');
    }
  }

  /** Outputs placed in dist by copying, because dist's file system refused links. */
  get copied(): number {
    return this.placer.copied;
  }

  /**
   * Whether the render of `variant` is in the cache as the manifest records it: its size, then its SHA-256
   * (a render changed in place — through a dist file linked to it, as root — would otherwise be linked
   * back after every wipe; ≈ 0.8 ms per 1 MB). A render that fails is a miss: the source is rendered again.
   */
  has(variant: ManifestVariant): boolean {
    const key = renderKeyOf(variant.cacheKey, variant.key);
    if (key === undefined) return false;
    // A miss is one stat (on a fresh runner every render misses): only a file that is there is read, so only
    // then must its path be proved inside the cache (pathUnder resolves every part of it).
    if (!statSync(join(this.root, key), { throwIfNoEntry: false })) return false;
    const path = this.under(key);
    const stat = statSync(path, { throwIfNoEntry: false });
    const whole = stat?.isFile() === true && stat.size === variant.bytes && sha256Of(readFileSync(path)) === variant.sha256;
    if (whole) this.found.set(key, path); // restore() places it from here: one pathUnder per render, not two
    return whole;
  }

  /**
   * Keeps a freshly rendered output: written to a temp file in the cache, placed at `distPath` from it, then
   * renamed to its cache name. Placing it before the rename means a prune by another build sharing the
   * cache (which spares nothing unnamed) can never take it from under this build. Returns false, keeping
   * nothing, for a cache key that is not ours.
   */
  async keep(cacheKey: string, outputKey: string, data: Uint8Array, distPath: string): Promise<boolean> {
    const key = renderKeyOf(cacheKey, outputKey);
    if (key === undefined) return false;
    const path = this.under(key);
    const temp = tempPathFor(path);
    try {
      await this.folder(dirname(path));
      await writeFile(temp, data, { mode: RENDER_MODE });
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new WriteFileError(path, error, CACHE_HINT);
    }
    try {
      await this.folder(dirname(distPath));
      this.placer.place(temp, distPath);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new WriteFileError(distPath, error, DIST_HINT);
    }
    await rename(temp, path).catch(async (error: unknown) => {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new WriteFileError(path, error, CACHE_HINT);
    });
    return true;
  }

  /**
   * Places each variant's render at its key in dist (the plan checked each is in the cache, whole). A
   * render gone since (another build's prune) fails its source, named; the next build renders it. A full
   * disk or a read-only dist stops the run, as a failed write does.
   */
  restore(variants: readonly ManifestVariant[], dist: string, ownerOf: (key: string) => string): SourceError[] {
    const failures: SourceError[] = [];
    for (const variant of variants) {
      let to: string | undefined;
      try {
        to = pathUnder(dist, variant.key);
        this.folderSync(dirname(to));
        const key = renderKeyOf(variant.cacheKey, variant.key);
        if (key === undefined) throw new Error(`its cache key ${variant.cacheKey} is not one of ours`); // the plan never asks
        this.placer.place(this.found.get(key) ?? this.under(key), to);
      } catch (error) {
        if (to !== undefined && isFatalWriteError(error)) throw new WriteFileError(to, error, DIST_HINT);
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        failures.push(new SourceError(ownerOf(variant.key), `${variant.key} not restored from the render cache: ${code}`,
          { hint: 'run `gulp build` again: it renders what the cache no longer holds', cause: error }));
      }
    }
    return failures;
  }

  /** Where dist's manifest copy lives: one per --dest (and --shard), named by its path from the working folder (portable across checkouts). */
  manifestCopyPath(dist: string, shard?: Shard): string {
    const dest = relative(process.cwd(), resolve(dist)).split('\\').join('/') || '.';
    return this.under(`${MANIFESTS_DIR}/${stableHash(shard ? { dest, shard: shardManifestName(shard) } : { dest })}.json`);
  }

  /** dist's last manifest as kept in the cache; null when there is none, or it is damaged (it is only a cache). */
  async loadManifest(dist: string, shard?: Shard): Promise<ImageManifest | null> {
    return readManifest(this.manifestCopyPath(dist, shard)).catch(() => null);
  }

  /** The manifest copies kept (of every dist sharing this cache dir), newest first. */
  manifestCopies(): { path: string; mtimeMs: number }[] {
    let names: string[];
    try { names = readdirSync(join(this.root, MANIFESTS_DIR)); } catch { return []; }
    return names.filter((name) => MANIFEST_COPY_NAME.test(name))
      .map((name) => {
        const path = this.under(`${MANIFESTS_DIR}/${name}`);
        return { path, mtimeMs: statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0 };
      })
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
  }

  /**
   * For a dist with no record of its own: the other dists' manifests as one (a source the newest one names
   * is taken from it), whose renders it may reuse. All of them, not only the newest: shard builds sharing
   * the cache each name only their part, and the newest may be another shard's.
   */
  async loadOtherManifest(dist: string, shard?: Shard): Promise<ImageManifest | null> {
    const own = this.manifestCopyPath(dist, shard);
    const others = await Promise.all(this.manifestCopies().filter((copy) => copy.path !== own)
      .map((copy) => readManifest(copy.path).catch(() => null)));
    const found = others.filter((m): m is ImageManifest => m !== null);
    if (found.length === 0) return null;
    const sources: Record<string, ManifestSource> = {};
    for (const manifest of found) for (const [rel, source] of Object.entries(manifest.sources)) sources[rel] ??= source;
    return { ...(found[0] as ImageManifest), sources };
  }

  /**
   * Keeps `manifest` as dist's copy. When dist's manifest was not rewritten and the copy is at least as new,
   * the copy is only touched: its mtime says the dist is alive (prune keeps the newest copies).
   */
  async saveManifest(dist: string, manifest: ImageManifest, rewritten: boolean, shard?: Shard): Promise<string> {
    const path = this.manifestCopyPath(dist, shard);
    const copy = statSync(path, { throwIfNoEntry: false });
    const current = statSync(manifestPath(dist, shard), { throwIfNoEntry: false });
    if (!rewritten && copy && current && copy.mtimeMs >= current.mtimeMs) {
      const now = new Date();
      await utimes(path, now, now);
    } else {
      await writeManifest(path, manifest);
    }
    return path;
  }

  private async folder(path: string): Promise<void> {
    if (this.folders.has(path)) return;
    await mkdir(path, { recursive: true });
    this.folders.add(path);
  }

  private folderSync(path: string): void {
    if (this.folders.has(path)) return;
    mkdirSync(path, { recursive: true });
    this.folders.add(path);
  }
}
