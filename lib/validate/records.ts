/**
 * The tool's JSON records as they enter from outside (the bucket, dist/): release records and the
 * latest pointer, the state record, image manifests. Each is parsed once here against a schema; what
 * passes is typed and may be trusted, what does not is named with the first thing wrong with it
 * (`_releases/<id>.json: objects is not a map of objects`), never a TypeError later.
 */
import * as v from 'valibot';
import { BadRecordError } from '../errors';
import { EXTENSION_OF, OUTPUT_FORMATS } from '../images/config';
import type { ImageManifest } from '../manifest/types';
import type { RecordedObject } from '../plan/match';
import type { LatestPointer, Release } from '../releases/release';
import { imageKeyProblem, printableKey } from './object-key';
import { hasUnprintable, printable } from '../util/printable';

export { BadRecordError } from '../errors';

const md5 = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'is not a hex MD5'));
/** A release made from a versioned bucket's history records what a HEAD said: a multipart ETag, or no SHA-256. */
const etagOrMd5 = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}(-\d+)?$/, 'is not a hex MD5 or ETag'));
const sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'is not a hex SHA-256'));
export const count = v.pipe(v.number('is not a number'), v.integer('is not a whole number'), v.minValue(0, 'is negative'));
export const text = (max = 1000) => v.pipe(v.string('is not text'), v.maxLength(max, `is longer than ${max} characters`),
  v.check((t) => !hasUnprintable(t), 'contains a control character (or a line separator or bidirectional mark)'));
/** A value sent as an HTTP header (Content-Type, Cache-Control): printable ASCII only. */
const header = (max: number) => v.pipe(v.string('is not text'), v.maxLength(max, `is longer than ${max} characters`),
  v.regex(/^[\x20-\x7e]*$/, 'is not printable ASCII (it is sent as an HTTP header)'));
export const timestamp = v.pipe(v.string('is not text'), v.isoTimestamp('is not an ISO time'));
/** `20261128T123456.789Z-<8 hex>`: sorts by time, ends with the hash of its object list. */
export const RELEASE_ID = /^\d{8}T\d{6}(\.\d{3})?Z-[0-9a-f]{8}$/;
const releaseId = v.pipe(v.string('is not text'), v.regex(RELEASE_ID, 'is not a release id'));
const imageKey = v.pipe(v.string('is not text'), v.check((key) => imageKeyProblem(key) === undefined, (issue) => {
  const key = String(issue.input);
  return `key ${printableKey(key)} is not an image key: ${imageKeyProblem(key) ?? ''}`;
}));
const keyList = v.array(imageKey, 'is not a list');

const isPlainObject = (input: unknown): boolean => typeof input === 'object' && input !== null && !Array.isArray(input);
/** A JSON object, not an array (valibot's object and record take arrays too). */
export const plain = <T extends v.GenericSchema>(schema: T, message: string) =>
  v.pipe(v.custom<Record<string, unknown>>(isPlainObject, message), schema as unknown as v.GenericSchema<Record<string, unknown>, v.InferOutput<T>>);
/** A JSON object keyed by image keys. */
const map = <T extends v.GenericSchema>(value: T, message: string) => plain(v.record(imageKey, value, message), message);

const releaseObject = v.object({
  md5: etagOrMd5, sha256: v.union([sha256, v.literal('')], 'is not a hex SHA-256'), size: count, contentType: header(200), cacheControl: header(500), versionId: v.optional(text(1024)),
});

const releaseSchema = plain(v.object({
  schema: v.literal(1, 'is not schema 1'),
  id: releaseId,
  createdAt: timestamp,
  parent: v.optional(releaseId),
  commit: v.optional(text(200)),
  environment: text(100),
  reason: v.picklist(['sync', 'repair', 'restore', 'rebuild', 'mirror'], 'is not sync, repair, restore, rebuild or mirror'),
  // A release id, or what a restore --at on a versioned bucket restored: "the bucket's versions at <time>".
  restoredFrom: v.optional(text(200)),
  objects: map(releaseObject, 'is not a map of objects'),
  changes: v.object({ created: keyList, updated: keyList, retagged: keyList, deleted: keyList }, 'is not a change list'),
  manifest: v.optional(v.object({ sha256, size: count })),
}), 'is not a release record');

