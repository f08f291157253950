/** `gulp build --dry-run`: the plan as a summary. Nothing is rendered, written or removed. */
import { remoteOutputs } from '../manifest/remote-marks';
import type { ImageManifest, ManifestSource } from '../manifest/types';
import { staleKeys, type BuildPlan } from '../plan/build-plan';
import type { BuildSummary } from './build';
import type { ScanResult } from './scan-sources';
import { countHiRes, ignoredFiles } from './build-summary';

export function dryRunSummary(plan: BuildPlan, previous: ImageManifest | null, scan: ScanResult, started: number, manifest: string): BuildSummary {
  // A source to be rebuilt is assumed to keep its keys: what it really drops is known only once it is decoded.
  const next: Record<string, ManifestSource> = { ...plan.carried, ...plan.cached, ...plan.restored, ...plan.remote };
  for (const task of plan.build) {
    const before = previous?.sources[task.candidate.rel];
    if (before) next[task.candidate.rel] = before;
  }
  const remove = staleKeys(previous, next);
  const seconds = (performance.now() - started) / 1000;
  const sources = scan.candidates.length + scan.failures.length;
  return {
    sources, built: plan.build.length, restored: Object.keys(plan.restored).length, cached: Object.keys(plan.cached).length,
    remote: Object.keys(plan.remote).length, outputsRemote: remoteOutputs(next),
    removed: plan.removedSources.length, failed: scan.failures.length, outputsWritten: 0, outputsRestored: 0, outputsCopied: 0,
    outputsRemoved: remove.length, bytesIn: 0, bytesOut: 0, hashed: scan.hashed,
    seconds, sourcesPerSecond: sources / Math.max(seconds, 1e-6), manifest,
    failures: scan.failures.map((f) => ({ file: f.file, reason: f.hint ? `${f.reason} (${f.hint})` : f.reason })),
    leftoversRemoved: 0,
    rendersPruned: 0,
    hiRes: countHiRes(next, {}),
    ignored: ignoredFiles(scan.ignored),
    dryRun: { build: plan.build.map((t) => t.candidate.rel), restore: Object.keys(plan.restored), remove },
  };
}
