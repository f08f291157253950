/**
 * Which releases `gulp prune` removed, when, and with which --keep: `_state/pruned-releases.json`,
 * written by prune once its release records are deleted (before their archived copies), so a restore of
 * a pruned id can say so instead of "not in the bucket". Advice only: a record that cannot be read is
 * treated as empty, never as an error.
 */
import * as v from 'valibot';
import { putJsonObject, readObjectText } from '../storage/json-object';
import type { ObjectStore } from '../storage/object-store';
import { RELEASE_ID } from '../validate/records';
import { STATE_PREFIX } from '../validate/object-key';

export const PRUNED_KEY = `${STATE_PREFIX}pruned-releases.json`;

const entry = v.object({ id: v.pipe(v.string(), v.regex(RELEASE_ID)), at: v.pipe(v.string(), v.isoTimestamp()), keep: v.number() });
const record = v.object({ schema: v.literal(1), pruned: v.array(entry) });

export type PrunedRelease = v.InferOutput<typeof entry>;

export async function readPruned(store: ObjectStore): Promise<PrunedRelease[]> {
  try {
    const read = await readObjectText(store, PRUNED_KEY);
    if (!read) return [];
    const parsed = v.safeParse(record, JSON.parse(read.text));
    return parsed.success ? parsed.output.pruned : [];
  } catch {
    return [];
  }
}

/** Adds `ids` (pruned now with --keep `keep`) to the record; an id already there keeps its first date. */
export async function recordPruned(store: ObjectStore, ids: readonly string[], keep: number, now: Date): Promise<void> {
  if (ids.length === 0) return;
  const pruned = await readPruned(store);
  const known = new Set(pruned.map((p) => p.id));
  const added = ids.filter((id) => !known.has(id)).map((id) => ({ id, at: now.toISOString(), keep }));
  if (added.length === 0) return;
  await putJsonObject(store, PRUNED_KEY, { schema: 1, pruned: [...pruned, ...added].sort((a, b) => (a.id < b.id ? 1 : -1)) });
}

/** The prune that removed release `id`, if one did. */
export async function prunedRelease(store: ObjectStore, id: string): Promise<PrunedRelease | undefined> {
  return (await readPruned(store)).find((p) => p.id === id);
}
