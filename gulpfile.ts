// Registers tasks only; each task lives in tasks/.
import { build } from './tasks/build';
import { cost } from './tasks/cost';
import { pipelineTask } from './tasks/pipeline';
import { mirror } from './tasks/mirror';
import { prune } from './tasks/prune';
import { purge } from './tasks/purge';
import { releases } from './tasks/releases';
import { report } from './tasks/report';
import { restore } from './tasks/restore';
import { serve } from './tasks/serve';
import { setup } from './tasks/setup';
import { sync } from './tasks/sync';
import { verify } from './tasks/verify';

export { build, cost, mirror, prune, purge, releases, report, restore, serve, setup, sync, verify };
export default pipelineTask;
