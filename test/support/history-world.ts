/**
 * One generated history against a real server: a source tree that is edited and built, the writing
 * commands run on it (some killed part-way), damage done behind the tool's back, and after every step
 * the invariants checked:
 *
 *  A. after every writing command that completed, the bucket equals the release `latest` names, byte
 *     for byte and by served headers (objects it does not list only where the command kept extras);
 *  B. at every step, every release `gulp releases` lists can be restored: each of its objects' bytes is
 *     in the bucket under its key or in the archive (checked read-only) — unless those very bytes were
 *     destroyed behind the tool's back, which no tool can undo;
 *  C. every command ends (a deadline on each).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImages } from '../../lib/images/build';
import { DEFAULT_IMAGE_CONFIG } from '../../lib/images/config';
import type { Release } from '../../lib/releases/release';
import { releaseIds, readRelease } from '../../lib/releases/release-store';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { connectStore } from '../../lib/bucket/open-store';
import { isReserved } from '../../lib/bucket/object-scope';
import { md5Of, sha256Of } from '../../lib/util/hash';
import { withDeadline } from '../helpers/deadline';
import { solidImage } from '../helpers/fixtures';
import { makeTmpDir, removeTmp, writeAt } from '../helpers/tmp';
import { differencesFromRelease, latestRelease, restorability } from './bucket-checks';
import { CrashingStore } from './crashing-store';
import { HISTORY_CACHE, runWritingStep, type HistoryPaths, type StepResult, type WritingStep } from './history-commands';
import { killWorkerAt } from './history-kill9';
import type { S3rverProcess } from '../servers/s3rver-process';
import { SyncHarness, type ServerKind } from './sync-harness';

export const SLUGS = ['album/abba', 'album/bjork', 'album/cher', 'artist/dido', 'artist/eno'] as const;

export type Step =
  | { readonly kind: 'edit'; readonly changes: readonly { readonly slug: number; readonly version: number | null }[] }
  | { readonly kind: 'damage'; readonly what: 'delete' | 'overwrite' | 'archive'; readonly pick: number }
  /** `crashAt`: the process dies after that many store requests (in-process); `kill9`: a forked worker is SIGKILLed at that request. */
  | { readonly kind: 'write'; readonly step: WritingStep; readonly crashAt?: number; readonly kill9?: number }
  /** Two writing commands at once, the second started `offsetMs` after the first (they share the bucket, not a process' lock). */
  | { readonly kind: 'together'; readonly first: WritingStep; readonly second: WritingStep; readonly offsetMs: number };

export class InvariantError extends Error {}

const STEP_DEADLINE_MS = 30_000;

export class HistoryWorld {
  readonly log: string[] = [];
  /** SHA-256 of bytes destroyed behind the tool's back: a release that needs them may be unrestorable. */
  readonly destroyed = new Set<string>();
  /** Damage to images, or a writer killed or failed part-way, since the last writing command that completed. */
  private dirty = false;
  /** Objects no release lists may be in the bucket (the last completed writer kept extras). */
  private extrasAllowed = false;
  /** Release records are immutable: each is read once. */
  private readonly releases = new Map<string, Release>();
  restoresChecked = 0;
  /** Commands that died part-way: in-process (CrashingStore) and by SIGKILL of a worker. */
  readonly kills = { inProcess: 0, sigkill: 0 };
  /** Pairs of writing commands run at once, and how many of them both ended well (ran one after the other). */
  readonly overlaps = { pairs: 0, bothOk: 0 };

  private constructor(
    readonly h: SyncHarness, readonly paths: HistoryPaths, private readonly root: string,
    /** The commands' store, wired as the tasks wire theirs, straight to the server (the proxy is for the SIGKILL runs). */
    private readonly store: { store: ObjectStore; destroy(): void },
  ) {}

  /** On a fresh bucket: of the shared s3rver process when given one, else of `server`. */
  static async start(server: ServerKind, shared?: S3rverProcess): Promise<HistoryWorld> {
    const h = shared ? await SyncHarness.attach(await shared.freshBucket()) : await SyncHarness.start(server);
    const root = await makeTmpDir('history');
    const paths = { src: join(root, 'public'), dist: h.dist, cache: join(root, 'cache') };
    return new HistoryWorld(h, paths, root, connectStore(h.server.store, { maxAttempts: 5, backoffBase: 5 }));
  }

