/** fast-check generators for the histories: steps, and whole histories that start from a synced collection. */
import fc from 'fast-check';
import type { WritingStep } from './history-commands';
import { SLUGS, type Step } from './history-world';

const slug = fc.nat(SLUGS.length - 1);

export const writingStep: fc.Arbitrary<WritingStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), delete: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repair' as const), delete: fc.boolean(), deep: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rollback' as const), pick: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebuild' as const), force: fc.boolean(), delete: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prune' as const), keep: fc.integer({ min: 1, max: 3 }) }) },
);

const edit: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('edit' as const),
  changes: fc.array(fc.record({ slug, version: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }) }), { minLength: 1, maxLength: 3 }),
});

const damage: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('damage' as const), what: fc.constantFrom('delete' as const, 'overwrite' as const, 'archive' as const), pick: fc.nat(50),
});

/** Where a kill lands: a command makes about 5 to 40 requests, so most kills fall inside one. */
const killPoint = fc.oneof(fc.nat(12), fc.integer({ min: 13, max: 40 }));

/** A writing command, killed in-process after a random number of store requests a third of the time. */
const write: fc.Arbitrary<Step> = fc.record({ step: writingStep, crashAt: fc.option(killPoint, { freq: 2 }) })
  .map(({ step, crashAt }) => ({ kind: 'write' as const, step, ...(crashAt === null ? {} : { crashAt }) }));

/** What a user does after a crash: the same command again (it must finish the job), or another one. */
const killedThenRerun: fc.Arbitrary<Step[]> = fc.record({ step: writingStep, crashAt: killPoint })
  .map(({ step, crashAt }) => [{ kind: 'write' as const, step, crashAt }, { kind: 'write' as const, step }]);

/** Sources changed (so both have work), then two writers at once, the second started a little after the first. */
const together: fc.Arbitrary<Step[]> = fc.record({ before: edit, first: writingStep, second: writingStep, offsetMs: fc.integer({ min: 0, max: 60 }) })
  .map(({ before, first, second, offsetMs }) => [before, { kind: 'together' as const, first, second, offsetMs }]);

/** Sources changed, then a writing command run by a forked worker and SIGKILLed at a random request. */
const kill9: fc.Arbitrary<Step[]> = fc.record({ before: edit, step: writingStep, at: fc.integer({ min: 1, max: 12 }) })
  .map(({ before, step, at }) => [before, { kind: 'write' as const, step, kill9: at }]);

/** Every history starts from all sources built and synced, then runs 2–7 random steps. */
const START: Step[] = [
  { kind: 'edit', changes: SLUGS.map((_, i) => ({ slug: i, version: 0 })) },
  { kind: 'write', step: { kind: 'sync', delete: true } },
];

export interface History {
  readonly steps: readonly Step[];
  /** Which restorable release the final real restore picks. */
  readonly restorePick: number;
}

export function histories(options: { withKill9?: boolean } = {}): fc.Arbitrary<History> {
  const step = fc.oneof(
    { weight: 3, arbitrary: edit.map((s) => [s]) },
    { weight: 4, arbitrary: write.map((s) => [s]) },
    { weight: 2, arbitrary: killedThenRerun },
    { weight: 1, arbitrary: damage.map((s) => [s]) },
    { weight: 1, arbitrary: together },
  );
  const steps = (min: number, max: number) => fc.array(step, { minLength: min, maxLength: max }).map((groups) => groups.flat());
  const middle = options.withKill9
    ? fc.tuple(steps(0, 2), kill9, steps(1, 2)).map(([a, k, b]) => [...a, ...k, ...b])
    : steps(2, 6);
  return fc.record({ steps: middle.map((steps) => [...START, ...steps]), restorePick: fc.nat(20) });
}
