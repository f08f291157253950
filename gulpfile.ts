// Registers tasks only; each task lives in tasks/.
import { series } from 'gulp';
import { build } from './tasks/build';
import { sync } from './tasks/sync';

const pipelineTask = series(build, sync);
pipelineTask.description = 'The whole pipeline on the embedded local bucket (or --env): build, then sync';

export { build, sync };
export default pipelineTask;
