/** What a month's usage costs at R2 Standard's list price, and what R2 bills after the free allowance. */
import { R2_BILLING_UNITS, R2_FREE_TIER, R2_PRICES } from './r2-prices';

export interface Usage {
  readonly classA: number;
  readonly classB: number;
  readonly gbMonths: number;
}

export interface Dollars {
  readonly storage: number;
  readonly classA: number;
  readonly classB: number;
  readonly total: number;
}

function dollars(storage: number, classA: number, classB: number): Dollars {
  return { storage, classA, classB, total: storage + classA + classB };
}

/** Every unit at list price, nothing included, not rounded: the figure the seed's estimate and RunRecord.costUsd use. */
export function listPrice(usage: Usage): Dollars {
  return dollars(usage.gbMonths * R2_PRICES.storageGbMonth, usage.classA * R2_PRICES.classA, usage.classB * R2_PRICES.classB);
}

/** Usage rounded up to whole billing units, less the (whole-unit) allowance, never below zero. */
export function billable(quantity: number, free: number, unit: number): number {
  // The epsilon keeps float dust (10.000000000000002 GB-month from summed bytes) from costing a whole unit.
  const units = Math.ceil(quantity / unit - 1e-9);
  return Math.max(0, units * unit - free);
}

/** The bill: usage over the monthly free allowance, rounded up to the billing unit as R2 does. */
export function billAfterAllowance(usage: Usage): Dollars {
  return listPrice({
    classA: billable(usage.classA, R2_FREE_TIER.classA, R2_BILLING_UNITS.requests),
    classB: billable(usage.classB, R2_FREE_TIER.classB, R2_BILLING_UNITS.requests),
    gbMonths: billable(usage.gbMonths, R2_FREE_TIER.storageGbMonths, R2_BILLING_UNITS.gbMonths),
  });
}
