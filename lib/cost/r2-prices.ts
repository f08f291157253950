/** R2 Standard's prices, free allowance and billing units (r2-facts.md §4; Cloudflare's docs/r2/pricing.mdx). */

/** List prices in dollars: per request (class A, class B) and per GB-month of Standard storage. */
export const R2_PRICES = { classA: 4.5 / 1e6, classB: 0.36 / 1e6, storageGbMonth: 0.015 } as const;

/** Included each calendar month (Standard storage only). */
export const R2_FREE_TIER = { classA: 1_000_000, classB: 10_000_000, storageGbMonths: 10 } as const;

/**
 * The units usage is rounded up to before billing. The pricing page prices operations "per million requests"
 * and storage "per GB-month" and says usage is rounded up to the next billing unit (1,000,001 operations are
 * billed as 2 million; 1.1 GB-month as 2), so the unit is a million requests and one GB-month.
 */
export const R2_BILLING_UNITS = { requests: 1_000_000, gbMonths: 1 } as const;

/** Decimal gigabytes, as R2 prices storage (GB, not GiB). */
export const BYTES_PER_GB = 1e9;
