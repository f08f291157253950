/** The figures a run record carries, computed from what the commands already have (manifest, reports). */
import type { ApplyResult } from '../execute/apply-plan';
import type { ImageManifest } from '../manifest/types';
import type { SyncAction } from '../plan/sync-plan';
import type { BuildSummary } from '../images/build';
import type { ArchiveFigures, LatencyFigures, ObjectFigures, SourceFigures, Tally, VerifyFigures, WriteFigures } from './types';

const add = (map: Record<string, Tally>, name: string, bytes: number) => {
  const t = map[name] ?? { count: 0, bytes: 0 };
  map[name] = { count: t.count + 1, bytes: t.bytes + bytes };
};

/** The build's images (those `inScope` keeps), counted and summed in all, by size name and by format. */
export function objectFigures(manifest: ImageManifest, inScope: (key: string) => boolean = () => true): ObjectFigures {
  const bySize: Record<string, Tally> = {};
  const byType: Record<string, Tally> = {};
  let count = 0;
  let bytes = 0;
  for (const source of Object.values(manifest.sources)) {
    for (const variant of source.variants) {
      if (!inScope(variant.key)) continue;
      count += 1;
      bytes += variant.bytes;
      add(bySize, variant.size, variant.bytes);
      add(byType, variant.format, variant.bytes);
    }
  }
  return { count, bytes, bySize, byType };
}

/** The sources the manifest lists: how many and their bytes. */
export function sourceTally(manifest: ImageManifest): Tally {
  const sources = Object.values(manifest.sources);
  return { count: sources.length, bytes: sources.reduce((sum, s) => sum + s.bytes, 0) };
}

interface AppliedPlan {
  readonly plan: { readonly actions: readonly SyncAction[] };
  readonly result?: Pick<ApplyResult, 'completed' | 'failures' | 'bytesUploaded' | 'deleted'>;
}

/**
 * What an applied plan did to the bucket: writes attempted (every upload or copy it started; archive
 * copies apart) and failed, and the archive copies it added (their bytes are the listed sizes copied).
 */
export function appliedFigures({ plan, result }: AppliedPlan): { writes: WriteFigures; archive: ArchiveFigures } {
  const completed: Partial<Record<string, number>> = result?.completed ?? {};
  const failures = result?.failures ?? [];
  const writesDone = Object.entries(completed).filter(([kind]) => kind !== 'delete' && kind !== 'archive').reduce((sum, [, n]) => sum + (n ?? 0), 0);
  const writesFailed = failures.filter((f) => f.action !== 'delete' && f.action !== 'archive').length;
  const failedArchives = new Set(failures.filter((f) => f.action === 'archive').map((f) => f.key));
  const archived = plan.actions.filter((a): a is Extract<SyncAction, { kind: 'archive' }> => a.kind === 'archive' && !failedArchives.has(a.key))
    .slice(0, completed.archive ?? 0);
  return {
    writes: { attempted: writesDone + writesFailed, failed: writesFailed, bytes: result?.bytesUploaded ?? 0, deleted: result?.deleted.length ?? 0 },
    archive: { added: { count: archived.length, bytes: archived.reduce((sum, a) => sum + a.expect.size, 0) }, removed: { count: 0, bytes: 0 } },
  };
}

/** A verify's findings for the history: counts by class (the non-zero ones) and the first problems by key. */
export function verifyFigures(counts: Readonly<Record<string, number>>, problems: readonly { key: string; kind: string }[]): VerifyFigures {
  return {
    problems: problems.length,
    byClass: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    examples: problems.slice(0, 20).map((p) => ({ key: p.key.slice(0, 1100), problem: p.kind })),
  };
}

/** verify --public's latency, when anything was timed (milliseconds, whole). */
export function latencyFigures(latency: { count: number; p50Ms?: number; p95Ms?: number; maxMs?: number } | undefined): LatencyFigures | undefined {
  if (!latency || latency.count === 0 || latency.p95Ms === undefined) return undefined;
  const ms = (n: number | undefined) => Math.round(n ?? 0);
  return { count: latency.count, p50Ms: ms(latency.p50Ms), p95Ms: ms(latency.p95Ms), maxMs: ms(latency.maxMs) };
}

/** A build's sources: from its summary (bytes are the sources decoded this run; the manifest has them all). */
export function sourceFigures(summary: Pick<BuildSummary, 'sources' | 'built' | 'cached' | 'restored' | 'failed' | 'bytesIn'>, manifest?: ImageManifest): SourceFigures {
  return {
    count: summary.sources, bytes: manifest ? sourceTally(manifest).bytes : summary.bytesIn,
    decoded: summary.built, cached: summary.cached, restored: summary.restored, failed: summary.failed,
  };
}
