/**
 * A small file system for disk-full tests: a tmpfs of a given size mounted on a temp folder. Mounting
 * needs root (CI runs as root); where the kernel refuses, the test is skipped with the reason, never faked.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTmpDir, removeTmp } from './tmp';

const run = promisify(execFile);

export interface TinyDisk {
  readonly dir: string;
  /** Gives the file system this many KB (space freed: the run can finish). */
  resize(kb: number): Promise<void>;
  close(): Promise<void>;
}

export async function mountTinyDisk(context: Mocha.Context, kb: number): Promise<TinyDisk> {
  const dir = await makeTmpDir('tiny-disk');
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
  } catch (error) {
    await removeTmp(dir);
    // A kernel permission, not a server the project installs: said loudly, not failed.
    process.stderr.write(`      skipped: mounting a small tmpfs needs root (CAP_SYS_ADMIN): ${(error as Error).message.split('\n')[0]}\n`);
    context.skip();
  }
  return {
    dir,
    resize: async (size) => { await run('mount', ['-o', `remount,size=${size}k`, dir]); },
    close: async () => {
      await run('umount', ['-l', dir]).catch(() => undefined);
      await removeTmp(dir);
    },
  };
}
