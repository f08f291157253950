/** What `gulp verify` advises running next, from what it found (one line; none when the bucket is clean). */
import type { VerifyReport } from './verify-report';

/**
 * Missing or wrong CORS headers are the bucket's CORS rule (or a CDN that cached answers without it), which
 * no re-upload fixes: `gulp setup` applies the environment's rule, whatever else the bucket needs.
 */
export function nextStep(report: VerifyReport): string | undefined {
  if (report.ok) return undefined;
  const cors = report.counts['public-cors'];
  const setup = cors > 0
    ? `run \`gulp setup --env ${report.environment}\` to give the bucket the CORS rule assets.config.ts sets (then purge any answers the CDN cached without it)`
    : undefined;
  if (cors > 0 && cors === report.problems.length && !report.repair?.failures.length) return setup;
  return [bucketStep(report), setup].filter((s) => s !== undefined).join('; also ');
}

function bucketStep(report: VerifyReport): string {
  const c = report.counts;
  // Every command named carries the environment: copied as printed, it must reach the same bucket.
  const on = report.environment === 'development' ? '' : ` --env ${report.environment}`;
  if (report.against?.startsWith('release ')) {
    return `run \`gulp restore${on} --${report.against}\` to make the bucket match it (the plan is shown first)`;
  }
  if (report.writing && !report.repair) {
    return `a run is writing to this bucket now — ${report.writing} —, so what verify found may be its work in progress: run verify again when it has finished`;
  }
  if (report.atRelease && !report.repair) {
    const a = report.atRelease;
    const differs = a.uploads + a.retags + a.deletes;
    const others = report.problems.length - c['at-release'] - c['public-cors'];
    const sync = `\`gulp sync${on}${a.deletes ? ' --delete' : ''}\` would upload ${a.uploads}${a.retags ? `, re-header ${a.retags}` : ''} and delete ${a.deletes}`;
    const at = `the bucket is at release ${a.id}${a.rollback ? ` (a rollback${a.restoredFrom ? ` to ${a.restoredFrom}` : ''})` : ''}, which differs from the build in ${differs} object(s); `
      + `${sync}${a.rollback ? ', undoing the rollback' : ''} (check the bucket against it with \`gulp verify${on} --release latest\`)`;
    if (others === 0) return at;
    return `${at}; ${others} other problem(s) match neither the build nor that release: \`gulp restore${on} --release ${a.id}\` puts them back as the release recorded them`;
  }
  if (report.rolledBack && !report.repair) {
    return `the latest release, ${report.rolledBack.id}, is a rollback${report.rolledBack.restoredFrom ? ` to ${report.rolledBack.restoredFrom}` : ''}: `
      + `the bucket is meant to differ from dist/ (check it with \`gulp verify${on} --release latest\`); \`gulp verify${on} --repair\` would undo the rollback`;
  }
  if (c['public-stale'] > 0 && c.missing + c.corrupt + c['stale-headers'] === 0) return `purge the stale URLs above from the CDN cache: \`gulp purge${on} --urls <this run's report>\` purges exactly those`;
  const extras = c.extra > 0 ? ' (add --delete to remove the extras)' : '';
  return `run \`gulp verify${on} --repair${report.mode.deep ? ' --deep' : ''}\` to re-upload missing and corrupt objects from dist/ and fix headers${extras}`;
}

