/**
 * The writer lock's record, as it enters from the bucket: validated once here. A lock that is not one
 * (unreadable JSON, missing fields) is an unknown holder, taken over like any lock that stops changing;
 * its text is never printed raw (a hostile record could carry terminal escapes).
 */
import { printable } from '../util/printable';

export interface LockRecord {
  readonly run: string;
  readonly command: string;
  readonly host: string;
  /** Boot and pid namespace of the holder's machine (Linux), so a pid is only judged where it means that process. */
  readonly machine?: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly renewedAt: string;
}

const TEXT_FIELDS = ['run', 'command', 'host', 'startedAt', 'renewedAt'] as const;
const isShortText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 300;

export function parseLock(text: string): LockRecord | undefined {
  let value: unknown;
  try { value = JSON.parse(text); } catch { return undefined; }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (!TEXT_FIELDS.every((field) => isShortText(record[field]))) return undefined;
  if (!Number.isSafeInteger(record.pid) || (record.pid as number) <= 0) return undefined;
  if (record.machine !== undefined && !isShortText(record.machine)) return undefined;
  return record as unknown as LockRecord;
}

export function describeHolder(holder: LockRecord | undefined): string {
  if (!holder) return 'a lock this tool cannot read (`_state/lock.json`)';
  return `\`gulp ${printable(holder.command)}\` (pid ${holder.pid} on ${printable(holder.host)}, since ${printable(holder.startedAt)})`;
}
