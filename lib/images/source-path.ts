import { posix, sep } from 'node:path';
import { SourceError } from '../errors';
import { formatBytes } from '../util/progress';
import { imageKeyProblem } from '../validate/object-key';
import type { ImageConfig } from './config';

/** Extensions of image files (compared case-insensitively): a file with one that is not a source is worth a warning. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.avif', '.tif', '.tiff', '.gif'];

/** How sources are named: `<type>/<slug>/<slug><suffix>.<ext>`. */
export type SourceNaming = Pick<ImageConfig, 'sourceSuffix' | 'sourceExtensions'>;

export type SourceType = 'album' | 'artist' | 'other';

export interface SourcePath {
  /** Path relative to the source root: POSIX separators, Unicode NFC (R2 stores NFC keys). */
  readonly rel: string;
  readonly type: SourceType;
  /** The folder name under album/ or artist/ (russ.fm's slug). */
  readonly slug: string;
  /** Folder of the outputs, relative to dist. */
  readonly dir: string;
  /** File stem without the source suffix: outputs are `<dir>/<base>-<size>.<ext>`. */
  readonly base: string;
}

/** True for image files, by extension, case-insensitively. */
export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(posix.extname(name).toLowerCase());
}

/**
 * Whether a key-form path is a source: `album/<slug>/<slug>-hi-res.jpg` (or `.jpeg`, `.png`, any case),
 * named after its folder as the app names its URLs. Anything else under album/ or artist/ — a generated
 * `-medium.jpg`, a `cover.jpg` — is not (the build lists such files in one warning).
 */
export function isSourceName(rel: string, naming: SourceNaming): boolean {
  const parts = rel.split('/');
  if (parts.length !== 3 || (parts[0] !== 'album' && parts[0] !== 'artist')) return false;
  const name = parts[2] as string;
  const ext = posix.extname(name);
  return naming.sourceExtensions.includes(ext.slice(1).toLowerCase()) && name.slice(0, -ext.length) === `${parts[1]}${naming.sourceSuffix}`;
}

/**
 * Normalises a relative path to the key form used everywhere: POSIX separators and NFC. Only this
 * platform's separator is converted: on Linux a backslash is part of a file's name (`..\\x.jpg` is one
 * name), and turning it into `/` let such a name climb out of dist; the key grammar refuses it instead.
 */
export function toKey(relPath: string, separator: string = sep): string {
  return (separator === '/' ? relPath : relPath.split(separator).join('/')).normalize('NFC');
}

/** Bytes an output name may take before `-<size>.<ext>` and a temp suffix (NAME_MAX is 255 bytes). */
export const OUTPUT_BASE_MAX_BYTES = 200;

/**
 * Why the source at `rel` (key form) cannot be built; undefined when it can. Source names are checked
 * here, once, where they enter: its outputs are named from it, so it must be an image key (no `..`, no
 * backslash, no control character…) and leave room for the size suffix in a file name.
 */
export function sourceNameProblem(rel: string, sourceSuffix: string): string | undefined {
  const problem = imageKeyProblem(rel);
  if (problem) return `refused: its name cannot name outputs, ${problem}`;
  const { base } = parseSourcePath(rel, sourceSuffix);
  const bytes = Buffer.byteLength(base);
  if (bytes > OUTPUT_BASE_MAX_BYTES) {
    return `refused: its name is ${bytes} bytes long; output names (<name>-<size>.<ext>) need it to be at most ${OUTPUT_BASE_MAX_BYTES}`;
  }
  return undefined;
}

/** Parses `album/<slug>/<slug>-hi-res.jpg` (any depth, any name) into the parts outputs are named from. */
export function parseSourcePath(relPath: string, sourceSuffix: string): SourcePath {
  const rel = toKey(relPath);
  const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  const top = rel.split('/', 1)[0];
  const type: SourceType = top === 'album' || top === 'artist' ? top : 'other';
  const stem = posix.basename(rel, posix.extname(rel));
  const base = sourceSuffix && stem.endsWith(sourceSuffix) && stem.length > sourceSuffix.length
    ? stem.slice(0, -sourceSuffix.length)
    : stem;
  const parts = rel.split('/');
  const slug = type !== 'other' && parts.length >= 3 ? (parts[1] as string) : base;
  return { rel, type, slug, dir, base };
}

/** A source whose name cannot name outputs (sourceNameProblem), as the error the build and the plugin report. */
export function badSourceName(rel: string, sourceSuffix: string): SourceError | undefined {
  const problem = sourceNameProblem(rel, sourceSuffix);
  return problem === undefined ? undefined : new SourceError(rel, problem, { hint: 'rename the file: outputs and bucket keys are named from it' });
}

/** A source bigger than any image within the pixel limit can be (config.ts maxSourceBytes): refused unread. */
export function sourceTooLarge(rel: string, bytes: number, maxBytes: number): SourceError {
  return new SourceError(rel, `refused: ${formatBytes(bytes)} is more than any image within the pixel limit needs `
    + `(${formatBytes(maxBytes)}); it was not read`, { hint: 'a symlink to the wrong file? raise maxPixels if it really is a cover' });
}
