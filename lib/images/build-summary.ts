import { formatBytes } from '../util/progress';
import { keyProblem, printableKey } from '../validate/object-key';
import type { ManifestSource } from '../manifest/types';
import type { BuildSummary } from './build';

export interface HiResCounts { copied: number; stripped: number; reencoded: number; reencodeReasons: Record<string, number> }

/** The hi-res paths over the whole collection (what the manifest records), and why this run re-encoded. */
export function countHiRes(sources: Readonly<Record<string, ManifestSource>>, reencodeReasons: Record<string, number>): HiResCounts {
  const counts: HiResCounts = { copied: 0, stripped: 0, reencoded: 0, reencodeReasons };
  for (const source of Object.values(sources)) {
    for (const v of source.variants) {
      if (v.passthrough === 'copy') counts.copied += 1;
      else if (v.passthrough === 'strip') counts.stripped += 1;
      else if (v.passthrough === 'reencode') counts.reencoded += 1;
    }
  }
  return counts;
}

const EXAMPLES = 5;

/** What the remote build cache gave (`--env`): outputs left in the bucket, not in dist. */
function remoteLine(s: BuildSummary): string | undefined {
  if (s.remoteRelease === undefined) return undefined;
  const sources = s.dryRun ? `${s.remote} source(s) would be` : `${s.remote} source(s)`;
  return `  remote build cache: release ${s.remoteRelease}; ${sources} taken from it with nothing rendered; `
    + `${s.outputsRemote} output(s) marked remote in the manifest (in the bucket, not in dist)`;
}

export function ignoredFiles(rels: readonly string[]): BuildSummary['ignored'] {
  return { count: rels.length, examples: rels.slice(0, EXAMPLES) };
}

function hiResLine(h: HiResCounts): string | undefined {
  if (h.copied + h.stripped + h.reencoded === 0) return undefined;
  const why = Object.entries(h.reencodeReasons).map(([reason, n]) => `${n} × ${reason}`).join(', ');
  return `  hi-res: ${h.copied} published as is, ${h.stripped} stripped of metadata (no decode), ${h.reencoded} re-encoded to sRGB`
    + (why ? ` (this run: ${why})` : '');
}

function ignoredLine(ignored: BuildSummary['ignored']): string | undefined {
  if (ignored.count === 0) return undefined;
  const more = ignored.count > ignored.examples.length ? `, … ${ignored.count - ignored.examples.length} more` : '';
  return `warning: ignored ${ignored.count} image file(s) under album/ and artist/ that are not sources `
    + `(<type>/<slug>/<slug>-hi-res.jpg|jpeg|png): ${ignored.examples.map(shown).join(', ')}${more}`;
}

/** A source name as the summary prints it: a hostile one (control characters, backslashes…) quoted and made safe. */
const shown = (file: string): string => (keyProblem(file) ? printableKey(file) : file);

function dryRunLines(s: BuildSummary, plan: NonNullable<BuildSummary['dryRun']>): string[] {
  const lines = [`build (dry run, nothing was written): ${s.sources} sources — ${s.built} would be built, `
    + `${s.restored} restored from cache, ${s.cached} cached, ${s.remote} from the bucket's release, `
    + `${s.removed} removed (${plan.remove.length} outputs), ${s.failed} refused`];
  const list = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...items.slice(0, 20).map((item) => `  ${shown(item)}`));
    if (items.length > 20) lines.push(`  … and ${items.length - 20} more`);
  };
  list('would build', plan.build);
  list('would restore from the render cache (no decode)', plan.restore);
  list('would remove', plan.remove);
  return lines;
}

const restoredOutputs = (s: BuildSummary): string => (s.outputsRestored > 0 ? `${s.outputsRestored} restored from the render cache, ` : '');

/** The human summary printed at the end of `gulp build`. */
export function formatBuildSummary(s: BuildSummary): string {
  const lines = s.dryRun ? dryRunLines(s, s.dryRun) : [
    `build: ${s.sources} sources — ${s.built} built, ${s.restored} restored from cache, ${s.cached} cached, `
      + `${s.remote > 0 ? `${s.remote} from the bucket's release, ` : ''}${s.removed} removed, ${s.failed} failed`,
    `  outputs: ${s.outputsWritten} written (${formatBytes(s.bytesOut)}), ${restoredOutputs(s)}${s.outputsRemoved} removed; `
      + `decoded ${formatBytes(s.bytesIn)} of sources; hashed ${s.hashed}`,
    `  ${s.seconds.toFixed(2)} s, ${s.sourcesPerSecond.toFixed(1)} sources/s; manifest ${s.manifest}`,
  ];
  for (const line of [remoteLine(s), hiResLine(s.hiRes), ignoredLine(s.ignored)]) if (line) lines.push(line);
  if (s.leftoversRemoved > 0) lines.push(`  removed ${s.leftoversRemoved} temp file(s) left in dist or the cache by a killed build`);
  if (s.outputsCopied > 0) lines.push(`  ${s.outputsCopied} output(s) copied into dist, not linked: dist is on another file system than the cache, or refuses hard links`);
  if (s.rendersPruned > 0) lines.push(`  render cache: pruned ${s.rendersPruned} render(s) no kept manifest names`);
  if (s.failures.length > 0) {
    lines.push(`failed (${s.failures.length}):`);
    for (const f of s.failures) lines.push(`  ${shown(f.file)}: ${f.reason}`);
  }
  return lines.join('\n');
}
