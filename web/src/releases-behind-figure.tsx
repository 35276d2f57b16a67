import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { translateTerm } from './domain-terms';
import { formatCount, formatDate, formatSquareMetres } from './format';
import { ProblemMessage } from './problem-message';
import { fetchReleasesBehind } from './traceability-api';
import { useApi } from './use-api';

const pageSize = 50;

export interface ReleasesBehindFigureProps {
  unit: string;
  unitName: string;
  onClose: () => void;
}

/**
 * The land release activities counted in one row of the report, each with the file and the submission it came
 * from: a figure is only as good as what is behind it, and anyone can look.
 */
export function ReleasesBehindFigure({ unit, unitName, onClose }: ReleasesBehindFigureProps) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const releases = useApi(`behind:${unit}:${offset}`, (signal) => fetchReleasesBehind(unit, { limit: pageSize, offset }, signal));
  return (
    <section className="behind" data-testid="releases-behind" aria-labelledby="releases-behind-title">
      <header className="behind__header">
        <h3 id="releases-behind-title">{t('behind.title', { unit: unitName })}</h3>
        {releases.state === 'ready' ? <span className="muted">{t('behind.count', { count: releases.data.total, total: formatCount(releases.data.total) })}</span> : null}
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('behind.close')} title={t('behind.close')} data-testid="releases-behind-close">
          ×
        </button>
      </header>
      <p className="hint">{t('behind.explanation')}</p>
      {releases.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
      {releases.state === 'failed' ? <ProblemMessage error={releases.error} /> : null}
      {releases.state === 'ready' ? (
        <div className="table-scroll">
          <table className="report">
            <thead>
              <tr>
                <th scope="col">{t('behind.release')}</th>
                <th scope="col">{t('behind.hazard')}</th>
                <th scope="col">{t('releases.method')}</th>
                <th scope="col">{t('releases.operator')}</th>
                <th scope="col">{t('behind.endDate')}</th>
                <th scope="col" className="number">
                  {t('releases.counted')} <span className="unit">({t('units.m2')})</span>
                </th>
                <th scope="col">{t('behind.source')}</th>
              </tr>
            </thead>
            <tbody>
              {releases.data.items.map((release) => (
                <tr key={release.ref} data-testid="release-behind">
                  <th scope="row">
                    {release.ref} <span className={`tag tag--${release.kind.toLowerCase()}`}>{translateTerm(t, 'releaseKind', release.kind)}</span>
                  </th>
                  <td>{release.hazard_ref}</td>
                  <td>{translateTerm(t, 'releaseMethod', release.method)}</td>
                  <td>{release.operator ?? t('common.none')}</td>
                  <td className="nowrap">{formatDate(release.end_date) || t('common.none')}</td>
                  <td className="number">{formatSquareMetres(release.counted_m2)}</td>
                  <td>
                    {release.submission_id !== null
                      ? t('behind.fromSubmission', { id: release.submission_id })
                      : t('behind.fromImport', { file: release.batch_source ?? t('common.none') })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {releases.state === 'ready' && releases.data.total > pageSize ? (
        <div className="pager">
          <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
            {t('pager.previous')}
          </button>
          <span>
            {t('pager.range', {
              first: formatCount(offset + 1),
              last: formatCount(Math.min(offset + pageSize, releases.data.total)),
              total: formatCount(releases.data.total),
            })}
          </span>
          <button type="button" className="button" disabled={offset + pageSize >= releases.data.total} onClick={() => setOffset(offset + pageSize)}>
            {t('pager.next')}
          </button>
        </div>
      ) : null}
    </section>
  );
}
