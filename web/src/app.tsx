import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchAdminUnits, fetchConfig, fetchHazardDetails, fetchHazards, fetchHealth } from './api';
import type { Release } from './api';
import { HazardDetails } from './hazard-details';
import { HazardMap } from './hazard-map';
import { HazardOverview } from './hazard-overview';
import { LandReleaseTable } from './land-release-table';
import { LanguageSwitch } from './language-switch';
import { useApi } from './use-api';

const noReleases: Release[] = [];

function DatabaseStatus() {
  const { t } = useTranslation();
  const health = useApi('health', (signal) => fetchHealth(signal));
  if (health.state === 'loading') return null;
  if (health.state === 'failed') return <span className="error">{t('status.unreachable')}</span>;
  const { engine, postgres, postgis } = health.data;
  return <span>{t('status.database', { engine: t(`status.engine.${engine}`, { defaultValue: engine }), postgres, postgis })}</span>;
}

export function App() {
  const { t } = useTranslation();
  const config = useApi('config', (signal) => fetchConfig(signal));
  const provinces = useApi('province', (signal) => fetchAdminUnits('province', signal));
  const districts = useApi('district', (signal) => fetchAdminUnits('district', signal));
  const hazards = useApi('hazards', (signal) => fetchHazards({ limit: 10000 }, signal));
  const [selectedRef, setSelectedRef] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ ref: string; nonce: number } | null>(null);
  // Loaded here rather than in the panel: the map draws the same hazard's releases.
  const details = useApi(selectedRef, (signal) => fetchHazardDetails(selectedRef ?? '', signal));
  const selectedReleases =
    details.state === 'ready' && details.data.hazard.ref === selectedRef ? details.data.releases : noReleases;

  const find = useCallback((ref: string) => {
    setSelectedRef(ref);
    setFocus((previous) => ({ ref, nonce: (previous?.nonce ?? 0) + 1 }));
  }, []);
  const close = useCallback(() => setSelectedRef(null), []);

  // The basemap is optional: if the config cannot be read, the map still works offline without it.
  const configReady = config.state !== 'loading';
  const basemapUrl = config.state === 'ready' ? config.data.basemapUrl : null;

  return (
    <div className="layout">
      <header className="topbar">
        <div className="topbar__brand">
          <span className="topbar__name">{t('app.name')}</span>
          <span className="topbar__tagline">{t('app.tagline')}</span>
        </div>
        <LanguageSwitch />
      </header>
      <main className="workspace">
        <div className="workspace__map">
          {configReady ? (
            <HazardMap
              basemapUrl={basemapUrl}
              provinces={provinces.state === 'ready' ? provinces.data : null}
              districts={districts.state === 'ready' ? districts.data : null}
              hazards={hazards.state === 'ready' ? hazards.data : null}
              selectedRef={selectedRef}
              selectedReleases={selectedReleases}
              focus={focus}
              onSelectHazard={setSelectedRef}
            />
          ) : null}
          {provinces.state === 'failed' ? (
            <p className="map-notice error" role="alert">
              {t('map.unitsFailed', { reason: provinces.error.message })}
            </p>
          ) : null}
        </div>
        <aside className="workspace__panel">
          {selectedRef === null ? (
            <HazardOverview hazards={hazards} onFind={find} />
          ) : (
            <HazardDetails hazardRef={selectedRef} details={details} onClose={close} />
          )}
        </aside>
        <div className="workspace__report">
          <LandReleaseTable provinces={provinces.state === 'ready' ? provinces.data : null} />
        </div>
      </main>
      <footer className="statusbar">
        <DatabaseStatus />
      </footer>
    </div>
  );
}
