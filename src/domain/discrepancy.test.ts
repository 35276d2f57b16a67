import { describe, expect, it } from 'vitest';
import { compareWithOfficialRecord, type OfficialRelease, type SubmittedItem } from './discrepancy.ts';

describe('explaining a difference', () => {
  const summaryRow = (month: string, kind: 'cleared' | 'reduced', m2: number) => ({ line: 2, province_code: '02', month, kind, released_m2: m2 });
  const release = (ref: string, month: string, area: number, counted: number): OfficialRelease => ({ ref, province_code: '02', month, kind: 'cleared', area_m2: area, counted_m2: counted, submission_id: null });
  const item = (ref: string, month: string, m2: number, state: SubmittedItem['state']): SubmittedItem => ({ ref, province_code: '02', month, kind: 'cleared', m2, submission_id: 7, state });
  const sumOf = (row: { explanations: { m2: number }[] }) => Math.round(row.explanations.reduce((s, e) => s + e.m2 * 100, 0));

  it('lists what makes the operator count more, then official-only, then what is left, summing to the difference', () => {
    const result = compareWithOfficialRecord(
      [summaryRow('2024-01', 'cleared', 1500), summaryRow('2024-02', 'cleared', 800), summaryRow('2024-03', 'cleared', 100.2)],
      [release('A', '2024-01', 1000, 900), release('B', '2024-02', 1000, 1000), release('C', '2024-03', 100, 100), release('OUT', '2024-05', 50, 50)],
      [item('P', '2024-01', 300, 'submitted'), item('D', '2024-01', 250, 'draft'), item('Q', '2024-02', 500, 'returned')],
    );
    expect(result.period).toEqual({ from: '2024-01', to: '2024-03' });
    expect(result.matching).toBe(1);
    expect(result.totals).toEqual({ operator_m2: 2400.2, official_m2: 2000, difference_m2: 400.2 });
    const [january, february] = result.rows;
    expect(january).toMatchObject({ month: '2024-01', operator_m2: 1500, official_m2: 900, difference_m2: 600 });
    expect(january!.explanations.map((e) => [e.reason, e.m2])).toEqual([['not-counted', 100], ['submitted-not-approved', 300], ['never-submitted', 250], ['unexplained', -50]]);
    expect(february!.explanations.map((e) => [e.reason, e.m2])).toEqual([['returned', 500], ['official-only', -700]]);
    for (const row of result.rows) expect(sumOf(row)).toBe(Math.round(row.difference_m2 * 100));
  });

  it('lets a cell the summary lacks be explained by the official record alone', () => {
    const result = compareWithOfficialRecord([summaryRow('2024-01', 'reduced', 10)], [release('A', '2024-01', 1000, 900)], [item('P', '2024-01', 300, 'submitted')]);
    const cleared = result.rows.find((r) => r.kind === 'cleared')!;
    expect(cleared).toMatchObject({ operator_m2: 0, official_m2: 900, difference_m2: -900 });
    expect(cleared.explanations).toEqual([{ reason: 'official-only', m2: -900, records: [{ ref: 'A', m2: 900 }], more: 0 }]);
  });

  it('lists at most 50 records per explanation and counts the rest', () => {
    const items = Array.from({ length: 60 }, (_, i) => item(`P-${i}`, '2024-01', 1, 'submitted'));
    const result = compareWithOfficialRecord([summaryRow('2024-01', 'cleared', 60)], [], items);
    expect(result.rows[0]!.explanations).toEqual([expect.objectContaining({ reason: 'submitted-not-approved', m2: 60, more: 10 })]);
    expect(result.rows[0]!.explanations[0]!.records).toHaveLength(50);
  });
});
