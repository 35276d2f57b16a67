import { describe, expect, it } from 'vitest';
import { balancedCents } from './land-release-figures.ts';

describe('report rows balance exactly', () => {
  it('derives remaining from the rounded figures', () => {
    const cents = balancedCents({ original_m2: 1000.005, cancelled_m2: 100.004, reduced_m2: 200.006, cleared_m2: 300.004 });
    expect(cents).toEqual({ original_m2: 100001, cancelled_m2: 10000, reduced_m2: 20001, cleared_m2: 30000, remaining_m2: 40000 });
  });

  it('never gives a negative remainder when everything was released', () => {
    const cents = balancedCents({ original_m2: 10.004, cancelled_m2: 3.335, reduced_m2: 3.335, cleared_m2: 3.334 });
    expect(cents.remaining_m2).toBe(0);
    expect(cents.cancelled_m2 + cents.reduced_m2 + cents.cleared_m2 + cents.remaining_m2).toBe(cents.original_m2);
  });
});
