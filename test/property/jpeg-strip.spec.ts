import { expect } from 'chai';
import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import sharp from 'sharp';
import { hiResPath } from '../../lib/images/hi-res-path';
import { readJpegSegments } from '../../lib/images/jpeg-segments';
import { stripMetadata } from '../../lib/images/jpeg-strip';
import { withDeadline } from '../helpers/deadline';
import {
  afterSoi, betweenScans, commentSegment, exifSegment, extendedXmpSegment, iccSegments, iptcSegment, jfifSegment, jfxxSegment,
  mpfSegment, otherAppSegment, xmpSegment,
} from '../helpers/jpeg-build';
import { expectLosslessStrip } from '../helpers/lossless-strip';
import { PHOTO } from '../helpers/paths';
import type { JpegOutcome } from '../support/jpeg-worker';

/**
 * Generated JPEGs (fast-check). (1) Random metadata combinations spliced into small sharp JPEGs: the
 * path is `copy` exactly when nothing is to drop, a non-1 orientation is re-encoded, and a strip keeps
 * the pixels, the ICC chunks and the scan bytes, leaves no metadata and is idempotent. (2) Mutations,
 * truncations and hostile segment lengths of real JPEGs, run in a worker under a deadline: nothing
 * hangs, the readers throw only JpegFormatError, hiResPath never throws and re-encodes what does not
 * parse, and whatever it strips comes out `copy`. JPEG_STRIP_RUNS / JPEG_HOSTILE_RUNS scale it;
 * JPEG_SEED (and JPEG_PATH) replays.
 */
const RUNS = Number(process.env.JPEG_STRIP_RUNS ?? 30);
const HOSTILE_RUNS = Number(process.env.JPEG_HOSTILE_RUNS ?? 300);
const SEED = process.env.JPEG_SEED ? { seed: Number(process.env.JPEG_SEED), path: process.env.JPEG_PATH } : undefined;
const DEADLINE_MS = 2000;

const memo = new Map<string, Promise<Buffer>>();
function baseJpeg(photo: string, size: number, quality: number, progressive: boolean): Promise<Buffer> {
  const key = `${photo}:${size}:${quality}:${progressive}`;
  if (!memo.has(key)) memo.set(key, sharp(photo).resize(size, Math.round(size * 0.75)).jpeg({ quality, progressive }).toBuffer());
  return memo.get(key) as Promise<Buffer>;
}

const recipe = fc.record({
  photo: fc.constantFrom(...Object.values(PHOTO)),
  size: fc.constantFrom(16, 24, 40, 64),
  quality: fc.constantFrom(60, 90),
  progressive: fc.boolean(),
  exif: fc.option(fc.record({ order: fc.constantFrom('II' as const, 'MM' as const), orientation: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }) }), { nil: undefined }),
  xmp: fc.boolean(),
  extendedXmp: fc.boolean(),
  iptc: fc.boolean(),
  comments: fc.array(fc.string({ maxLength: 40 }), { maxLength: 2 }),
  mpf: fc.boolean(),
  otherApps: fc.uniqueArray(fc.integer({ min: 3, max: 15 }), { maxLength: 2 }),
  jfif: fc.boolean(),
  jfxx: fc.boolean(),
  icc: fc.option(fc.record({ chunkSize: fc.integer({ min: 300, max: 4000 }), seed: fc.nat() }), { nil: undefined }),
  fill: fc.boolean(),
  commentBetweenScans: fc.boolean(),
  trailing: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
});
type Recipe = typeof recipe extends fc.Arbitrary<infer T> ? T : never;

/** A shuffle of 0…n-1 decided by `seed`, so a failing case replays. */
function order(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919 + seed) % 97) - ((b * 7919 + seed) % 97));
}

async function build(r: Recipe, srgb: Buffer): Promise<{ jpeg: Buffer; dropped: string[]; orientation: number }> {
  const segments: Buffer[] = [];
  const dropped = new Set<string>();
  const add = (segment: Buffer, label?: string) => {
    if (r.fill) segments.push(Buffer.from([0xff, 0xff]));
    segments.push(segment);
    if (label) dropped.add(label);
  };
  if (r.jfif) add(jfifSegment());
  if (r.jfxx) add(jfxxSegment(), 'JFXX thumbnail');
  if (r.exif) add(exifSegment(r.exif.orientation, r.exif.order), 'EXIF');
  if (r.xmp) add(xmpSegment('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'), 'XMP');
  if (r.extendedXmp) add(extendedXmpSegment(), 'XMP');
  if (r.iptc) add(iptcSegment(), 'IPTC');
  for (const text of r.comments) add(commentSegment(text), 'comment');
  if (r.mpf) add(mpfSegment(), 'MPF');
  for (const n of r.otherApps) add(otherAppSegment(n), `APP${n}`);
  if (r.icc) {
    const chunkCount = Math.ceil(srgb.length / r.icc.chunkSize);
    for (const chunk of iccSegments(srgb, r.icc.chunkSize, order(chunkCount, r.icc.seed))) add(chunk);
  }
  let jpeg = afterSoi(await baseJpeg(r.photo, r.size, r.quality, r.progressive), segments);
  if (r.progressive && r.commentBetweenScans) {
    jpeg = betweenScans(jpeg, [commentSegment('between scans')]);
    dropped.add('comment');
  }
  if (r.trailing) {
    jpeg = Buffer.concat([jpeg, r.trailing]);
    dropped.add(`${r.trailing.length} bytes after the image`);
  }
  return { jpeg, dropped: [...dropped], orientation: r.exif?.orientation ?? 1 };
}

