import { ListingHandoff } from '../lib/bucket/listing-handoff';

let handoff: ListingHandoff | undefined;

/** `gulp` (the pipeline) starts one before build: its sync hands what it read of the bucket to its verify. */
export function startPipelineHandoff(): void {
  handoff = new ListingHandoff();
}

/** The pipeline's handoff; undefined for a task run on its own. */
export function pipelineHandoff(): ListingHandoff | undefined {
  return handoff;
}
