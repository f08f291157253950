/** Temp dirs under os.tmpdir(), removed after each test. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TMP_PREFIX } from './paths';

export interface Workspace {
  /** The temp root holding the three folders below. */
  readonly root: string;
  /** Sources (russ.fm's public/). */
  readonly src: string;
  /** Outputs (dist/) and dist/images.json. */
  readonly dest: string;
  /** The cache dir (--cache-dir): source index, renders, manifest copies. */
  readonly cache: string;
}

export async function makeTmpDir(label = 'tmp'): Promise<string> {
  return mkdtemp(join(tmpdir(), `${TMP_PREFIX}${label}-`));
}

export async function makeWorkspace(label = 'ws'): Promise<Workspace> {
  const root = await makeTmpDir(label);
  const ws = { root, src: join(root, 'public'), dest: join(root, 'dist'), cache: join(root, 'cache') };
  await mkdir(ws.src, { recursive: true });
  return ws;
}

export async function removeTmp(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/**
 * Registers mocha hooks that give every test a fresh workspace and remove it afterwards.
 * Read `.current` inside tests (it changes per test).
 */
export function useWorkspace(label = 'ws'): { readonly current: Workspace } {
  let current: Workspace | null = null;
  beforeEach(async () => {
    current = await makeWorkspace(label);
  });
  afterEach(async () => {
    if (current) await removeTmp(current.root);
    current = null;
  });
  return {
    get current(): Workspace {
      if (!current) throw new Error('workspace used outside a test');
      return current;
    },
  };
}

/** Writes `data` at `rel` under `root`, creating folders. Returns the absolute path. */
export async function writeAt(root: string, rel: string, data: Buffer | string): Promise<string> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  return path;
}