type Mutation =
  | { kind: 'flip'; edits: Array<{ at: number; byte: number }> }
  | { kind: 'truncate'; at: number }
  | { kind: 'length'; segment: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const position = fc.oneof(fc.integer({ min: 0, max: 700 }), fc.nat());
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), edits: fc.array(fc.record({ at: position, byte: fc.oneof(fc.constantFrom(0x00, 0xff, 0xd8, 0xd9, 0xda), fc.integer({ min: 0, max: 255 })) }), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), segment: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 0x7fff, 0xffff), fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => b.map((x) => (x > 200 ? 0xff : x))) }),
);

function mutate(jpeg: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(jpeg);
  switch (m.kind) {
    case 'flip':
      for (const { at, byte } of m.edits) out[at % out.length] = byte;
      return out;
    case 'truncate':
      return out.subarray(0, m.at % out.length);
    case 'length': {
      const { segments } = readJpegSegments(jpeg);
      const target = segments[m.segment % segments.length]!;
      if (target.length > 2) out.writeUInt16BE(m.value, target.offset + 2);
      return out;
    }
    case 'insert':
      return Buffer.concat([out.subarray(0, m.at % out.length), m.bytes, out.subarray(m.at % out.length)]);
  }
}

/**
 * The worker of test/support/jpeg-worker.ts, one input at a time, each under DEADLINE_MS. A hung
 * worker is replaced, so that shrinking runs each smaller case on a live one.
 */
function startWorker(): { run(input: Buffer): Promise<JpegOutcome>; stop(): Promise<number> } {
  const spawn = () => new Worker(join(__dirname, '..', 'support', 'jpeg-worker.ts'), { execArgv: ['--require', require.resolve('tsx/cjs')] });
  let worker = spawn();
  const ask = (input: Buffer) => new Promise<JpegOutcome>((resolve, reject) => {
    const onError = (error: Error) => { worker.off('message', onMessage); reject(error); };
    const onMessage = (outcome: JpegOutcome) => { worker.off('error', onError); resolve(outcome); };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(input);
  });
  const run = async (input: Buffer) => {
    try {
      return await withDeadline(ask(input), DEADLINE_MS, `the JPEG readers on ${input.length} bytes (${input.subarray(0, 48).toString('hex')}…)`);
    } catch (error) {
      await worker.terminate();
      worker = spawn();
      throw error;
    }
  };
  return { run, stop: () => worker.terminate() };
}

function checkOutcome(o: JpegOutcome): void {
  for (const [what, result] of [['readJpegSegments', o.read], ['jpegFacts', o.facts], ['stripMetadata', o.strip]]) {
    expect(['ok', 'JpegFormatError'], `${what} threw ${result}`).to.include(result);
  }
  expect(o.path).to.not.have.property('threw');
  if (o.read !== 'ok') expect(o.path).to.have.property('path', 'reencode');
  if ('reason' in o.path) expect(o.path.reason).to.be.a('string').and.not.equal('');
  if ('path' in o.path && o.path.path !== 'reencode') {
    expect(o.stripped?.path, 'a stripped copy is itself a copy').to.deep.equal({ path: 'copy' });
    expect(o.stripped?.idempotent).to.equal(true);
  }
}

describe('JPEG hi-res passthrough: generated JPEGs (property)', function () {
  this.timeout(0);
  let srgb: Buffer;
  let seeds: Buffer[];
  before(async () => {
    srgb = (await sharp(PHOTO.bee).metadata()).icc as Buffer;
    const rich = await build(fc.sample(recipe, { numRuns: 1, seed: 7 })[0]!, srgb);
    seeds = [await baseJpeg(PHOTO.bee, 40, 90, true), await baseJpeg(PHOTO.landscape, 24, 60, false),
      afterSoi(await baseJpeg(PHOTO.bridge, 16, 90, true), [exifSegment(1, 'MM'), ...iccSegments(srgb, 1000, [2, 0, 3, 1]), commentSegment('c')]), rich.jpeg];
  });

  it(`${RUNS} random metadata combinations: copy only when clean, orientation re-encoded, every strip lossless`, async () => {
    await fc.assert(fc.asyncProperty(recipe, async (r) => {
      const { jpeg, dropped, orientation } = await build(r, srgb);
      const path = hiResPath(jpeg);
      if (orientation !== 1) {
        expect(path).to.deep.equal({ path: 'reencode', reason: `EXIF orientation ${orientation} (needs rotating)` });
        return;
      }
      if (dropped.length === 0) expect(path).to.deep.equal({ path: 'copy' });
      else expect(path.path === 'strip' && [...path.dropped].sort()).to.deep.equal([...dropped].sort());
      await expectLosslessStrip(jpeg, stripMetadata(jpeg));
    }), { numRuns: RUNS, ...SEED });
  });

  it(`${HOSTILE_RUNS} mutated, truncated or re-lengthed JPEGs: no hang, only JpegFormatError, reencode for what does not parse`, async () => {
    const worker = startWorker();
    try {
      await fc.assert(fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
        checkOutcome(await worker.run(mutate(seeds[which % seeds.length]!, m)));
      }), { numRuns: HOSTILE_RUNS, ...SEED });
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (tail) => {
        checkOutcome(await worker.run(Buffer.concat([Buffer.from([0xff, 0xd8]), tail])));
      }), { numRuns: Math.ceil(HOSTILE_RUNS / 3), ...SEED });
    } finally {
      await worker.stop();
    }
  });
});
