import { useTranslation } from 'react-i18next';
import { hazardColours, mapColours, releaseColours } from './map-style';

const statuses = ['open', 'in_progress', 'released'] as const;

const releaseKinds = ['cancelled', 'reduced', 'cleared'] as const;

export function MapLegend({ showReleases }: { showReleases: boolean }) {
  const { t } = useTranslation();
  return (
    <details className="map-legend" data-testid="map-legend" open>
      <summary className="map-legend__title">{t('legend.title')}</summary>
      <ul className="map-legend__list">
        {(['CHA', 'SHA'] as const).map((type) => (
          <li key={type}>
            <span className="swatch swatch--fill" style={{ background: hazardColours[type], borderColor: hazardColours[type] }} />
            {t(`hazard.type.${type}`)}
          </li>
        ))}
        {statuses.map((status) => (
          <li key={status}>
            <span className={`swatch swatch--status swatch--${status}`} />
            {t(`hazard.status.${status}`)}
          </li>
        ))}
        {showReleases
          ? releaseKinds.map((kind) => (
              <li key={kind}>
                <span className="swatch swatch--fill" style={{ background: releaseColours[kind], borderColor: releaseColours[kind] }} />
                {t(`legend.release.${kind}`)}
              </li>
            ))
          : null}
        <li>
          <span className="swatch swatch--line" style={{ borderColor: mapColours.provinceOutline }} />
          {t('legend.province')}
        </li>
        <li>
          <span className="swatch swatch--line swatch--thin" style={{ borderColor: mapColours.districtOutline }} />
          {t('legend.district')}
        </li>
      </ul>
    </details>
  );
}
