/** uPlot's script and stylesheet, read from the installed package to be inlined: the dashboard loads nothing. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface UplotAssets {
  readonly script: string;
  readonly css: string;
}

let cached: UplotAssets | undefined;

/** Reads `uPlot.iife.min.js` and `uPlot.min.css` once; refuses text that would end the element it is inlined in. */
export function uplotAssets(): UplotAssets {
  if (cached) return cached;
  const dist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  const script = readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(join(dist, 'uPlot.min.css'), 'utf8');
  // Inlined as is: a `</script` or `<!--` in the library would break the page, so a new uPlot must be looked at.
  if (/<\/script|<!--/i.test(script)) throw new Error('uPlot\'s script contains </script or <!--: it cannot be inlined as is');
  if (/<\/style/i.test(css)) throw new Error('uPlot\'s stylesheet contains </style: it cannot be inlined as is');
  cached = { script, css };
  return cached;
}
