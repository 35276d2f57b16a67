import { useTranslation } from 'react-i18next';
import type { Device, Release } from './api';
import { translateTerm } from './domain-terms';
import { formatCount, formatDate, formatSquareMetres } from './format';

function DeviceList({ devices }: { devices: Device[] }) {
  const { t } = useTranslation();
  if (devices.length === 0) return <span className="muted">{t('releases.noDevices')}</span>;
  return (
    <ul className="devices">
      {devices.map((device, index) => (
        <li key={`${device.category}-${device.model ?? ''}-${index}`}>
          <span className="devices__quantity">{formatCount(device.quantity)} ×</span>{' '}
          {device.model ? <strong>{device.model}</strong> : null}{' '}
          <span className="muted">({translateTerm(t, 'deviceCategory', device.category)})</span>
        </li>
      ))}
    </ul>
  );
}

/** The land release activities on one hazard, newest last as they happened. */
export function HazardReleases({ releases }: { releases: Release[] }) {
  const { t } = useTranslation();
  if (releases.length === 0) return <p className="muted">{t('releases.none')}</p>;
  return (
    <ol className="records" data-testid="hazard-releases">
      {releases.map((release) => (
        <li key={release.ref} className="record" data-testid="hazard-release">
          <div className="record__head">
            <span className="record__ref">{release.ref}</span>
            <span className={`tag tag--${release.kind.toLowerCase()}`}>{translateTerm(t, 'releaseKind', release.kind)}</span>
          </div>
          <dl className="facts facts--compact">
            <dt>{t('releases.method')}</dt>
            <dd>{translateTerm(t, 'releaseMethod', release.method)}</dd>
            <dt>{t('releases.operator')}</dt>
            <dd>{release.operator ?? t('common.none')}</dd>
            <dt>{t('releases.dates')}</dt>
            <dd>
              {t('releases.dateRange', {
                start: formatDate(release.start_date) || '…',
                end: formatDate(release.end_date) || '…',
              })}
            </dd>
            <dt>{t('releases.counted')}</dt>
            <dd>
              {formatSquareMetres(release.counted_m2)} {t('units.m2')}
              <span className="muted">
                {' '}
                {t('releases.ofArea', { area: formatSquareMetres(release.area_m2) })}
                {release.outside_m2 > 0 ? `, ${t('releases.outside', { area: formatSquareMetres(release.outside_m2) })}` : ''}
              </span>
            </dd>
            <dt>{t('releases.devices')}</dt>
            <dd>
              <DeviceList devices={release.devices} />
            </dd>
          </dl>
        </li>
      ))}
    </ol>
  );
}
