// Registers tasks only; each task lives in tasks/.
import { series } from 'gulp';
import { build } from './tasks/build';

const pipelineTask = series(build);
pipelineTask.description = 'The whole pipeline on the embedded local bucket: build';

export { build };
export default pipelineTask;
