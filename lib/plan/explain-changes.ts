/**
 * Pure: what a plan does to objects the tool did not write, said before anything is sent. Adopting a
 * bucket another tool filled (russ.fm's own script) should upload nothing whose bytes are already right;
 * what it does replace is counted by why (a hi-res stripped of GPS/EXIF, a render from another
 * sharp/libvips…), and header-only copies are grouped by the header change they make.
 */
import { currentRecord, type DesiredObject, type RecordedObject } from './match';
import type { SyncAction } from './sync-plan';

/** The headers a HEAD showed an object served with. */
export interface ServedHeaders {
  readonly contentType?: string;
  readonly cacheControl?: string;
}

export interface ChangeNotes {
  /** Objects the tool has no record of writing whose bytes the build's differ from, by reason (most first). */
  readonly replacing: readonly { readonly reason: string; readonly count: number }[];
  /** Header-only copies, by the change they make (most first). */
  readonly headerCopies: readonly { readonly change: string; readonly count: number }[];
}

/** Why the build's bytes differ from an object someone else wrote, from where the build's come from. */
export function replacementReason(local: DesiredObject): string {
  const origin = local.origin;
  if (!origin) return 'objects that differ';
  if ('published' in origin) return 'published files that differ from dist/';
  switch (origin.passthrough) {
    case 'strip': return `${origin.size} stripped of metadata (GPS/EXIF)`;
    case 'reencode': return `${origin.size} re-encoded (a PNG, rotated or non-sRGB source)`;
    case 'copy': return `${origin.size} that differ from their source (the source changed since)`;
    default: return 'renders that differ (a different sharp/libvips or recipe)';
  }
}

/** `Cache-Control changes from "a" to "b"` (and Content-Type likewise), or the target headers when what is served is unknown. */
export function headerChange(local: DesiredObject, served: ServedHeaders | undefined): string {
  if (!served) return `headers differ from those recorded (to Content-Type "${local.contentType}", Cache-Control "${local.cacheControl}")`;
  const changes = [
    served.cacheControl !== local.cacheControl && `Cache-Control changes from "${served.cacheControl ?? ''}" to "${local.cacheControl}"`,
    served.contentType !== local.contentType && `Content-Type changes from "${served.contentType ?? ''}" to "${local.contentType}"`,
  ].filter(Boolean);
  return changes.length > 0 ? changes.join(', ') : 'headers as served are right, but their metadata is not the tool\'s';
}

function tally(items: readonly string[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

export function explainChanges(
  actions: readonly SyncAction[], records: ReadonlyMap<string, RecordedObject>, served: ReadonlyMap<string, ServedHeaders>,
): ChangeNotes {
  const replaced: string[] = [];
  const copies: string[] = [];
  for (const a of actions) {
    if (a.kind === 'update' && !a.damaged && !currentRecord(a.remote, records.get(a.key))) replaced.push(replacementReason(a.local));
    if (a.kind === 'retag') copies.push(headerChange(a.local, served.get(a.key)));
  }
  return { replacing: tally(replaced), headerCopies: tally(copies).map(({ reason, count }) => ({ change: reason, count })) };
}

/** The notes as plan lines: `replacing 12 objects …: 9 …, 3 …` and `N header-only copies (…)`. */
export function formatChangeNotes(notes: ChangeNotes | undefined): string[] {
  if (!notes) return [];
  const lines: string[] = [];
  const replacing = notes.replacing.reduce((sum, r) => sum + r.count, 0);
  if (replacing > 0) {
    lines.push(`  replacing ${replacing} object(s) this tool did not write, whose bytes differ (each archived first): `
      + notes.replacing.map((r) => `${r.count} ${r.reason}`).join(', '));
  }
  for (const c of notes.headerCopies) lines.push(`  ${c.count} header-only cop${c.count === 1 ? 'y' : 'ies'} (${c.change}): no bytes uploaded`);
  return lines;
}
