/**
 * ICC profiles in a JPEG: reassembling APP2 `ICC_PROFILE` chunks and telling an sRGB profile from
 * the rest by its header and description tag (ICC.1:2010 §7.2, §9.2.41; v2 `desc`, v4 `mluc`).
 */
import { printable } from '../util/printable';

/** Bytes before each chunk's data: `ICC_PROFILE\0`, sequence number (from 1), chunk count. */
const CHUNK_HEADER = 14;
const ICC_HEADER = 128;

export type IccAssembly = { readonly profile: Buffer } | { readonly problem: string };

/** Joins APP2 ICC_PROFILE payloads (any order) by their sequence numbers; a gap or a clash is a problem. */
export function assembleIccProfile(chunks: readonly Buffer[]): IccAssembly {
  const bySequence = new Map<number, Buffer>();
  let count: number | undefined;
  for (const chunk of chunks) {
    if (chunk.length < CHUNK_HEADER) return { problem: 'a chunk is too short for its header' };
    const sequence = chunk[12] as number;
    const declared = chunk[13] as number;
    if (count !== undefined && declared !== count) return { problem: `chunks disagree on their count: ${count} and ${declared}` };
    count = declared;
    if (sequence < 1 || sequence > declared) return { problem: `chunk number ${sequence} of ${declared} is out of range` };
    if (bySequence.has(sequence)) return { problem: `chunk ${sequence} of ${declared} appears twice` };
    bySequence.set(sequence, chunk.subarray(CHUNK_HEADER));
  }
  const parts: Buffer[] = [];
  for (let sequence = 1; sequence <= (count ?? 0); sequence += 1) {
    const part = bySequence.get(sequence);
    if (!part) return { problem: `chunk ${sequence} of ${count} is missing` };
    parts.push(part);
  }
  return { profile: Buffer.concat(parts) };
}

interface IccSummary {
  /** Header bytes 16–19, e.g. 'RGB ', 'CMYK', 'GRAY'. */
  readonly colourSpace: string;
  readonly description: string | undefined;
}

/** The text of a v2 textDescriptionType or a v4 multiLocalizedUnicodeType (English record if there is one). */
function descriptionText(tag: Buffer): string | undefined {
  const type = tag.toString('latin1', 0, 4);
  if (type === 'desc' && tag.length >= 12) {
    const count = tag.readUInt32BE(8);
    if (12 + count > tag.length) return undefined;
    return tag.toString('latin1', 12, 12 + count).replace(/\0[\s\S]*$/, '');
  }
  if (type !== 'mluc' || tag.length < 16) return undefined;
  const records = tag.readUInt32BE(8);
  const recordSize = tag.readUInt32BE(12);
  if (recordSize < 12 || 16 + records * recordSize > tag.length) return undefined;
  let chosen: number | undefined;
  for (let i = 0; i < records; i += 1) {
    const record = 16 + i * recordSize;
    if (chosen === undefined || tag.toString('latin1', record, record + 2) === 'en') chosen = record;
  }
  if (chosen === undefined) return undefined;
  const length = tag.readUInt32BE(chosen + 4);
  const offset = tag.readUInt32BE(chosen + 8);
  if (offset + length > tag.length || length % 2 !== 0) return undefined;
  return Buffer.from(tag.subarray(offset, offset + length)).swap16().toString('utf16le').replace(/\0[\s\S]*$/, '');
}

/** Colour space and description, or undefined when the header, tag table or description is malformed. */
function readIccSummary(icc: Buffer): IccSummary | undefined {
  if (icc.length < ICC_HEADER + 4 || icc.toString('latin1', 36, 40) !== 'acsp') return undefined;
  const size = icc.readUInt32BE(0);
  if (size < ICC_HEADER + 4 || size > icc.length) return undefined;
  const profile = icc.subarray(0, size);
  const tags = profile.readUInt32BE(ICC_HEADER);
  if (ICC_HEADER + 4 + tags * 12 > size) return undefined;
  const colourSpace = profile.toString('latin1', 16, 20);
  for (let i = 0; i < tags; i += 1) {
    const entry = ICC_HEADER + 4 + i * 12;
    if (profile.toString('latin1', entry, entry + 4) !== 'desc') continue;
    const offset = profile.readUInt32BE(entry + 4);
    const length = profile.readUInt32BE(entry + 8);
    const description = offset + length <= size ? descriptionText(profile.subarray(offset, offset + length)) : undefined;
    return description === undefined ? undefined : { colourSpace, description };
  }
  return { colourSpace, description: undefined };
}

/** "sRGB IEC61966-2.1", "sRGB built-in", "sRGB v4 ICC preference…", "sRGB2014", libvips' own "sRGB"; not e-sRGB or scRGB. */
const SRGB_DESCRIPTION = /^\s*sRGB(?![a-z])|IEC\s?61966-2[.-]1/i;

/** True for a well-formed RGB profile whose description names sRGB; anything else (or anything malformed) is not sRGB. */
export function isSrgbProfile(icc: Buffer): boolean {
  const summary = readIccSummary(icc);
  return summary?.colourSpace === 'RGB ' && SRGB_DESCRIPTION.test(summary.description ?? '');
}

/** Descriptions that are codes rather than names (libvips' compact profiles). */
const KNOWN_NAMES: Readonly<Record<string, string>> = { sP3C: 'Display P3', sRGB: 'sRGB' };

/** A profile's name for a user: its description, or its colour space when it has none. */
export function iccProfileName(icc: Buffer): string {
  const summary = readIccSummary(icc);
  if (!summary) return 'unreadable';
  const description = printable(summary.description?.trim() ?? '').slice(0, 60);
  if (description) return KNOWN_NAMES[description] ?? description;
  return `an unnamed ${printable(summary.colourSpace.trim())} profile`;
}