  async close(): Promise<void> {
    this.store.destroy();
    await this.h.close();
    await removeTmp(this.root);
  }

  async apply(step: Step): Promise<void> {
    if (step.kind === 'edit') await this.edit(step.changes);
    else if (step.kind === 'damage') await this.damage(step.what, step.pick);
    else if (step.kind === 'together') await this.together(step);
    else await this.write(step);
    await this.checkRestorable();
  }

  private async edit(changes: Extract<Step, { kind: 'edit' }>['changes']): Promise<void> {
    for (const { slug, version } of changes) {
      const dir = SLUGS[slug % SLUGS.length] as string;
      const rel = `${dir}/${dir.split('/')[1]}-hi-res.jpg`;
      if (version === null) await rm(join(this.paths.src, rel), { force: true });
      else await writeAt(this.paths.src, rel, await solidImage(160, 160, [(slug * 47) % 256, (version * 83) % 256, 90]));
    }
    const built = await buildImages({
      src: this.paths.src, dest: this.paths.dist, cacheDir: this.paths.cache, config: DEFAULT_IMAGE_CONFIG,
      concurrency: 2, noCache: false, scope: {}, quiet: true, allowEmpty: true, // a history removing every source means it
    }).catch((error: Error) => ({ failed: -1, error }));
    this.log.push(`edit ${JSON.stringify(changes)} + build: ${built.failed === 0 ? 'ok' : `FAILED ${(built as { error?: Error }).error?.message}`}`);
  }

  /** Damage behind the tool's back, straight on the server: an image deleted or overwritten, or an archived copy overwritten. */
  private async damage(what: Extract<Step, { kind: 'damage' }>['what'], pick: number): Promise<void> {
    const direct = this.h.direct;
    const prefix = what === 'archive' ? '_archive/' : undefined;
    const keys = (await listAll(direct, { prefix })).map((o) => o.key).filter((k) => (what === 'archive') === isReserved(k) && !k.startsWith('_state/') && !k.startsWith('_releases/'));
    if (keys.length === 0) { this.log.push(`damage ${what}: nothing to damage`); return; }
    const key = keys[pick % keys.length] as string;
    this.destroyed.add(await this.bytesHash(key));
    if (what === 'delete') await direct.deleteMany([key]);
    else {
      const junk = Buffer.from(`damage to ${key} ${pick}`);
      await direct.put({ key, body: junk, md5: md5Of(junk), contentType: 'image/jpeg', cacheControl: HISTORY_CACHE, metadata: {} });
    }
    if (what !== 'archive') this.dirty = true;
    this.log.push(`damage ${what} ${key}`);
  }

  private async bytesHash(key: string): Promise<string> {
    const chunks: Uint8Array[] = [];
    for await (const c of (await this.h.direct.get(key)).body) chunks.push(c);
    return sha256Of(Buffer.concat(chunks));
  }

  private async write(step: Extract<Step, { kind: 'write' }>): Promise<void> {
    const label = `${JSON.stringify(step.step)}${step.crashAt !== undefined ? ` crash@${step.crashAt}` : ''}${step.kill9 !== undefined ? ` kill-9@${step.kill9}` : ''}`;
    let result: StepResult | undefined;
    let killed = false;
    if (step.kill9 !== undefined) {
      ({ killed, result } = await withDeadline(killWorkerAt(this.h, this.paths, step.step, step.kill9), STEP_DEADLINE_MS, label));
    } else {
      const store = new CrashingStore(this.store.store, step.crashAt ?? Number.POSITIVE_INFINITY);
      result = await withDeadline(runWritingStep(store, this.paths, step.step), STEP_DEADLINE_MS, label).catch((error: unknown) => {
        if (!store.crashed) throw error;
        return undefined;
      });
      killed = store.crashed;
    }
    if (killed) this.kills[step.kill9 !== undefined ? 'sigkill' : 'inProcess'] += 1;
    this.log.push(`${label}: ${killed ? 'killed' : result ? `${result.ok ? 'ok' : 'not ok'} (${result.note})` : 'finished'}`);
    // A command killed or failed part-way leaves the bucket between two states until the next writer completes.
    if (killed || !result || !result.ok) {
      this.extrasAllowed = true;
      if (step.step.kind !== 'prune') this.dirty = true;
      return;
    }
    if (step.step.kind !== 'prune') {
      this.dirty = false;
      this.extrasAllowed = result.extrasKept;
    }
    if (!this.dirty) await this.checkBucketIsLatest();
  }

