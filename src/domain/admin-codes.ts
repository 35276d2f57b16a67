// NCDD administrative codes: province 2 digits, district 4, commune 6, village 8. Sources pad them
// inconsistently (districts "000102", communes "10201"), so every code is normalised on the way in.

export type AdminLevel = 'province' | 'district' | 'commune' | 'village';

export const CODE_LENGTH: Record<AdminLevel, number> = { province: 2, district: 4, commune: 6, village: 8 };

/** Normalises a code of a known level; returns null when it cannot be one. */
export function normaliseAdminCode(raw: string | number, level: AdminLevel): string | null {
  const digits = String(raw).trim();
  if (!/^\d+$/.test(digits)) return null;
  const length = CODE_LENGTH[level];
  const stripped = digits.replace(/^0+/, '');
  if (stripped.length > length) return null;
  const code = stripped.padStart(length, '0');
  return code === '0'.repeat(length) ? null : code;
}

export function levelOfCode(code: string): AdminLevel | null {
  const entry = (Object.entries(CODE_LENGTH) as [AdminLevel, number][]).find(([, length]) => length === code.length);
  return entry && /^\d+$/.test(code) ? entry[0] : null;
}

export function parentCode(code: string): string | null {
  return code.length > 2 ? code.slice(0, code.length - 2) : null;
}

export const pcode = (code: string): string => `KH${code}`;
