/**
 * The file a user edits, `assets.config.ts` (or .js, .cjs, .json): a preset and what it changes, per
 * collection; the extra files of dist/ that sync publishes; the bucket keys the tool leaves alone.
 * Validated once, here, where it enters: every field named when wrong.
 */
import * as v from 'valibot';
import { ConfigError } from '../errors';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../history/types';
import {
  COLLECTION_TYPES, OUTPUT_FORMATS, validateImageConfig, type CollectionRecipe, type CollectionType, type ImageConfig, type SizeSpec,
} from '../images/config';
import { PRESETS, type PresetName } from '../images/presets';
import { globProblem } from '../util/globs';
import { cdnSchema, corsRule, corsSchema, DEFAULT_CDN, DEFAULT_EDGE, environmentEdgeSchema, type CdnSettings, type EdgePolicy } from './edge-policy';

const positive = v.pipe(v.number(), v.integer('is not a whole number'), v.minValue(1, 'is less than 1'));
const quality = v.pipe(v.number(), v.integer('is not a whole number'), v.minValue(1, 'is less than 1'), v.maxValue(100, 'is over 100'));
const jpeg = v.strictObject({ quality: v.optional(quality), progressive: v.optional(v.boolean()), mozjpeg: v.optional(v.boolean()) });
const effortful = v.strictObject({ quality: v.optional(quality), effort: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))) });
const format = v.picklist(OUTPUT_FORMATS, `is not one of ${OUTPUT_FORMATS.join(', ')}`);
// Checked here, once, by the one glob dialect (lib/util/globs.ts): a bad glob names itself and its field.
const glob = v.pipe(v.string(), v.check((g) => globProblem(g) === undefined, (issue) => `"${String(issue.input)}" ${globProblem(String(issue.input)) ?? 'is not a glob'}`));

// Thresholds may be fractional (a ratio of 0.5, 2.5 %), so positive here is not whole.
const positiveNumber = v.pipe(v.number(), v.finite('is not a finite number'), v.gtValue(0, 'is not a positive number'));
const alertsSchema = v.strictObject({
  failedWritesPercent: v.optional(positiveNumber),
  costSpikePercent: v.optional(positiveNumber),
  slowP95Ms: v.optional(positiveNumber),
  archiveGrowthRatio: v.optional(positiveNumber),
  archiveWindowDays: v.optional(positiveNumber),
});

const sizeSchema = v.variant('fit', [
  v.strictObject({ fit: v.literal('source'), jpeg: v.optional(jpeg) }),
  v.strictObject({ fit: v.picklist(['cover', 'inside']), width: positive, height: positive, jpeg: v.optional(jpeg) }),
], 'is not cover, inside or source');

const configSchema = v.strictObject({
  preset: v.optional(v.picklist(Object.keys(PRESETS) as PresetName[], `is not one of ${Object.keys(PRESETS).join(', ')}`)),
  sizes: v.optional(v.record(v.string(), sizeSchema)),
  collections: v.optional(v.strictObject({
    album: v.optional(v.strictObject({ sizes: v.array(v.string()), formats: v.optional(v.array(format)) })),
    artist: v.optional(v.strictObject({ sizes: v.array(v.string()), formats: v.optional(v.array(format)) })),
  })),
  formats: v.optional(v.array(format)),
  pipeline: v.optional(v.picklist(['per-output', 'decode-once'])),
  jpeg: v.optional(jpeg),
  webp: v.optional(effortful),
  avif: v.optional(effortful),
  background: v.optional(v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/i, 'is not a #rrggbb colour'))),
  maxPixels: v.optional(positive),
  source: v.optional(v.strictObject({
    suffix: v.optional(v.string()),
    extensions: v.optional(v.array(v.picklist(['jpg', 'jpeg', 'png']))),
  })),
  publish: v.optional(v.array(glob)),
  ignore: v.optional(v.array(glob)),
  cors: v.optional(corsSchema),
  environments: v.optional(v.strictObject({
    production: v.optional(environmentEdgeSchema), staging: v.optional(environmentEdgeSchema), development: v.optional(environmentEdgeSchema),
  })),
  cdn: v.optional(cdnSchema),
  alerts: v.optional(alertsSchema),
});

type EdgeName = keyof typeof DEFAULT_EDGE;

/** What `assets.config.ts` may say (every field optional: the preset fills the rest). */
export type AssetsConfigInput = v.InferInput<typeof configSchema>;