  /** Two writers at once: whatever each does (one may wait, refuse or fail), both end, and nothing listed is lost (B). */
  private async together(step: Extract<Step, { kind: 'together' }>): Promise<void> {
    const first = runWritingStep(this.store.store, this.paths, step.first);
    await new Promise((resolve) => setTimeout(resolve, step.offsetMs));
    const second = runWritingStep(this.store.store, this.paths, step.second);
    const results = await withDeadline(Promise.allSettled([first, second]), STEP_DEADLINE_MS * 2, 'two writers at once');
    const said = results.map((r) => (r.status === 'fulfilled' ? `${r.value.ok ? 'ok' : 'not ok'} (${r.value.note})` : `threw ${String(r.reason)}`));
    this.log.push(`together ${JSON.stringify(step.first)} + ${step.offsetMs} ms + ${JSON.stringify(step.second)}: ${said.join(' | ')}`);
    const thrown = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (thrown) throw this.violation(`a writer running beside another failed outright: ${String(thrown.reason)}`);
    const ended = results.map((r) => (r as PromiseFulfilledResult<StepResult>).value);
    this.overlaps.pairs += 1;
    if (ended.every((r) => r.ok)) this.overlaps.bothOk += 1;
    const writers = [step.first, step.second].map((s, i) => ({ kind: s.kind, result: ended[i] as StepResult })).filter((w) => w.kind !== 'prune');
    if (!ended.every((r) => r.ok)) {
      // One waited out the lock, or found the state changed under its plan, or failed part-way: only a
      // failure part-way leaves the bucket between states, but the harness cannot tell which from here.
      this.extrasAllowed = true;
      if (writers.length > 0) this.dirty = true;
      return;
    }
    if (writers.length === 0) return;
    // One writer at a time: both ended well, so they ran one after the other, and the later one's release is the bucket (A).
    this.dirty = false;
    this.extrasAllowed = writers.some((w) => w.result.extrasKept);
    await this.checkBucketIsLatest();
  }

  private async checkBucketIsLatest(): Promise<void> {
    const latest = await latestRelease(this.h.direct);
    if (!latest) throw this.violation('A: a writing command completed but there is no latest release');
    const problems = await differencesFromRelease(this.h.direct, latest, { extrasAllowed: this.extrasAllowed });
    if (problems.length > 0) throw this.violation(`A: the bucket is not release ${latest.id}: ${problems.join('; ')}`);
  }

  private async release(id: string): Promise<Release> {
    let release = this.releases.get(id);
    if (!release) this.releases.set(id, release = await readRelease(this.h.direct, id));
    return release;
  }

  private async checkRestorable(): Promise<void> {
    const check = await restorability(this.h.direct);
    for (const id of await releaseIds(this.h.direct)) {
      const release = await this.release(id);
      const lost = check(release).filter((o) => !this.destroyed.has(o.sha256));
      if (lost.length > 0) throw this.violation(`B: release ${id} cannot be restored: ${lost.map((o) => o.key).join(', ')}`);
    }
  }

  /** A real restore of one listed release that the read-only check calls restorable: the bucket must become it. */
  async restoreOne(pick: number): Promise<void> {
    const ids = await releaseIds(this.h.direct);
    const check = await restorability(this.h.direct);
    const candidates = [];
    for (const id of ids) if (check(await this.release(id)).length === 0) candidates.push(id);
    if (candidates.length === 0) return;
    const id = candidates[pick % candidates.length] as string;
    const result = await withDeadline(runWritingStep(this.store.store, this.paths, { kind: 'rollback', pick: ids.indexOf(id) }), STEP_DEADLINE_MS, `restore ${id}`);
    this.log.push(`final restore of ${id}: ${result.ok ? 'ok' : `not ok (${result.note})`}`);
    if (!result.ok && /most of the bucket/.test(result.note)) return; // the delete guard, working as designed
    if (!result.ok) throw this.violation(`restore of ${id}, which the read-only check called restorable, failed: ${result.note}`);
    const problems = await differencesFromRelease(this.h.direct, await this.release(id));
    if (problems.length > 0) throw this.violation(`the restore of ${id} left: ${problems.join('; ')}`);
    this.restoresChecked += 1;
  }

  private violation(message: string): InvariantError {
    return new InvariantError(`${message}\n  history:\n    ${this.log.join('\n    ')}`);
  }
}
