import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { HazardCollection, HazardStatus, HazardType } from './api';
import { formatCount, formatHectares } from './format';
import type { Loaded } from './use-api';

const types: HazardType[] = ['CHA', 'SHA'];
// Reopened land is work to do again: its own column, so the authority's judgement stays visible.
const statuses: HazardStatus[] = ['open', 'reopened', 'in_progress', 'released'];

function HazardCounts({ hazards }: { hazards: HazardCollection }) {
  const { t } = useTranslation();
  const counts = new Map<string, { count: number; m2: number }>();
  for (const { properties } of hazards.features) {
    const key = `${properties.type}:${properties.status}`;
    const entry = counts.get(key) ?? { count: 0, m2: 0 };
    entry.count += 1;
    entry.m2 += properties.area_m2;
    counts.set(key, entry);
  }
  return (
    <>
      <p data-testid="hazard-count">
        {t('overview.shown', { count: hazards.features.length, shown: formatCount(hazards.features.length) })}
        {hazards.total > hazards.features.length ? ` ${t('overview.ofTotal', { total: formatCount(hazards.total) })}` : ''}
      </p>
      <table className="figures figures--grid">
        <thead>
          <tr>
            <th scope="col" />
            {statuses.map((status) => (
              <th key={status} scope="col" className="number">
                {t(`hazard.status.${status}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {types.map((type) => (
            <tr key={type}>
              <th scope="row">{t(`hazard.typeShort.${type}`)}</th>
              {statuses.map((status) => {
                const entry = counts.get(`${type}:${status}`);
                return (
                  <td key={status} className="number">
                    {formatCount(entry?.count ?? 0)}
                    <span className="figures__sub">
                      {formatHectares(entry?.m2 ?? 0)} {t('units.ha')}
                    </span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export interface HazardOverviewProps {
  hazards: Loaded<HazardCollection>;
  onFind: (ref: string) => void;
}

/** What the side panel shows before a hazard is chosen: how much is on the map, and a way to find one by ref. */
export function HazardOverview({ hazards, onFind }: HazardOverviewProps) {
  const { t } = useTranslation();
  const [ref, setRef] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = ref.trim();
    if (wanted) onFind(wanted);
  };
  return (
    <section className="panel hazard-overview" data-testid="hazard-overview" aria-labelledby="hazard-overview-title">
      <header className="panel__header">
        <div>
          <p className="panel__kicker">{t('overview.kicker')}</p>
          <h2 id="hazard-overview-title" className="panel__title">
            {t('overview.title')}
          </h2>
        </div>
      </header>
      <div className="panel__body">
        {hazards.state === 'loading' ? <p className="muted">{t('common.loading')}</p> : null}
        {hazards.state === 'failed' ? (
          <p className="error" role="alert">
            {t('common.failed', { reason: hazards.error.message })}
          </p>
        ) : null}
        {hazards.state === 'ready' ? <HazardCounts hazards={hazards.data} /> : null}
        <p className="hint">{t('overview.hint')}</p>
        <form className="find" onSubmit={submit} role="search">
          <label htmlFor="find-hazard">{t('overview.findLabel')}</label>
          <div className="find__row">
            <input
              id="find-hazard"
              value={ref}
              onChange={(event) => setRef(event.target.value)}
              placeholder={t('overview.findPlaceholder')}
              autoComplete="off"
              spellCheck={false}
            />
            <button type="submit">{t('overview.find')}</button>
          </div>
        </form>
      </div>
    </section>
  );
}
