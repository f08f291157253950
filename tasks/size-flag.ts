/** `--size` takes the sizes assets.config.ts defines: its help and its check read the config, not a fixed list. */
import { loadAssetsConfig } from '../lib/config/load-assets-config';
import { UsageError } from '../lib/errors';
import type { FlagValue } from './flags';

function sizeNames(): string[] {
  return loadAssetsConfig().image.sizes.map((s) => s.name);
}

/** For `gulp --tasks`: the sizes, or where they come from when the config cannot be read (the task will say why). */
export function sizeChoices(): string {
  try {
    return `${sizeNames().join(', ')} (from the recipe in assets.config.ts)`;
  } catch {
    return 'a size the recipe in assets.config.ts defines';
  }
}

export function checkSizeFlag(values: Readonly<Record<string, FlagValue>>): void {
  const size = values.size;
  if (typeof size !== 'string') return;
  const names = sizeNames();
  if (!names.includes(size)) throw new UsageError(`--size ${size} is not a size of the recipe; use one of ${names.join(', ')}`, 'sizes come from assets.config.ts');
}
