import { useTranslation } from 'react-i18next';
import { translateTerm } from './domain-terms';
import { formatSquareMetres } from './format';
import type { DiscrepancyRow, Explanation } from './traceability-api';
import { unitName } from './unit-name';

/** A difference with its sign, so "the operator reports more" and "less" read apart at a glance. */
export function formatDifference(m2: number): string {
  const rounded = Math.round(m2);
  if (rounded === 0) return '0';
  return `${rounded > 0 ? '+' : '−'}${formatSquareMetres(Math.abs(rounded))}`;
}

function ExplanationList({ explanations }: { explanations: Explanation[] }) {
  const { t } = useTranslation();
  if (explanations.length === 0) return <span className="muted">{t('discrepancy.unexplained')}</span>;
  return (
    <ul className="explanations" data-testid="discrepancy-explanations">
      {explanations.map((explanation, index) => (
        <li key={`${explanation.reason}-${index}`}>
          <span>{t(`discrepancy.reason.${explanation.reason}`, { defaultValue: explanation.reason })}</span> <span className="muted">({formatDifference(explanation.m2)} {t('units.m2')})</span>
          {explanation.records.length > 0 ? (
            <span className="explanations__records">
              {explanation.records.map((record) => (
                <span key={record.ref} className="tag" title={record.state ?? undefined}>
                  {record.ref} · {formatSquareMetres(record.m2)} {t('units.m2')}
                  {record.submission_id ? ` · ${t('submission.title', { id: record.submission_id })}` : ''}
                  {record.state ? ` (${t(`submission.state.${record.state}`, { defaultValue: record.state })})` : ''}
                </span>
              ))}
              {explanation.more > 0 ? <span className="muted">{t('discrepancy.more', { count: explanation.more })}</span> : null}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** The cells (province, month, kind of release) where the operator's figure and the official one differ. */
export function DiscrepancyTable({ rows }: { rows: DiscrepancyRow[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="report" data-testid="discrepancy-table">
        <thead>
          <tr>
            <th scope="col">{t('landRelease.unit')}</th>
            <th scope="col">{t('discrepancy.month')}</th>
            <th scope="col">{t('discrepancy.kind')}</th>
            <th scope="col" className="number">
              {t('discrepancy.operator')} <span className="unit">({t('units.m2')})</span>
            </th>
            <th scope="col" className="number">
              {t('discrepancy.official')} <span className="unit">({t('units.m2')})</span>
            </th>
            <th scope="col" className="number">
              {t('discrepancy.difference')} <span className="unit">({t('units.m2')})</span>
            </th>
            <th scope="col">{t('discrepancy.explanations')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.province_code}-${row.month}-${row.kind}`} data-testid="discrepancy-row">
              <th scope="row">{unitName({ name_en: row.province_name_en, name_km: row.province_name_km }, i18n.language) || row.province_code}</th>
              <td className="nowrap">{row.month}</td>
              <td>{translateTerm(t, 'releaseKind', row.kind)}</td>
              <td className="number">{formatSquareMetres(row.operator_m2)}</td>
              <td className="number">{formatSquareMetres(row.official_m2)}</td>
              <td className="number">
                <strong>{formatDifference(row.difference_m2)}</strong>
              </td>
              <td>
                <ExplanationList explanations={row.explanations} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
