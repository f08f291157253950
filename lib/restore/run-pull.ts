/**
 * `gulp restore --pull` as a library call: a release's objects downloaded into a folder, each one
 * hashed as it streams in and renamed into place only when its SHA-256 is the release's, then the
 * release's image manifest written beside them (so the next build re-encodes nothing). Files already
 * there with the right hash are kept, so a rerun continues where a stopped one ended.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { messageOf } from '../errors';
import { isFatalWriteError, WriteFileError } from '../util/fs-errors';
import { manifestPath, readManifest, writeManifest } from '../manifest/io';
import type { ImageManifest } from '../manifest/types';
import { isMultipartEtag } from '../plan/match';
import { ARCHIVE_PREFIX, archiveKeys, type Release, type ReleaseObject } from '../releases/release';
import { readReleaseManifest } from '../releases/release-manifest';
import { listAll, type ObjectStore } from '../storage/object-store';
import { readObject } from '../storage/read-object';
import { isReserved } from '../bucket/object-scope';
import { listRemote } from '../bucket/listing';
import { sha256OfFile } from '../util/hash';
import { mapPool } from '../util/pool';
import { createProgress } from '../util/progress';
import { resolveRelease, type ReleaseChoice } from './run-rollback';
import { tempPathFor } from '../util/temp-path';
import { pathUnder } from '../util/contained-path';
import { isNotFound } from '../storage/store-error';

export interface PullOptions {
  /** A release id, `latest`, `previous`, or the release that was the latest at a time. */
  readonly release: ReleaseChoice;
  readonly dest: string;
  readonly concurrency: number;
  readonly quiet?: boolean;
  /** Say what would be downloaded, and write nothing. */
  readonly dryRun?: boolean;
}

export interface PullOutcome {
  readonly release: Release;
  readonly dest: string;
  readonly pulled: number;
  readonly bytes: number;
  /** Already in the folder with the release's SHA-256. */
  readonly kept: number;
  readonly failures: readonly { key: string; reason: string }[];
  /** `written` (with how many sources), `none` (the release recorded none), `dry-run`, or why it could not be. */
  readonly manifest: { readonly status: 'written' | 'kept' | 'none' | 'failed' | 'dry-run'; readonly sources: number; readonly dropped: readonly string[]; readonly reason?: string };
  /** A dry run: `pulled` and `bytes` are what would be downloaded; nothing was written. */
  readonly dryRun: boolean;
  /** The folder could not be written (full disk, read-only, no permission): the pull stopped there. */
  readonly diskFull: boolean;
  readonly seconds: number;
}

/** Streams one object into `path` through SHA-256; true when the bytes are the expected ones. */
async function download(store: ObjectStore, key: string, path: string, sha256: string): Promise<boolean> {
  const temp = tempPathFor(path, 'pull-');
  try {
    const found = await readObject(store, key, async (body) => {
      const hash = createHash('sha256');
      const hashing = new Transform({ transform(chunk: Buffer, _enc, done) { hash.update(chunk); done(null, chunk); } });
      await pipeline(Readable.from(body), hashing, createWriteStream(temp));
      return hash.digest('hex');
    });
    if (found !== sha256) return false;
    await rename(temp, path);
    return true;
  } finally {
    await rm(temp, { force: true });
  }
}

async function alreadyThere(path: string, o: ReleaseObject): Promise<boolean> {
  const found = await stat(path).catch(() => undefined);
  return found?.size === o.size && (await sha256OfFile(path)).sha256 === o.sha256;
}

/** The manifest with only the sources whose every variant is in the release and was pulled. */
function manifestFor(manifest: ImageManifest, release: Release, missing: ReadonlySet<string>): { manifest: ImageManifest; dropped: string[] } {
  const dropped: string[] = [];
  const kept: Record<string, ImageManifest['sources'][string]> = {};
  for (const [rel, source] of Object.entries(manifest.sources)) {
    const whole = source.variants.every((v) => release.objects[v.key]?.sha256 === v.sha256 && !missing.has(v.key));
    if (whole) kept[rel] = source;
    else dropped.push(rel);
  }
  return { manifest: { ...manifest, sources: kept }, dropped };
}

/** Where a release object's bytes can be read: its key while the listing shows its bytes there, then its archive keys. */
function sourcesOf(key: string, o: ReleaseObject, etags: ReadonlyMap<string, string>): string[] {
  const etag = etags.get(key);
  const inBucket = etag !== undefined && (etag === o.md5 || isMultipartEtag(etag));
  return [...(inBucket ? [key] : []), ...archiveKeys(o)];
}

