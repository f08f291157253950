/**
 * The name a file is written under before it is renamed into place. Unique per write, not just per
 * process: two builds in one process (a `gulp.parallel`, or the test harness's overlapping runs) write
 * the same outputs at once, and a shared temp name let one rename the other's file away.
 */
let written = 0;

export function tempPathFor(path: string, tag = ''): string {
  written += 1;
  return `${path}.${tag}${process.pid}-${written}.tmp`;
}
