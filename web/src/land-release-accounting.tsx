import { useTranslation } from 'react-i18next';
import type { LandReleaseAccounting } from './api';
import { formatHectares, formatSquareMetres } from './format';

const parts = ['cancelled', 'reduced', 'cleared', 'remaining'] as const;

/** One hazard's land release: original = cancelled + reduced + cleared + remaining, as figures and as a bar. */
export function LandReleaseAccountingSummary({ accounting }: { accounting: LandReleaseAccounting }) {
  const { t } = useTranslation();
  const original = accounting.original_m2;
  return (
    <div className="accounting" data-testid="hazard-accounting">
      <div className="accounting__bar" role="img" aria-label={t('accounting.barLabel')}>
        {parts.map((part) => {
          const m2 = accounting[`${part}_m2`];
          const share = original > 0 ? (m2 / original) * 100 : 0;
          return share > 0 ? (
            <span key={part} className={`accounting__segment accounting__segment--${part}`} style={{ width: `${share}%` }} />
          ) : null;
        })}
      </div>
      <table className="figures">
        <tbody>
          <tr className="figures__lead">
            <th scope="row">{t('accounting.original')}</th>
            <td className="number">{formatSquareMetres(original)} {t('units.m2')}</td>
            <td className="number muted">{formatHectares(original)} {t('units.ha')}</td>
          </tr>
          {parts.map((part) => {
            const m2 = accounting[`${part}_m2`];
            return (
              <tr key={part}>
                <th scope="row">
                  <span className={`key key--${part}`} />
                  {t(`accounting.${part}`)}
                </th>
                <td className="number">{formatSquareMetres(m2)} {t('units.m2')}</td>
                <td className="number muted">{formatHectares(m2)} {t('units.ha')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
