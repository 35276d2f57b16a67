import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchFinds, fetchHazardDetails, fetchHazards } from './api';
import type { AdminUnitCollection, Release } from './api';
import { HazardDetails } from './hazard-details';
import { HazardMap } from './hazard-map';
import { HazardOverview } from './hazard-overview';
import { LandReleaseTable } from './land-release-table';
import type { Loaded } from './use-api';
import { useApi } from './use-api';

const noReleases: Release[] = [];

export interface MapViewProps {
  /** Undefined while the config is still on its way: the map waits for it, so it is made once. */
  basemapUrl: string | null | undefined;
  provinces: Loaded<AdminUnitCollection>;
  districts: Loaded<AdminUnitCollection>;
}

/**
 * The published official record: the map, a hazard's details, and land release by province. The hazards and the
 * report are asked for each time the view opens, so an approval made in another view shows at once.
 */
export function MapView({ basemapUrl, provinces, districts }: MapViewProps) {
  const { t } = useTranslation();
  const hazards = useApi('hazards', (signal) => fetchHazards({}, signal));
  const finds = useApi('finds', (signal) => fetchFinds(signal));
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
  const provinceUnits = provinces.state === 'ready' ? provinces.data : null;

  return (
    <main className="workspace">
      <div className="workspace__map">
        {basemapUrl !== undefined ? (
          <HazardMap
            basemapUrl={basemapUrl}
            provinces={provinceUnits}
            districts={districts.state === 'ready' ? districts.data : null}
            hazards={hazards.state === 'ready' ? hazards.data : null}
            finds={finds.state === 'ready' ? finds.data : null}
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
        <LandReleaseTable provinces={provinceUnits} />
      </div>
    </main>
  );
}
