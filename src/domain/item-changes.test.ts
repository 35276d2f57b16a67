import { describe, expect, it } from 'vitest';
import { itemChanges } from './item-changes.ts';

describe('what an update item changes', () => {
  const before = { kind: 'cleared', method: 'manual', operator: 'HALO', devices: [{ category: 'AP', model: 'PMN-2', quantity: 3 }], start_date: '2019-03-01' };

  it('shows an explicit null as a change that clears the field, and lists left-out fields as kept', () => {
    const { changes, kept } = itemChanges(['ref', 'kind', 'method', 'operator', 'devices', 'start_date'], before, { ref: 'LR-1', devices: null, method: 'manual', start_date: '' });
    expect(changes).toEqual([{ field: 'devices', before: before.devices, after: null }]);
    expect(kept).toEqual(['kind', 'operator', 'start_date']);
  });

  it('takes a CSV cell and a number, or an empty list and none, as the same value', () => {
    expect(itemChanges(['quantity', 'devices'], { quantity: 3, devices: [] }, { quantity: '3', devices: [] }).changes).toEqual([]);
    expect(itemChanges(['quantity'], { quantity: 3 }, { quantity: 4 }).changes).toEqual([{ field: 'quantity', before: 3, after: 4 }]);
  });
});
