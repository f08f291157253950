/** How sync, verify and restore say what they left alone (one wording, in each command's plan or summary). */
import { showKey } from '../plan/match';
import type { UnmanagedTally } from './managed-keys';

/** `1,204 unmanaged object(s) left alone: 1,200 not the tool's (e.g. album/x/og-image.png), 4 excluded or ignored`; undefined for none. */
export function formatUnmanaged(tally: UnmanagedTally | undefined): string | undefined {
  if (!tally || tally.total === 0) return undefined;
  const parts = [
    tally.other > 0 && `${tally.other} not the tool's${tally.examples.length > 0 ? ` (e.g. ${tally.examples.slice(0, 3).map(showKey).join(', ')})` : ''}`,
    tally.excluded > 0 && `${tally.excluded} excluded or ignored (--exclude, \`ignore\`)`,
    tally.held > 0 && `${tally.held} of a \`publish\` glob with no file in dist/`,
  ].filter(Boolean);
  return `${tally.total} unmanaged object(s) left alone (never deleted or checked): ${parts.join(', ')}`;
}
