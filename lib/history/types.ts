/**
 * The run history: one record per command that built, read or changed a bucket. Records are read back from
 * the bucket (or a folder), so they are parsed by the schemas in run-record-schema.ts before any code sees them.
 */

export const HISTORY_COMMANDS = ['build', 'sync', 'verify', 'restore', 'prune', 'releases', 'setup', 'report', 'cost', 'mirror'] as const;
export type HistoryCommand = (typeof HISTORY_COMMANDS)[number];

export interface Tally {
  readonly count: number;
  readonly bytes: number;
}

/** Objects (or sources) counted and summed, in all and by size name (`medium`) and by file type (`jpeg`). */
export interface ObjectFigures extends Tally {
  readonly bySize: Readonly<Record<string, Tally>>;
  readonly byType: Readonly<Record<string, Tally>>;
}

/** Requests as sent on the wire (every attempt), by R2's billing class (r2-facts §4) and by S3 operation. */
export interface RequestFigures {
  readonly classA: number;
  readonly classB: number;
  readonly free: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

/** What a full listing of the bucket measured: the images, the archive (`_archive/`) and the other records apart. */
export interface StorageFigures {
  readonly images: Tally;
  readonly archive: Tally;
  readonly records: Tally;
}

/** A build's sources: how many, how big, and what the build did with them. */
export interface SourceFigures extends Tally {
  /** Sources decoded (rendered) this run. */
  readonly decoded: number;
  /** Sources whose outputs were all current (no decode). */
  readonly cached: number;
  /** Sources whose outputs came back from the render cache (no decode). */
  readonly restored: number;
  readonly failed: number;
}

/** Writes a run attempted against the bucket (uploads and copies; archive copies apart) and how many failed. */
export interface WriteFigures {
  readonly attempted: number;
  readonly failed: number;
  /** Bytes uploaded. */
  readonly bytes: number;
  readonly deleted: number;
}

/** What a run added to the archive (copies of what it overwrote or deleted) or, for prune, removed from it. */
export interface ArchiveFigures {
  readonly added: Tally;
  readonly removed: Tally;
}

export interface LatencyFigures {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

/** The findings of a verify: counts by class, and the first few problems by key. */
export interface VerifyFigures {
  readonly problems: number;
  readonly byClass: Readonly<Record<string, number>>;
  readonly examples: readonly { readonly key: string; readonly problem: string }[];
}

export interface RunRecord {
  /** `<time>-<command>-<8 hex>`: unique per run, so runs at the same moment (shard jobs) never share a key. */
  readonly id: string;
  /** When the run started (ISO 8601, UTC). */
  readonly time: string;
  readonly command: HistoryCommand;
  /** The environment it targeted; null for a build (which targets none). */
  readonly environment: string | null;
  /** GITHUB_SHA, else the checkout's HEAD, else null. */
  readonly commit: string | null;
  readonly durationMs: number;
  readonly ok: boolean;
  /** Why it failed (secrets scrubbed). */
  readonly error?: { readonly code: string; readonly message: string };
  readonly sources?: SourceFigures;
  /** The build's images (its manifest) in the run's scope. */
  readonly objects?: ObjectFigures;
  readonly writes?: WriteFigures;
  readonly archive?: ArchiveFigures;
  readonly storage?: StorageFigures;
  readonly requests: RequestFigures;
  /** The requests' price at R2's list price, before the free allowance. */
  readonly costUsd: number;
  /** verify --public: the public answers' latency. */
  readonly publicLatency?: LatencyFigures;
  readonly verify?: VerifyFigures;
  /** The release this run published. */
  readonly release?: string;
}

/** One object (or file) per run: the run's record, and the build records it carried up. */
export interface HistoryBatch {
  readonly version: 1;
  readonly runs: readonly RunRecord[];
}

/** A month of runs, rolled up from the batches; runs past the cap are folded into `dropped`. */
export interface MonthRollup {
  readonly version: 1;
  /** `YYYY-MM` (UTC). */
  readonly month: string;
  readonly runs: readonly RunRecord[];
  /** Runs left out to keep the rollup bounded: how many, and what their requests were. */
  readonly dropped: { readonly runs: number; readonly requests: Omit<RequestFigures, 'byOperation'>; readonly costUsd: number };
}

export const ALERT_KINDS = ['build-failure', 'failed-writes', 'cost-spike', 'cdn-slow', 'archive-growth'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  readonly kind: AlertKind;
  /** `error` is also a failing exit status (build failure, failed writes); `warning` never changes it. */
  readonly severity: 'error' | 'warning';
  readonly environment: string | null;
  /** One line: what crossed which threshold, with the figures. */
  readonly message: string;
  /** The next step. */
  readonly hint?: string;
  /** The run that raised it, when one did. */
  readonly run?: string;
}

/** The seed's thresholds (assets.config.ts `alerts`). */
export interface AlertThresholds {
  /** Failed writes over this share of a run's attempted writes (%). */
  readonly failedWritesPercent: number;
  /** A month's class A or B operations or stored GB over this share (%) of the previous months' average. */
  readonly costSpikePercent: number;
  /** verify --public p95 over this many ms (defaults to cdn.slowP95Ms). */
  readonly slowP95Ms: number;
  /** The archive grew more than this many times what the images grew over `archiveWindowDays`. */
  readonly archiveGrowthRatio: number;
  readonly archiveWindowDays: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  failedWritesPercent: 5, costSpikePercent: 150, slowP95Ms: 2000, archiveGrowthRatio: 1, archiveWindowDays: 30,
};
