import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchLandReleaseByProvince } from './api';
import type { AdminUnitCollection, LandReleaseAccounting, LandReleaseRow } from './api';
import { formatSquareMetres } from './format';
import { ReleasesBehindFigure } from './releases-behind-figure';
import { unitName } from './unit-name';
import { useApi } from './use-api';

const columns = ['original', 'cancelled', 'reduced', 'cleared', 'remaining'] as const;

const unassigned = 'unassigned';

function hasArea(figures: LandReleaseAccounting): boolean {
  return columns.some((column) => figures[`${column}_m2`] > 0);
}

function releasedShare(figures: LandReleaseAccounting): string {
  if (figures.original_m2 <= 0) return '–';
  const released = figures.cancelled_m2 + figures.reduced_m2 + figures.cleared_m2;
  return `${((released / figures.original_m2) * 100).toFixed(1)}%`;
}

/** The figures of one row; with onTrace each figure opens the releases behind it. */
function Figures({ figures, onTrace, traceLabel }: { figures: LandReleaseAccounting; onTrace?: () => void; traceLabel?: string }) {
  return (
    <>
      {columns.map((column) => (
        <td key={column} className="number">
          {onTrace ? (
            <button type="button" className="figure-button" onClick={onTrace} title={traceLabel} data-testid={`figure-${column}`}>
              {formatSquareMetres(figures[`${column}_m2`])}
            </button>
          ) : (
            formatSquareMetres(figures[`${column}_m2`])
          )}
        </td>
      ))}
      <td className="number muted">{releasedShare(figures)}</td>
    </>
  );
}

export interface LandReleaseTableProps {
  provinces: AdminUnitCollection | null;
}

/** Land release by province: how each province's hazard area has left (or not yet left) the hazard list. */
export function LandReleaseTable({ provinces }: LandReleaseTableProps) {
  const { t, i18n } = useTranslation();
  const report = useApi('province', (signal) => fetchLandReleaseByProvince(signal));
  // Most provinces have no hazard area left: listing them all as rows of zeros buries the ones that do.
  const [showEmpty, setShowEmpty] = useState(false);
  const [traced, setTraced] = useState<LandReleaseRow | null>(null);

  // Reports may name units in English only; the admin units give us the Khmer name for the same code.
  const provinceByCode = useMemo(() => {
    const byCode = new Map<string, { name_en: string; name_km: string }>();
    for (const { properties } of provinces?.features ?? []) {
      byCode.set(properties.code, properties);
      byCode.set(properties.pcode, properties);
    }
    return byCode;
  }, [provinces]);

  const rowName = (row: LandReleaseRow): string => {
    if (row.unit_code === unassigned) return t('landRelease.unassigned');
    const province = provinceByCode.get(row.unit_code);
    const names = { name_en: row.unit_name, name_km: row.unit_name_km ?? province?.name_km ?? null };
    return unitName(names, i18n.language);
  };

  return (
    <section className="land-release" aria-labelledby="land-release-title">
      <header className="land-release__header">
        <h2 id="land-release-title">{t('landRelease.title')}</h2>
        <p className="muted">{t('landRelease.explanation')}</p>
      </header>
      {report.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
      {report.state === 'failed' ? (
        <p className="error" role="alert">
          {t('common.failed', { reason: report.error.message })}
        </p>
      ) : null}
      <div className="table-scroll">
        <table className="report" data-testid="land-release-table">
          <thead>
            <tr>
              <th scope="col">{t('landRelease.unit')}</th>
              {columns.map((column) => (
                <th key={column} scope="col" className="number">
                  {t(`accounting.${column}`)} <span className="unit">({t('units.m2')})</span>
                </th>
              ))}
              <th scope="col" className="number">
                {t('landRelease.releasedShare')}
              </th>
            </tr>
          </thead>
          {report.state === 'ready' ? (
            <>
              <tbody>
                {report.data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={columns.length + 2} className="muted">
                      {t('landRelease.empty')}
                    </td>
                  </tr>
                ) : null}
                {report.data.rows.filter((row) => showEmpty || hasArea(row)).map((row) => (
                  <tr key={row.unit_code} data-testid="land-release-row" className={row.unit_code === unassigned ? 'report__unassigned' : undefined}>
                    <th scope="row">{rowName(row)}</th>
                    <Figures figures={row} onTrace={() => setTraced(row)} traceLabel={t('behind.open', { unit: rowName(row) })} />
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr data-testid="land-release-total">
                  <th scope="row">{t('landRelease.total')}</th>
                  <Figures figures={report.data.total} />
                </tr>
              </tfoot>
            </>
          ) : null}
        </table>
      </div>
      {traced ? <ReleasesBehindFigure key={traced.unit_code} unit={traced.unit_code} unitName={rowName(traced)} onClose={() => setTraced(null)} /> : null}
      {report.state === 'ready' && report.data.rows.some((row) => !hasArea(row)) ? (
        <button type="button" className="link-button" onClick={() => setShowEmpty((shown) => !shown)} data-testid="land-release-show-empty">
          {showEmpty
            ? t('landRelease.hideEmpty')
            : t('landRelease.showEmpty', { count: report.data.rows.filter((row) => !hasArea(row)).length })}
        </button>
      ) : null}
    </section>
  );
}
