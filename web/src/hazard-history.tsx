import { useTranslation } from 'react-i18next';
import type { HazardVersion } from './api';
import { formatSquareMetres, formatTimestamp } from './format';

/** Every version of the official record, newest first: who changed it, when and why. */
export function HazardHistory({ history }: { history: HazardVersion[] }) {
  const { t, i18n } = useTranslation();
  if (history.length === 0) return <p className="muted">{t('history.none')}</p>;
  const newestFirst = [...history].sort((a, b) => b.version - a.version);
  return (
    <ol className="records" data-testid="hazard-history">
      {newestFirst.map((entry) => (
        <li key={entry.version} className="record" data-testid="hazard-version">
          <div className="record__head">
            <span className="record__ref">{t('history.version', { version: entry.version })}</span>
            <time className="muted" dateTime={entry.changed_at}>
              {formatTimestamp(entry.changed_at, i18n.language)}
            </time>
          </div>
          <dl className="facts facts--compact">
            {/* Who changed it and why are staff-only (the server's presenter leaves them out for the public). */}
            {entry.changed_by !== undefined ? (
              <>
                <dt>{t('history.who')}</dt>
                <dd>{entry.changed_by ?? t('common.none')}</dd>
                <dt>{t('history.why')}</dt>
                <dd>{entry.change_reason ?? t('common.none')}</dd>
              </>
            ) : null}
            <dt>{t('history.state')}</dt>
            <dd>
              {t(`hazard.typeShort.${entry.type}`, { defaultValue: entry.type })} ·{' '}
              {t(`hazard.status.${entry.status}`, { defaultValue: entry.status })} · {formatSquareMetres(entry.area_m2)}{' '}
              {t('units.m2')}
            </dd>
          </dl>
        </li>
      ))}
    </ol>
  );
}
