/**
 * sharp, one pipeline per output: each variant is rendered from the source bytes exactly as
 * `sharp(src).resize(w, h, { fit, withoutEnlargement: true }).jpeg(options)` renders it (shrink-on-load
 * included), so a bucket filled by such a loop with the same sharp is matched byte for byte. A `source`
 * size is the source itself where it can be (hi-res-source.ts).
 */
import { publishSource } from './hi-res-source';
import { decodeSource, finish, renderDecodeOnce, type RenderedVariant, type SourceInfo } from './sharp-adapter';
import type { VariantSpec } from './variants';

async function renderBox(input: Buffer, info: SourceInfo, v: VariantSpec, maxPixels: number): Promise<RenderedVariant> {
  // The recipe's box as the user wrote it: sharp rounds an `inside` fit from the box, not from our planned size.
  const fillsBox = v.fit === 'inside' || (info.width >= v.box.width && info.height >= v.box.height);
  const [width, height] = fillsBox ? [v.box.width, v.box.height] : [v.width, v.height];
  const resized = decodeSource(input, info, maxPixels).resize(width, height, { fit: v.fit === 'cover' ? 'cover' : 'inside', withoutEnlargement: true });
  const { data, info: out } = await finish(resized, info, v);
  return { variant: v, data, width: out.width, height: out.height };
}

/** Renders `variants` of one source by the variants' pipeline; `source` sizes always by hi-res-source.ts. */
export async function renderVariants(input: Buffer, info: SourceInfo, variants: readonly VariantSpec[], maxPixels: number): Promise<RenderedVariant[]> {
  const sources = variants.filter((v) => v.fit === 'source');
  const boxes = variants.filter((v) => v.fit !== 'source');
  const decodeOnce = boxes.filter((v) => v.pipeline === 'decode-once');
  const perOutput = boxes.filter((v) => v.pipeline !== 'decode-once');
  const rendered = await Promise.all([
    ...sources.map((v) => publishSource(input, info, v, maxPixels)),
    ...perOutput.map((v) => renderBox(input, info, v, maxPixels)),
    renderDecodeOnce(input, info, decodeOnce, maxPixels),
  ]);
  return rendered.flat();
}
