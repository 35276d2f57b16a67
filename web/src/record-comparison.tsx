import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { formatSquareMetres } from './format';
import type { ReviewItem, SubmissionKind } from './submission-api';

/** The attributes a reviewer reads first, in the exchange format's order; any others follow. */
const knownAttributes: Record<SubmissionKind, string[]> = {
  hazards: ['type', 'status', 'contamination', 'source', 'recorded_on', 'operator', 'village_code', 'notes', 'area_m2'],
  releases: ['hazard_ref', 'kind', 'method', 'operator', 'start_date', 'end_date', 'devices', 'area_m2'],
};
/** Internal keys that mean nothing to a reviewer (the ref is the item's title already). */
const hiddenAttributes = new Set(['ref', 'hazard_id']);

function isDevice(value: unknown): value is { category?: unknown; model?: unknown; quantity?: unknown } {
  return typeof value === 'object' && value !== null && 'quantity' in value;
}

export function attributeText(key: string, value: unknown, t: TFunction): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  if (key === 'area_m2' && typeof value === 'number') return `${formatSquareMetres(value)} ${t('units.m2')}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return t('common.none');
    return value.map((entry) => (isDevice(entry) ? `${String(entry.quantity)} × ${String(entry.model ?? entry.category ?? '')}` : String(entry))).join(', ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Both versions side by side: the official record as it is (before) and as the item would make it (after). */
export function RecordComparison({ item, kind }: { item: ReviewItem; kind: SubmissionKind }) {
  const { t } = useTranslation();
  const before = item.before?.attributes ?? null;
  const after = item.after.properties;
  // Fields the item leaves out keep the official value (the server lists them): never shown as emptied.
  const kept = new Set(item.kept ?? []);
  const present = new Set([...Object.keys(after), ...Object.keys(before ?? {})]);
  const keys = [
    ...knownAttributes[kind].filter((key) => present.has(key)),
    ...[...present].filter((key) => !knownAttributes[kind].includes(key)).sort(),
  ].filter((key) => !hiddenAttributes.has(key));

  return (
    <table className="report comparison" data-testid="record-comparison">
      <thead>
        <tr>
          <th scope="col">{t('review.attribute')}</th>
          <th scope="col">
            {t('review.before')}
            {item.before ? <span className="muted"> · {t('review.officialVersion', { ref: item.before.ref, version: item.before.version })}</span> : null}
          </th>
          <th scope="col">{t('review.after')}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const beforeText = before ? attributeText(key, before[key], t) : '';
          const given = key in after && !kept.has(key);
          const afterText = given ? attributeText(key, after[key], t) : '';
          // area_m2 is measured by Clearway, not sent: it is no change when the file lacks it. An explicit
          // null is given: it clears the field, and shows as a change.
          const changed = before !== null && given && beforeText !== afterText;
          return (
            <tr key={key} className={changed ? 'comparison__changed' : undefined} data-testid="comparison-row">
              <th scope="row">{t(`attributes.${key}`, { defaultValue: key })}</th>
              <td>{before ? beforeText : <span className="muted">{t('review.noOfficialRecord')}</span>}</td>
              <td>
                {given ? afterText : kept.has(key) ? <span className="muted" data-testid="comparison-kept">{beforeText} · {t('review.kept')}</span>
                  : <span className="muted">{key === 'area_m2' ? t('review.measuredOnApproval') : t('common.none')}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
