/** One run's record in the making: started when the command starts, figures noted as they are known, finished once. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { costOf } from '../plan/plan-cost';
import { RequestMeter } from '../storage/request-meter';
import type { HistoryCommand, RunRecord } from './types';

/** What a task knows about its run beyond what the tracker measures itself. */
export type RunFigures = Partial<Pick<RunRecord, 'sources' | 'objects' | 'writes' | 'archive' | 'storage' | 'publicLatency' | 'verify' | 'release'>>;

/** `20261203T020316.123Z-sync-1a2b3c4d`: sorts by time; the random tail keeps runs of the same millisecond apart. */
export function runId(command: HistoryCommand, time: Date): string {
  return `${time.toISOString().replace(/[-:]/g, '')}-${command}-${randomBytes(4).toString('hex')}`;
}

let commit: string | null | undefined;
/** GITHUB_SHA, else the checkout's HEAD (asked once, with a deadline), else null. */
export function currentCommit(): string | null {
  if (commit !== undefined) return commit;
  const fromCi = process.env.GITHUB_SHA;
  if (fromCi && /^[0-9a-f]{7,64}$/i.test(fromCi)) return (commit = fromCi.toLowerCase());
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    commit = /^[0-9a-f]{40,64}$/.test(head) ? head : null;
  } catch { commit = null; }
  return commit;
}

export class RunTracker {
  readonly meter = new RequestMeter();
  readonly id: string;
  private readonly started: Date;
  private figures: RunFigures = {};

  constructor(readonly command: HistoryCommand, readonly environment: string | null, now = new Date()) {
    this.started = now;
    this.id = runId(command, now);
  }

  note(figures: RunFigures): void {
    this.figures = { ...this.figures, ...figures };
  }

  /** The record; `error` (already scrubbed) when the run failed. The batch PUT that will carry it is counted in. */
  finish(outcome: { ok: boolean; error?: { code: string; message: string } }, now = new Date(), carriedByPut = true): RunRecord {
    if (carriedByPut) this.meter.count('PutObject');
    const requests = this.meter.figures();
    return {
      id: this.id, time: this.started.toISOString(), command: this.command, environment: this.environment, commit: currentCommit(),
      durationMs: Math.max(0, now.getTime() - this.started.getTime()), ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}),
      ...this.figures, requests, costUsd: costOf(requests),
    };
  }
}
