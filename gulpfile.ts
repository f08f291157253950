// Registers tasks only; each task lives in tasks/.
import { series } from 'gulp';
import { build } from './tasks/build';
import { prune } from './tasks/prune';
import { releases } from './tasks/releases';
import { restore } from './tasks/restore';
import { sync } from './tasks/sync';
import { verify } from './tasks/verify';

const pipelineTask = series(build, sync, verify);
pipelineTask.description = 'The whole pipeline on the embedded local bucket (or --env): build, sync, then verify';

export { build, prune, releases, restore, sync, verify };
export default pipelineTask;
