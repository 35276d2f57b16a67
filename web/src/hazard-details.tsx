import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import type { HazardDetails as HazardDetailsData } from './api';
import { translateTerm } from './domain-terms';
import { formatDate, formatHectares, formatSquareMetres } from './format';
import { HazardHistory } from './hazard-history';
import { HazardReleases } from './hazard-releases';
import { LandReleaseAccountingSummary } from './land-release-accounting';
import { unitName } from './unit-name';
import type { Loaded } from './use-api';

function HazardFacts({ details }: { details: HazardDetailsData }) {
  const { t, i18n } = useTranslation();
  const { hazard } = details;
  const province = unitName({ name_en: hazard.province_name_en, name_km: hazard.province_name_km }, i18n.language);
  const district = unitName({ name_en: hazard.district_name_en, name_km: hazard.district_name_km }, i18n.language);
  const village = unitName({ name_en: hazard.village_name_en ?? null, name_km: hazard.village_name_km ?? null }, i18n.language);
  return (
    <dl className="facts">
      <dt>{t('hazard.typeLabel')}</dt>
      <dd>{t(`hazard.type.${hazard.type}`, { defaultValue: hazard.type })}</dd>
      <dt>{t('hazard.statusLabel')}</dt>
      <dd>{t(`hazard.status.${hazard.status}`, { defaultValue: hazard.status })}</dd>
      <dt>{t('hazard.contamination')}</dt>
      <dd>
        {hazard.contamination.length === 0
          ? t('common.none')
          : hazard.contamination.map((value) => translateTerm(t, 'contamination', value)).join(', ')}
      </dd>
      <dt>{t('hazard.province')}</dt>
      <dd>{province || (hazard.province_code ?? t('hazard.outsideProvince'))}</dd>
      <dt>{t('hazard.district')}</dt>
      <dd>{district || (hazard.district_code ?? t('common.none'))}</dd>
      {village || hazard.village_code ? (
        <>
          <dt>{t('hazard.village')}</dt>
          <dd>{village || hazard.village_code}</dd>
        </>
      ) : null}
      <dt>{t('hazard.area')}</dt>
      <dd>
        {formatSquareMetres(hazard.area_m2)} {t('units.m2')}{' '}
        <span className="muted">({formatHectares(hazard.area_m2)} {t('units.ha')})</span>
      </dd>
      <dt>{t('hazard.recordedOn')}</dt>
      <dd>{formatDate(hazard.recorded_on) || t('common.none')}</dd>
      <dt>{t('hazard.source')}</dt>
      <dd>{translateTerm(t, 'source', hazard.source)}</dd>
      <dt>{t('hazard.operator')}</dt>
      <dd>{hazard.operator ?? t('common.none')}</dd>
      {hazard.combined_into ? (
        <>
          <dt>{t('hazard.combinedInto')}</dt>
          <dd>{hazard.combined_into}</dd>
        </>
      ) : null}
      <dt>{t('hazard.version')}</dt>
      <dd>{hazard.version}</dd>
      {hazard.notes ? (
        <>
          <dt>{t('hazard.notes')}</dt>
          <dd className="facts__notes">{hazard.notes}</dd>
        </>
      ) : null}
    </dl>
  );
}

export interface HazardDetailsProps {
  hazardRef: string;
  details: Loaded<HazardDetailsData>;
  onClose: () => void;
}

export function HazardDetails({ hazardRef, details, onClose }: HazardDetailsProps) {
  const { t } = useTranslation();

  return (
    <section className="panel hazard-details" data-testid="hazard-details" aria-labelledby="hazard-details-title">
      <header className="panel__header">
        <div>
          <p className="panel__kicker">{t('details.kicker')}</p>
          <h2 id="hazard-details-title" className="panel__title" data-testid="hazard-ref">
            {hazardRef}
          </h2>
          {details.state === 'ready' ? (
            <p className="badges">
              <span className={`badge badge--${details.data.hazard.type.toLowerCase()}`}>
                {t(`hazard.typeShort.${details.data.hazard.type}`, { defaultValue: details.data.hazard.type })}
              </span>
              <span className={`badge badge--status badge--${details.data.hazard.status}`}>
                {t(`hazard.status.${details.data.hazard.status}`, { defaultValue: details.data.hazard.status })}
              </span>
            </p>
          ) : null}
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('details.close')} title={t('details.close')}>
          ×
        </button>
      </header>
      {details.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
      {details.state === 'failed' ? (
        <p className="error" role="alert">
          {details.error instanceof ApiError && details.error.status === 404
            ? t('details.notFound', { ref: hazardRef })
            : t('common.failed', { reason: details.error.message })}
        </p>
      ) : null}
      {details.state === 'ready' ? (
        <div className="panel__body">
          <HazardFacts details={details.data} />
          <h3 className="panel__section">{t('details.accounting')}</h3>
          <LandReleaseAccountingSummary accounting={details.data.accounting} />
          <h3 className="panel__section">
            {t('details.releases')} <span className="count">{details.data.releases.length}</span>
          </h3>
          <HazardReleases releases={details.data.releases} />
          <h3 className="panel__section">
            {t('details.history')} <span className="count">{details.data.history.length}</span>
          </h3>
          <HazardHistory history={details.data.history} />
        </div>
      ) : null}
    </section>
  );
}