const pointerSchema = plain(v.object({ id: releaseId, createdAt: timestamp }), 'is not a release pointer');

const recordedObject = v.object({ etag: text(200), sha256: v.union([sha256, v.literal('')]), headersHash: text(100) });
const stateSchema = plain(v.object({
  schema: v.literal(1, 'is not schema 1'),
  updatedAt: text(100),
  release: v.optional(releaseId),
  unreleased: v.optional(v.boolean()),
  // Any key: an entry whose key is not an image key is dropped (parseStateRecord), not the whole record.
  objects: plain(v.record(v.string(), recordedObject, 'is not a map of objects'), 'is not a map of objects'),
}), 'is not a state record');

const dimension = v.pipe(count, v.minValue(1, 'is not positive'));
const variantSchema = v.pipe(v.object({
  size: text(100),
  format: v.picklist(OUTPUT_FORMATS, `is not one of ${OUTPUT_FORMATS.join(', ')}`),
  key: imageKey, width: dimension, height: dimension, bytes: count, contentType: header(200), md5, sha256, cacheKey: text(200),
  passthrough: v.optional(v.picklist(['copy', 'strip', 'reencode'], 'is not copy, strip or reencode')),
  remote: v.optional(releaseId),
}), v.check((variant) => variant.key.endsWith(`.${EXTENSION_OF[variant.format]}`), (issue) =>
  `key ${printableKey(String((issue.input as { key: unknown }).key))} does not end in its format's extension (an output of ours always does)`));
const sourceSchema = v.object({
  type: v.picklist(['album', 'artist', 'other']), slug: text(500), bytes: count, sha256, width: dimension, height: dimension,
  variants: v.array(variantSchema, 'is not a list'),
});
const manifestSchema = plain(v.object({
  schema: v.literal(1, 'is not schema 1'),
  encoder: text(200),
  updatedAt: text(100),
  sources: map(sourceSchema, 'is not a map of sources'),
}), 'is not an image manifest');

/** `objects.album/x.jpg.md5 is not a hex MD5`: where in the record, then what is wrong. */
function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0] as v.BaseIssue<unknown>;
  const items = (issue.path ?? []) as readonly { type: string; key: unknown; origin?: string }[];
  // A bad map key is reported at its map: the message names the key.
  const path = items.filter((item) => !(item.type === 'record' && item.origin === 'key')).map((item) => String(item.key)).join('.');
  const at = printable(path).slice(0, 300);
  const ours = !issue.message.startsWith('Invalid '); // valibot's own messages; ours say what is wrong in words
  const message = printable(ours ? issue.message : issue.input === undefined ? 'is missing' : `is not the right type (${issue.received})`);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${at}${at && message.startsWith('key ') ? ':' : ''}${at ? ' ' : ''}${message}${more}`;
}

export function parseWith<T>(schema: v.GenericSchema<unknown, T>, textValue: string, where: string, hint?: string): T {
  let value: unknown;
  try { value = JSON.parse(textValue); } catch (error) {
    throw new BadRecordError(where, `is not valid JSON (${(error as Error).message})`, hint);
  }
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  if (!result.success) throw new BadRecordError(where, describe(result.issues), hint);
  return result.output;
}

export const parseRelease = (textValue: string, where: string, hint?: string): Release => parseWith(releaseSchema, textValue, where, hint) as Release;
export const parsePointer = (textValue: string, where: string): LatestPointer => parseWith(pointerSchema, textValue, where);
export function parseStateRecord(textValue: string, where: string): {
  release?: string; unreleased?: boolean; objects: Record<string, RecordedObject>;
} {
  const state = parseWith(stateSchema, textValue, where);
  const objects = Object.fromEntries(Object.entries(state.objects).filter(([key]) => imageKeyProblem(key) === undefined));
  return { ...state, objects };
}
export function parseManifest(textValue: string, where: string, hint?: string): ImageManifest {
  return parseWith(manifestSchema, textValue, where, hint) as ImageManifest;
}
