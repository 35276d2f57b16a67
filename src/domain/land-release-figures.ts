// Land release figures as people read them: m2 with two decimals, each row balancing exactly
// (original = cancelled + reduced + cleared + remaining) and the total row the sum of the rows.

export interface ReleaseFigures {
  original_m2: number;
  cancelled_m2: number;
  reduced_m2: number;
  cleared_m2: number;
  remaining_m2: number;
}

export const REPORT_DIMENSIONS = ['province', 'district', 'operator', 'year', 'method', 'contamination'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

const toCents = (m2: number): number => Math.round(m2 * 100);

/**
 * Rounds a row to centi-m2 so that it balances exactly: remaining is what the rounded original leaves
 * after the rounded releases. Rounding can make that a cent below zero when everything was released;
 * the cent then comes off the largest release column, so remaining is never negative.
 */
export function balancedCents(raw: Omit<ReleaseFigures, 'remaining_m2'>): Record<keyof ReleaseFigures, number> {
  const cents = {
    original_m2: toCents(raw.original_m2),
    cancelled_m2: toCents(raw.cancelled_m2),
    reduced_m2: toCents(raw.reduced_m2),
    cleared_m2: toCents(raw.cleared_m2),
    remaining_m2: 0,
  };
  let remaining = cents.original_m2 - cents.cancelled_m2 - cents.reduced_m2 - cents.cleared_m2;
  while (remaining < 0) {
    const largest = (['cleared_m2', 'reduced_m2', 'cancelled_m2'] as const).reduce((a, b) => (cents[b] > cents[a] ? b : a));
    const take = Math.min(-remaining, cents[largest]);
    if (take === 0) break;
    cents[largest] -= take;
    remaining += take;
  }
  cents.remaining_m2 = Math.max(remaining, 0);
  return cents;
}

export const centsToM2 = (cents: number): number => cents / 100;

export function figuresFromCents(cents: Record<keyof ReleaseFigures, number>): ReleaseFigures {
  return {
    original_m2: centsToM2(cents.original_m2),
    cancelled_m2: centsToM2(cents.cancelled_m2),
    reduced_m2: centsToM2(cents.reduced_m2),
    cleared_m2: centsToM2(cents.cleared_m2),
    remaining_m2: centsToM2(cents.remaining_m2),
  };
}