const DISK_HINT = 'free space, then run the same command again: files already pulled are kept';

export async function runPull(store: ObjectStore, options: PullOptions): Promise<PullOutcome> {
  const started = performance.now();
  const { target } = await resolveRelease(store, options.release);
  const root = resolve(options.dest);
  // The bucket's listing says which objects still hold the release's bytes; the rest come from the archive.
  const [{ objects: listed }, archive] = await Promise.all([
    listRemote(store, (key) => !isReserved(key)),
    options.dryRun ? listAll(store, { prefix: ARCHIVE_PREFIX }) : Promise.resolve([]),
  ]);
  const etags = new Map(listed.map((o) => [o.key, o.etag]));
  const archived = new Set(archive.map((o) => o.key));
  const entries = Object.entries(target.objects);
  const failures: { key: string; reason: string }[] = [];
  const count = { pulled: 0, kept: 0, bytes: 0, notWritten: 0 };
  const progress = createProgress({ label: 'pull', total: entries.length, unit: 'obj', silent: options.quiet || options.dryRun });
  let stopped: WriteFileError | undefined;
  await mapPool(entries, options.concurrency, async ([key, o]) => {
    try {
      if (stopped) { count.notWritten += 1; return; } // the folder cannot be written: every other file would fail the same way
      const path = pathUnder(root, key);
      if (!o.sha256) throw new Error('the release records no SHA-256 for it, so its bytes could not be checked: not written');
      if (await alreadyThere(path, o)) { count.kept += 1; return; }
      const sources = sourcesOf(key, o, etags);
      if (options.dryRun) {
        if (!sources.some((k) => k === key || archived.has(k))) throw new Error(`no copy with SHA-256 ${o.sha256.slice(0, 12)}… in the bucket or its archive`);
        count.pulled += 1;
        count.bytes += o.size;
        return;
      }
      await mkdir(dirname(path), { recursive: true });
      for (const source of sources) {
        const landed = await download(store, source, path, o.sha256).catch((error: unknown) => {
          if (isNotFound(error)) return false;
          throw error;
        });
        if (landed) { count.pulled += 1; count.bytes += o.size; return; }
      }
      throw new Error(`no copy with SHA-256 ${o.sha256.slice(0, 12)}… in the bucket or its archive`);
    } catch (error) {
      if (!isFatalWriteError(error)) { failures.push({ key, reason: messageOf(error) }); return; }
      if (stopped) { count.notWritten += 1; return; }
      stopped = new WriteFileError(resolve(root, key), error, DISK_HINT);
      failures.push({ key, reason: stopped.message });
    } finally {
      progress.tick(1, o.size);
    }
  });
  progress.done();
  if (stopped && count.notWritten > 0) failures.push({ key: `(${count.notWritten} more)`, reason: `not written: ${stopped.message}` });
  const manifest = options.dryRun ? { status: 'dry-run' as const, sources: 0, dropped: [] }
    : stopped ? { status: 'failed' as const, sources: 0, dropped: [], reason: stopped.message }
      : await pullManifest(store, target, root, new Set(failures.map((f) => f.key)));
  return {
    release: target, dest: root, pulled: count.pulled, bytes: count.bytes, kept: count.kept, failures, manifest, dryRun: options.dryRun === true,
    diskFull: stopped !== undefined, seconds: (performance.now() - started) / 1000,
  };
}

async function pullManifest(store: ObjectStore, target: Release, root: string, missing: ReadonlySet<string>): Promise<PullOutcome['manifest']> {
  if (!target.manifest) return { status: 'none', sources: 0, dropped: [] };
  try {
    const { manifest, dropped } = manifestFor(await readReleaseManifest(store, target.manifest), target, missing);
    const file = manifestPath(root);
    // A pull that did not get everything never replaces a manifest with a smaller one: the old one still
    // names cache keys a rerun (or a build) can use.
    const existing = missing.size > 0 ? await readManifest(file).catch(() => null) : null;
    if (existing) {
      return { status: 'kept', sources: Object.keys(existing.sources).length, dropped, reason: 'the pull is incomplete, so the images.json already there was left as it was' };
    }
    await writeManifest(file, manifest);
    return { status: 'written', sources: Object.keys(manifest.sources).length, dropped };
  } catch (error) {
    return { status: 'failed', sources: 0, dropped: [], reason: messageOf(error) };
  }
}
