import { describe, expect, it } from 'vitest';
import { hazardKind } from '../kinds/hazard.ts';
import { releaseKind } from '../kinds/release.ts';
import { decideItems, reconciliationProblems, retiredTargets, writtenTarget } from './reconciliation.ts';

const items = [{ idx: 0, ref: 'A' }, { idx: 1, ref: 'B' }, { idx: 2, ref: null }];

describe('reconciliation', () => {
  it('updates by default the record whose ref an item has, at the version the file was checked against', () => {
    const decided = decideItems(items, { A: 3 }, {});
    expect(decided.get(0)).toEqual({ action: 'update', targets: [{ ref: 'A', version: 3 }], chosen: 'default' });
    expect(decided.get(1)).toEqual({ action: 'new', targets: [], chosen: 'default' });
    expect(decided.get(2)).toEqual({ action: 'new', targets: [], chosen: 'default' });
  });

  it('takes the reviewer\'s choice over the default', () => {
    const decided = decideItems(items, { A: 3 }, { '1': { action: 'update', targets: [{ ref: 'C', version: 1 }] } });
    expect(decided.get(1)).toEqual({ action: 'update', targets: [{ ref: 'C', version: 1 }], chosen: 'reviewer' });
  });

  it('refuses a record targeted twice, a combine of one, a combine of releases and an update of none', () => {
    const decided = new Map([
      [0, { action: 'update' as const, targets: [{ ref: 'A', version: 1 }] }],
      [1, { action: 'combine' as const, targets: [{ ref: 'A', version: 1 }, { ref: 'A', version: 1 }] }],
      [2, { action: 'update' as const, targets: [] }],
    ]);
    expect(reconciliationProblems(hazardKind, items, decided).map((p) => [p.item, p.reason])).toEqual([
      [1, 'a combine replaces two or more official hazards'],
      [1, 'A is already the target of item 0'],
      [2, 'an update names exactly one official record (0 given)'],
    ]);
    const releases = new Map([[0, { action: 'combine' as const, targets: [{ ref: 'R1', version: 1 }, { ref: 'R2', version: 1 }] }]]);
    expect(reconciliationProblems(releaseKind, items, releases)[0]!.reason).toContain('only hazards can be combined');
  });

  it('keeps the combined hazard that has the item\'s ref and retires the others, or makes a new one', () => {
    const combine = { action: 'combine' as const, targets: [{ ref: 'A', version: 1 }, { ref: 'X', version: 2 }] };
    expect(writtenTarget({ idx: 0, ref: 'A' }, combine)).toBe('A');
    expect(retiredTargets({ idx: 0, ref: 'A' }, combine)).toEqual(['X']);
    expect(writtenTarget({ idx: 1, ref: 'NEW' }, combine)).toBeNull();
    expect(retiredTargets({ idx: 1, ref: 'NEW' }, combine)).toEqual(['A', 'X']);
  });
});