export interface AssetsConfig {
  readonly image: ImageConfig;
  /** Globs (under dist/) of files other steps put there that sync publishes as they are, e.g. `{album,artist}/*\/og-image.png`. */
  readonly publish: readonly string[];
  /** Globs of bucket keys the tool never deletes, counts or checks (unmanaged), besides --exclude. */
  readonly ignore: readonly string[];
  /** Per environment: the Cache-Control objects are sent with, the bucket's CORS rule. */
  readonly edge: Readonly<Record<EdgeName, EdgePolicy>>;
  readonly cdn: CdnSettings;
  /** When a run or the history raises an alert: the seed's thresholds, slowP95Ms defaulting to cdn.slowP95Ms. */
  readonly alerts: AlertThresholds;
  /** The file it came from; undefined for the built-in default. */
  readonly file?: string;
}

/** Typed identity for `export default defineConfig({ … })` in assets.config.ts. */
export function defineConfig(config: AssetsConfigInput): AssetsConfigInput {
  return config;
}

function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((item) => String((item as { key: unknown }).key)).join('.');
}

/** valibot's words for a key problem ("Invalid key: Expected never but received …") in the user's terms. */
function issueWords(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && issue.expected === 'never') return 'is not a field this config has (a typo?)';
  if (issue.kind === 'schema' && issue.received === 'undefined' && /^Invalid key/.test(issue.message)) return 'is missing';
  return issue.message;
}

/** Parses what a config file exported (or nothing: the default) into a validated config. */
export function resolveAssetsConfig(raw: unknown, file?: string): AssetsConfig {
  const where = file ?? 'the default config';
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new ConfigError(`${where}: is not a config object`, 'export default defineConfig({ … }) (see "The recipe" in README.md)');
  }
  const parsed = v.safeParse(configSchema, raw ?? {});
  if (!parsed.success) {
    // The first few problems: a misspelt field shows up twice (the real name missing, the typo unknown).
    const problems = parsed.issues.slice(0, 3).map((issue) => `${issuePath(issue) ? `${issuePath(issue)} ` : ''}${issueWords(issue)}`);
    throw new ConfigError(`${where}: ${problems.join('; ')}`,
      'see "The recipe" in README.md for every field');
  }
  const input = parsed.output;
  const preset = PRESETS[input.preset ?? 'russ-fm'];
  const sizes: SizeSpec[] = preset.sizes.filter((s) => !input.sizes?.[s.name]);
  for (const [name, size] of Object.entries(input.sizes ?? {})) sizes.push({ name, ...size } as SizeSpec);
  const collections = Object.fromEntries(COLLECTION_TYPES.map((t): [CollectionType, CollectionRecipe] => [t, input.collections?.[t] ?? preset.collections[t]]));
  try {
    const image = validateImageConfig({
      ...preset,
      sizes,
      collections: collections as Record<CollectionType, CollectionRecipe>,
      formats: input.formats ?? preset.formats,
      pipeline: input.pipeline ?? preset.pipeline,
      jpeg: { ...preset.jpeg, ...input.jpeg },
      webp: { ...preset.webp, ...input.webp },
      avif: { ...preset.avif, ...input.avif },
      background: input.background ?? preset.background,
      maxPixels: input.maxPixels ?? preset.maxPixels,
      sourceSuffix: input.source?.suffix ?? preset.sourceSuffix,
      sourceExtensions: input.source?.extensions ?? preset.sourceExtensions,
    });
    const cdn = { ...DEFAULT_CDN, ...input.cdn };
    const alerts = { ...DEFAULT_ALERT_THRESHOLDS, slowP95Ms: cdn.slowP95Ms, ...input.alerts };
    return { image, publish: input.publish ?? [], ignore: input.ignore ?? [], edge: edgeOf(input), cdn, alerts, file };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${where}: ${error.message.replace(/^image config: /, '')}`, error.hint);
    throw error;
  }
}

/** Each environment's policy: its own field, else the config's `cors`, else the default. */
function edgeOf(input: v.InferOutput<typeof configSchema>): Record<EdgeName, EdgePolicy> {
  const names = Object.keys(DEFAULT_EDGE) as EdgeName[];
  return Object.fromEntries(names.map((name): [EdgeName, EdgePolicy] => {
    const own = input.environments?.[name];
    const cors = corsRule(own?.cors ?? input.cors, DEFAULT_EDGE[name].cors);
    return [name, { cacheControl: own?.cacheControl ?? DEFAULT_EDGE[name].cacheControl, cors }];
  })) as Record<EdgeName, EdgePolicy>;
}
