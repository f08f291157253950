import { printReport, withBucket } from './bucket-session';
import { flagHelp, flagsFor } from './flag-tables';
import { runTask } from './outside-domain';
import { reportsDir } from './reports-dir';
import { historyAndStorage } from './run-history';

/** `gulp cost`: this month, last month and the projection, from the run history and a listing of the bucket. */
export function cost(): Promise<void> {
  return runTask(runCostTask);
}

async function runCostTask(): Promise<void> {
  const flags = flagsFor('cost');
  const dir = reportsDir(flags) ?? 'reports';
  await withBucket(flags, async (session) => {
    const { costModel } = require('../lib/cost/cost-model') as typeof import('../lib/cost/cost-model');
    const { formatCost } = require('../lib/cost/format-cost') as typeof import('../lib/cost/format-cost');
    const now = new Date();
    // The listing just made is the newest storage measurement: this run counts in the model it prints.
    const { runs, dropped } = await historyAndStorage(session, dir, now);
    const model = costModel({ runs, dropped, environment: session.env.name, now });
    printReport(flags, model, undefined, formatCost(model));
  }, { command: 'cost', dir });
}

cost.description = 'Print what the bucket costs on R2: this month, last month and the projection (operations by class, storage of images, archive and records), against the seed\'s estimate; CDN reads are not visible to the S3 API and are not counted';
cost.flags = flagHelp('cost');
