import { printReport, withBucket } from './bucket-session';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';
import { reportsDir } from './reports-dir';
import { historyPlace } from './run-history';

/** `gulp cost`: this month, last month and the projection, from the run history and a listing of the bucket. */
export function cost(): Promise<void> {
  return runTask(runCostTask);
}

async function runCostTask(): Promise<void> {
  const flags = flagsFor('cost');
  const dir = reportsDir(flags) ?? 'reports';
  await withBucket(flags, async ({ env, opened, history }) => {
    const { readHistory } = require('../lib/history/read-history') as typeof import('../lib/history/read-history');
    const { measureStorage } = require('../lib/history/measure-storage') as typeof import('../lib/history/measure-storage');
    const { costModel } = require('../lib/cost/cost-model') as typeof import('../lib/cost/cost-model');
    const { formatCost } = require('../lib/cost/format-cost') as typeof import('../lib/cost/format-cost');
    const { runsOf } = require('../lib/report/dashboard-charts') as typeof import('../lib/report/dashboard-charts');
    const now = new Date();
    const where = { environment: env.name, store: env.store ? opened.store : undefined };
    const [read, storage] = await Promise.all([readHistory(historyPlace(where, dir)), measureStorage(opened.store)]);
    for (const line of read.skipped) process.stderr.write(`warning: run history: skipped ${line}\n`);
    history?.note({ storage });
    // The listing just made is the newest storage measurement: this run counts in the model it prints.
    const current = history?.finish({ ok: true }, now, false);
    const model = costModel({ runs: runsOf([...read.runs, ...(current ? [current] : [])], env.name), environment: env.name, now });
    printReport(flags, model, undefined, formatCost(model));
  }, { command: 'cost', dir });
}

cost.description = 'Print what the bucket costs on R2: this month, last month and the projection (operations by class, storage of images, archive and records), against the seed\'s estimate; CDN reads are not visible to the S3 API and are not counted';
cost.flags = flagHelp('cost');
