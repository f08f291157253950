/**
 * `gulp restore --pull` as a library call: a release's objects downloaded into a folder, each one
 * hashed as it streams in and renamed into place only when its SHA-256 is the release's, then the
 * release's image manifest written beside them (so the next build re-encodes nothing). Files already
 * there with the right hash are kept, so a rerun continues where a stopped one ended.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { messageOf } from '../errors';
import { isFatalWriteError, WriteFileError } from '../util/fs-errors';
import { manifestPath, writeManifest } from '../manifest/io';
import type { ImageManifest } from '../manifest/types';
import { isMultipartEtag } from '../plan/match';
import { archiveKeys, type Release, type ReleaseObject } from '../releases/release';
import { readReleaseManifest } from '../releases/release-manifest';
import type { ObjectStore } from '../storage/object-store';
import { readObject } from '../storage/read-object';
import { isReserved } from '../sync/object-scope';
import { listRemote } from '../sync/run-sync';
import { sha256OfFile } from '../util/hash';
import { mapPool } from '../util/pool';
import { createProgress } from '../util/progress';
import { resolveRelease, type ReleaseChoice } from './run-rollback';

export interface PullOptions {
  /** A release id, `latest`, `previous`, or the release that was the latest at a time. */
  readonly release: ReleaseChoice;
  readonly dest: string;
  readonly concurrency: number;
  readonly quiet?: boolean;
}

export interface PullOutcome {
  readonly release: Release;
  readonly dest: string;
  readonly pulled: number;
  readonly bytes: number;
  /** Already in the folder with the release's SHA-256. */
  readonly kept: number;
  readonly failures: readonly { key: string; reason: string }[];
  /** `written` (with how many sources), `none` (the release recorded none), or why it could not be. */
  readonly manifest: { readonly status: 'written' | 'none' | 'failed'; readonly sources: number; readonly dropped: readonly string[]; readonly reason?: string };
  readonly seconds: number;
}

/** Streams one object into `path` through SHA-256; true when the bytes are the expected ones. */
async function download(store: ObjectStore, key: string, path: string, sha256: string): Promise<boolean> {
  const temp = `${path}.pull-${process.pid}.tmp`;
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

export async function runPull(store: ObjectStore, options: PullOptions): Promise<PullOutcome> {
  const started = performance.now();
  const { target } = await resolveRelease(store, options.release);
  const root = resolve(options.dest);
  // The bucket's listing says which objects still hold the release's bytes; the rest come from the archive.
  const { objects: listed } = await listRemote(store, (key) => !isReserved(key));
  const etags = new Map(listed.map((o) => [o.key, o.etag]));
  const entries = Object.entries(target.objects);
  const failures: { key: string; reason: string }[] = [];
  let pulled = 0;
  let kept = 0;
  let bytes = 0;
  const progress = createProgress({ label: 'pull', total: entries.length, unit: 'obj', silent: options.quiet });
  let stopped: WriteFileError | undefined;
  await mapPool(entries, options.concurrency, async ([key, o]) => {
    if (stopped) return; // the folder cannot be written: every other file would fail the same way
    try {
      const path = join(root, key);
      if (!path.startsWith(root + sep)) throw new Error('its key leads outside the folder');
      if (await alreadyThere(path, o)) { kept += 1; return; }
      await mkdir(dirname(path), { recursive: true });
      const etag = etags.get(key);
      const inBucket = etag !== undefined && (etag === o.md5 || isMultipartEtag(etag));
      const sources = [...(inBucket ? [key] : []), ...archiveKeys(o)];
      for (const source of sources) {
        const landed = await download(store, source, path, o.sha256).catch((error: unknown) => {
          if ((error as { code?: string }).code === 'NoSuchKey') return false;
          throw error;
        });
        if (landed) { pulled += 1; bytes += o.size; return; }
      }
      throw new Error(`no copy with SHA-256 ${o.sha256.slice(0, 12)}… in the bucket or its archive`);
    } catch (error) {
      const failure = isFatalWriteError(error) ? new WriteFileError(join(root, key), error, 'free space and run the same command again: files already pulled are kept') : error;
      if (failure instanceof WriteFileError) stopped ??= failure;
      failures.push({ key, reason: messageOf(failure) });
    } finally {
      progress.tick(1, o.size);
    }
  });
  progress.done();
  const left = entries.length - pulled - kept - failures.length;
  if (stopped && left > 0) failures.push({ key: `(${left} more)`, reason: `not attempted: ${stopped.message}` });
  const manifest = stopped ? { status: 'failed' as const, sources: 0, dropped: [], reason: stopped.message }
    : await pullManifest(store, target, root, new Set(failures.map((f) => f.key)));
  return { release: target, dest: root, pulled, bytes, kept, failures, manifest, seconds: (performance.now() - started) / 1000 };
}

async function pullManifest(store: ObjectStore, target: Release, root: string, missing: ReadonlySet<string>): Promise<PullOutcome['manifest']> {
  if (!target.manifest) return { status: 'none', sources: 0, dropped: [] };
  try {
    const { manifest, dropped } = manifestFor(await readReleaseManifest(store, target.manifest), target, missing);
    await writeManifest(manifestPath(root), manifest);
    return { status: 'written', sources: Object.keys(manifest.sources).length, dropped };
  } catch (error) {
    return { status: 'failed', sources: 0, dropped: [], reason: messageOf(error) };
  }
}
