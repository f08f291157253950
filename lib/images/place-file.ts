/**
 * Putting a render from the cache at its place in dist: a hard link made under a temp name and renamed
 * over the target (so replacing an output is atomic, and a killed build leaves a temp file, never half an
 * output), or — where the file system refuses links — a copy, also under a temp name then renamed.
 */
import { copyFileSync, linkSync, renameSync, rmSync } from 'node:fs';
import { tempPathFor } from '../util/temp-path';

/** `fs.linkSync`'s shape: tests pass one that refuses, as another file system would. */
export type LinkFile = (existing: string, newPath: string) => void;

/**
 * Link errors that mean "this file system will not link these two paths": copy instead. EXDEV: another
 * file system (dist on a tmpfs, a bind mount); EPERM: no hard links there (FAT, some FUSE and network file
 * systems) or the kernel's protected_hardlinks; EMLINK: the file already has the most links it can have.
 */
const REFUSED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);
/** Refusals that hold for every later link of the run (EMLINK is about one file): stop trying. */
const ALWAYS_REFUSED = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export class Placer {
  private linksRefused = false;
  /** Files placed by copying, because links were refused. */
  copied = 0;

  constructor(private readonly link: LinkFile = linkSync) {}

  /** Makes `to` the file at `from` (a hard link, else a copy); throws the file system's error otherwise. */
  place(from: string, to: string): 'linked' | 'copied' {
    const temp = tempPathFor(to);
    try {
      const how = this.linkOrCopy(from, temp);
      renameSync(temp, to);
      if (how === 'copied') this.copied += 1;
      return how;
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  private linkOrCopy(from: string, temp: string): 'linked' | 'copied' {
    if (!this.linksRefused) {
      try {
        this.link(from, temp);
        return 'linked';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (!REFUSED.has(code)) throw error;
        if (ALWAYS_REFUSED.has(code)) this.linksRefused = true;
      }
    }
    copyFileSync(from, temp);
    return 'copied';
  }
}
