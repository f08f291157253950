/** A folder's state (every entry by lstat: kind, size, mtime, content hash), to prove a run left it alone. */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

export type Snapshot = Record<string, string>;

/** Every entry under `root` except those under `skip` (absolute paths); symlinks are not followed. */
export function snapshot(root: string, skip: readonly string[] = []): Snapshot {
  const out: Snapshot = {};
  const walk = (dir: string): void => {
    let names: string[];
    try { names = readdirSync(dir); } catch { return; }
    for (const name of names) {
      const path = join(dir, name);
      if (skip.includes(path)) continue;
      const st = lstatSync(path);
      const rel = relative(root, path);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(path)}`;
      else if (st.isDirectory()) { out[rel] = 'dir'; walk(path); }
      else if (st.size > 50_000_000) out[rel] = `big ${st.size} ${st.mtimeMs}`; // sparse fixtures: not read
      else out[rel] = `file ${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  walk(root);
  return out;
}
