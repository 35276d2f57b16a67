import type { TFunction } from 'i18next';

export type TermGroup = 'contamination' | 'source' | 'releaseKind' | 'releaseMethod' | 'deviceCategory';

/** "Mine detection dogs", "mine_detection_dogs" and "MDD" style values all map to one translation key. */
export function termKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** A value the API sends as a code or an English word, in the reader's language; unknown values show as sent. */
export function translateTerm(t: TFunction, group: TermGroup, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  return t(`terms.${group}.${termKey(value)}`, { defaultValue: value });
}
