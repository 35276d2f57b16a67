import { describe, expect, it } from 'vitest';
import { checkSummaryHeaders, parseSummaryRows } from './operator-summary.ts';

const PROVINCES = [
  { code: '02', name_en: 'Battambang' },
  { code: '12', name_en: 'Phnom Penh Capital' },
  { code: '17', name_en: 'Siemreap' },
  { code: '24', name_en: 'Pailin' },
];

const row = (line: number, cells: Record<string, unknown>) => ({ line, cells });

describe('reading an operator summary', () => {
  it('takes provinces by code, P-code or English name, and months as text or date cells', () => {
    const parsed = parseSummaryRows([
      row(2, { province: '02', month: '2024-03', kind: 'cleared', released_m2: 10 }),
      row(3, { province: 'kh24', month: new Date(Date.UTC(2024, 3, 17)), kind: ' Reduced ', released_m2: '12.5' }),
      row(4, { province: 'Siem Reap', month: '2024-01', kind: 'CANCELLED', released_m2: 0 }),
      row(5, { province: 2, month: '2024-01', kind: 'cleared', released_m2: 1 }),
      row(6, { province: 'phnom penh', month: '2024-01', kind: 'cleared', released_m2: 1 }),
    ], PROVINCES);
    expect(parsed).toEqual({ ok: true, rows: [
      { line: 2, province_code: '02', month: '2024-03', kind: 'cleared', released_m2: 10 },
      { line: 3, province_code: '24', month: '2024-04', kind: 'reduced', released_m2: 12.5 },
      { line: 4, province_code: '17', month: '2024-01', kind: 'cancelled', released_m2: 0 },
      { line: 5, province_code: '02', month: '2024-01', kind: 'cleared', released_m2: 1 },
      { line: 6, province_code: '12', month: '2024-01', kind: 'cleared', released_m2: 1 },
    ] });
  });

  it('names the line, the field and the reason of every bad cell, and both lines of a repeated cell', () => {
    const parsed = parseSummaryRows([
      row(2, { province: 'Atlantis', month: '2024-13', kind: 'demined', released_m2: -4 }),
      row(3, { province: '26', month: '2024-1', kind: 'cleared', released_m2: '1,5' }),
      row(4, { province: 'Pailin', kind: 'cleared', released_m2: 3 }),
      row(5, { province: 'Pailin', month: '2024-02', kind: 'cleared', released_m2: 3 }),
      row(9, { province: 'KH24', month: '2024-02', kind: 'cleared', released_m2: 4 }),
    ], PROVINCES);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [2, 'province', 'summary.province-unknown'],
      [2, 'month', 'summary.month-invalid'],
      [2, 'kind', 'kind.unknown'],
      [2, 'released_m2', 'summary.area-invalid'],
      [3, 'province', 'summary.province-unknown'],
      [3, 'month', 'summary.month-invalid'],
      [3, 'released_m2', 'summary.area-invalid'],
      [4, 'month', 'field.required'],
      [9, 'province, month, kind', 'summary.duplicate'],
    ]);
    expect(parsed.problems[1]!.reason).toContain('months run from 01 to 12');
    expect(parsed.problems[3]!.reason).toContain('negative');
    expect(parsed.problems[8]!.reason).toContain('lines 5 and 9');
  });

  it('wants the four columns in the header, in any case', () => {
    expect(checkSummaryHeaders([' Province', 'MONTH', 'Kind', 'Released_m2', 'notes'], 1)).toEqual([]);
    expect(checkSummaryHeaders(['provinz', 'month', 'kind', 'released_m2'], 1)).toEqual([
      expect.objectContaining({ code: 'summary.columns', line: 1, field: 'province' }),
    ]);
  });
});
