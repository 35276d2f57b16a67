import type { Language } from './i18n';

interface NamedUnit {
  name_en: string | null;
  name_km: string | null;
}

/** A unit's name in the reader's language, falling back to the other language rather than to nothing. */
export function unitName(unit: NamedUnit, language: Language | string): string {
  const preferred = language === 'km' ? unit.name_km : unit.name_en;
  const other = language === 'km' ? unit.name_en : unit.name_km;
  return preferred || other || '';
}
