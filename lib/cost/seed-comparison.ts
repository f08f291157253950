/**
 * The seed's estimate (~$1.21/month for 30,000 images) beside this bucket's own figures. Storage is scaled
 * per image to 30,000 images; operations are not: a deploy sends what changed plus ⌈N/1000⌉ list pages and
 * a few records, so they follow the month's changes, and × 30,000/N would multiply every fixed request
 * (a first upload, a no-change run's listing) into thousands. Both at list price, as the seed's estimate was.
 */
import type { MonthCost } from './cost-model';
import { BYTES_PER_GB, R2_PRICES } from './r2-prices';

/** The seed's figures: ~1 MB an image, ~3 build operations an image a month, ~1M public reads a month. */
export const SEED_ESTIMATE = {
  images: 30_000,
  storageGb: 30, storageUsd: 0.45,
  buildOps: 90_000, buildOpsUsd: 0.40,
  reads: 1_000_000, readsUsd: 0.36,
  totalUsd: 1.21,
} as const;

export interface ScaledFigures {
  /** Image objects the newest listing counted, and all stored bytes (images, archive, records) per image. */
  readonly measuredImages: number;
  readonly bytesPerImage: number;
  /** The month the operations come from: the newest past month with runs, else this month's projection. */
  readonly opsMonth: string;
  readonly opsProjected: boolean;
  readonly storageGb: number;
  readonly storageUsd: number;
  readonly classA: number;
  readonly classAUsd: number;
  /** The tool's own HEADs and GETs: not the public's reads, which the CDN serves out of sight. */
  readonly classB: number;
  readonly classBUsd: number;
  readonly totalUsd: number;
}

export interface SeedComparison {
  readonly seed: typeof SEED_ESTIMATE;
  /** Null when no listing has measured the bucket (or it holds no images): nothing to scale from. */
  readonly scaled: ScaledFigures | null;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** This bucket's storage per image × 30,000 and its operations as measured, beside the seed's. */
export function seedComparison(pastMonths: readonly MonthCost[], projection: MonthCost): SeedComparison {
  const storage = projection.storage;
  if (!storage || storage.imageCount === 0) return { seed: SEED_ESTIMATE, scaled: null };
  const past = [...pastMonths].reverse().find((m) => m.runs > 0);
  const basis = past ?? projection;
  const perImage = SEED_ESTIMATE.images / storage.imageCount;
  const storageGb = storage.total * perImage;
  const classA = basis.operations.classA;
  const classB = basis.operations.classB;
  const storageUsd = storageGb * R2_PRICES.storageGbMonth;
  const classAUsd = classA * R2_PRICES.classA;
  const classBUsd = classB * R2_PRICES.classB;
  return {
    seed: SEED_ESTIMATE,
    scaled: {
      measuredImages: storage.imageCount, bytesPerImage: (storage.total * BYTES_PER_GB) / storage.imageCount,
      opsMonth: basis.month, opsProjected: past === undefined,
      storageGb, storageUsd, classA, classAUsd, classB, classBUsd, totalUsd: round(storageUsd + classAUsd + classBUsd),
    },
  };
}
