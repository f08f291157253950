/**
 * Where a run history is kept: beside the tool's records in the bucket (`_history/`, so CI runs
 * accumulate) for remote environments, or a folder beside the reports (development, and builds waiting
 * for the next sync). Both answer the same few calls, so batching and rolling up are written once.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRecordError } from '../errors';
import { putJsonObject, readObjectText } from '../storage/json-object';
import type { ObjectStore } from '../storage/object-store';
import { isPreconditionFailed } from '../storage/store-error';
import { HISTORY_PREFIX } from '../validate/object-key';

export { HISTORY_PREFIX } from '../validate/object-key';
/** A history object is small (a month of runs is a few MB): anything bigger is not one of ours. */
const HISTORY_MAX_BYTES = 64 * 1024 * 1024;

export type HistoryArea = 'runs' | 'months' | 'pending';

export interface HistoryPlace {
  /** For messages: the bucket or folder. */
  readonly description: string;
  /** The names (`<id>.json`) in one area. */
  names(area: HistoryArea): Promise<string[]>;
  /** The text and a tag for a conditional replace; undefined when absent. */
  read(area: HistoryArea, name: string): Promise<{ text: string; tag: string } | undefined>;
  /** Writes `value` as JSON unless the condition fails (`tag`: only over that version; `absent`: only if there is none): false then. */
  write(area: HistoryArea, name: string, value: unknown, condition?: { tag: string } | 'absent'): Promise<boolean>;
  remove(area: HistoryArea, names: readonly string[]): Promise<void>;
}

/** The history kept in the bucket's records (the records bucket when R2_ARCHIVE_BUCKET is set). */
export function bucketHistory(store: ObjectStore): HistoryPlace {
  const key = (area: HistoryArea, name: string) => `${HISTORY_PREFIX}${area}/${name}`;
  return {
    description: `${store.description} ${HISTORY_PREFIX}`,
    async names(area) {
      const names: string[] = [];
      const prefix = `${HISTORY_PREFIX}${area}/`;
      for await (const page of store.list({ prefix })) for (const o of page) names.push(o.key.slice(prefix.length));
      return names;
    },
    async read(area, name) {
      const found = await readObjectText(store, key(area, name), HISTORY_MAX_BYTES);
      return found && { text: found.text, tag: found.head.etag };
    },
    async write(area, name, value, condition) {
      const when = condition === 'absent' ? { ifNoneMatch: '*' as const } : condition ? { ifMatch: condition.tag } : {};
      try {
        await putJsonObject(store, key(area, name), value, when);
        return true;
      } catch (error) {
        if (isPreconditionFailed(error)) return false;
        throw error;
      }
    },
    async remove(area, names) {
      if (names.length === 0) return;
      const result = await store.deleteMany(names.map((name) => key(area, name)));
      if (result.failed.length > 0) throw new Error(`could not delete ${result.failed.length} history object(s): ${result.failed[0]?.reason}`);
    },
  };
}

/**
 * The history in a folder. One process at a time writes it in practice (the embedded bucket's lock keeps
 * development commands apart); a write is a temp file renamed into place, so a reader never sees half of one.
 */
export function folderHistory(dir: string): HistoryPlace {
  const path = (area: HistoryArea, name: string) => join(dir, area, name);
  const tagOf = async (file: string) => { const s = await stat(file); return `${s.size}-${s.mtimeMs}`; };
  return {
    description: `${dir}/`,
    async names(area) {
      const entries = await readdir(join(dir, area), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name);
    },
    async read(area, name) {
      const file = path(area, name);
      try {
        const tag = await tagOf(file);
        if (Number(tag.split('-')[0]) > HISTORY_MAX_BYTES) throw new BadRecordError(file, `is larger than any history file of ours (${HISTORY_MAX_BYTES} bytes)`);
        return { text: await readFile(file, 'utf8'), tag };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(area, name, value, condition) {
      const file = path(area, name);
      await mkdir(join(dir, area), { recursive: true });
      const current = await tagOf(file).catch(() => undefined);
      if (condition === 'absent' ? current !== undefined : condition && current !== condition.tag) return false;
      const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, JSON.stringify(value));
      await rename(temp, file);
      return true;
    },
    async remove(area, names) {
      await Promise.all(names.map((name) => rm(path(area, name), { force: true })));
    },
  };
}
