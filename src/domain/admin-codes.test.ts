import { describe, expect, it } from 'vitest';
import { levelOfCode, normaliseAdminCode, pcode } from './admin-codes.ts';

describe('NCDD codes', () => {
  it('normalises the padding the sources use', () => {
    expect(normaliseAdminCode('000102', 'district')).toBe('0102');
    expect(normaliseAdminCode('10201', 'commune')).toBe('010201');
    expect(normaliseAdminCode(1, 'province')).toBe('01');
    expect(normaliseAdminCode('01020101', 'village')).toBe('01020101');
  });

  it('refuses what cannot be a code of that level', () => {
    expect(normaliseAdminCode('123456789', 'village')).toBeNull();
    expect(normaliseAdminCode('0000', 'district')).toBeNull();
    expect(normaliseAdminCode('12a', 'province')).toBeNull();
  });

  it('tells the level from the length and makes P-codes', () => {
    expect(levelOfCode('0102')).toBe('district');
    expect(levelOfCode('123')).toBeNull();
    expect(pcode('24')).toBe('KH24');
  });
});
