import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as maplibregl from 'maplibre-gl';
import type { AdminUnitCollection, AdminUnitProperties, FindCollection, HazardCollection, Release } from './api';
import type { GeoJSON } from 'geojson';
import { collectionBounds, geometryBounds, hazardMarkers, releaseFeatures } from './hazard-geometry';
import { buildMapStyle, hazardLayerIds, layerIds, selectionFilter, sourceIds } from './map-style';
import { MapLegend } from './map-legend';
import { createMap } from './map-setup';
import { unitName } from './unit-name';

declare global {
  interface Window {
    /** The hazard map, for browser tests: set once the hazards are drawn and the map is idle. */
    clearwayMap?: maplibregl.Map;
  }
}

export interface HazardMapProps {
  basemapUrl: string | null;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  hazards: HazardCollection | null;
  /** EO finds of the official record, drawn as points. */
  finds: FindCollection | null;
  selectedRef: string | null;
  /** The selected hazard's releases, drawn over it once its details have arrived. */
  selectedReleases: Release[];
  /** A hazard to bring into view (from the search box); the nonce repeats a request for the same ref. */
  focus: { ref: string; nonce: number } | null;
  onSelectHazard: (ref: string) => void;
}

function setSourceData(map: maplibregl.Map, id: string, data: GeoJSON): void {
  const source = map.getSource<maplibregl.GeoJSONSource>(id);
  source?.setData(data);
}

export function HazardMap(props: HazardMapProps) {
  const { basemapUrl, provinces, districts, hazards, finds, selectedRef, selectedReleases, focus, onSelectHazard } = props;
  const { t, i18n } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [failed, setFailed] = useState(false);
  const [basemapUnavailable, setBasemapUnavailable] = useState(false);
  // Once the officer has moved the map, data arriving late must not move it back.
  const userMoved = useRef(false);

  // Handlers registered once on the map read the latest props and language through refs.
  const onSelectRef = useRef(onSelectHazard);
  const hoverText = useRef<(feature: maplibregl.MapGeoJSONFeature) => string>(() => '');
  useEffect(() => {
    onSelectRef.current = onSelectHazard;
    hoverText.current = (feature) => {
      if (feature.source === sourceIds.provinces) return unitName(feature.properties as AdminUnitProperties, i18n.language);
      const ref = String(feature.properties['ref'] ?? '');
      const type = String(feature.properties['type'] ?? '');
      const status = String(feature.properties['status'] ?? '');
      return `${ref} · ${t(`hazard.typeShort.${type}`, { defaultValue: type })} · ${t(`hazard.status.${status}`, { defaultValue: status })}`;
    };
  });

  useEffect(() => {
    if (!container.current) return undefined;
    const created = createMap(container.current, buildMapStyle(basemapUrl));
    if (!created) {
      // No WebGL: say so instead of showing an empty box.
      setFailed(true);
      return undefined;
    }

    const tooltip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'map-tooltip', offset: 10 });
    created.on('mousemove', (event) => {
      const hit =
        created.queryRenderedFeatures(event.point, { layers: hazardLayerIds })[0] ??
        created.queryRenderedFeatures(event.point, { layers: [layerIds.provinceFill] })[0];
      created.getCanvas().style.cursor = hit && hit.source !== sourceIds.provinces ? 'pointer' : '';
      if (!hit) {
        tooltip.remove();
        return;
      }
      tooltip.setLngLat(event.lngLat).setText(hoverText.current(hit)).addTo(created);
    });
    created.on('mouseout', () => tooltip.remove());
    created.on('click', (event) => {
      const hit = created.queryRenderedFeatures(event.point, { layers: hazardLayerIds })[0];
      const ref = hit?.properties['ref'];
      if (typeof ref === 'string') onSelectRef.current(ref);
    });
    let basemapTileLoaded = false;
    created.on('sourcedata', (event) => {
      if (event.sourceId === sourceIds.basemap && event.tile !== undefined) basemapTileLoaded = true;
    });
    created.on('error', (event) => {
      if ('sourceId' in event && event.sourceId === sourceIds.basemap) {
        // An office without internet simply gets no basemap tiles: say so once instead of logging every tile,
        // and draw the land opaque again so the map reads as well as the offline one.
        if (!basemapTileLoaded) {
          setBasemapUnavailable(true);
          created.setPaintProperty(layerIds.provinceFill, 'fill-opacity', 1);
        }
        return;
      }
      console.error(event.error);
    });
    created.on('movestart', (event) => {
      if (event.originalEvent) userMoved.current = true;
    });
    created.on('load', () => setMap(created));
    return () => {
      setMap(null);
      if (window.clearwayMap === created) delete window.clearwayMap;
      delete document.body.dataset['mapReady'];
      created.remove();
    };
  }, [basemapUrl]);

  useEffect(() => {
    if (!map || !provinces) return;
    setSourceData(map, sourceIds.provinces, provinces);
    const bounds = collectionBounds(provinces);
    if (bounds && !userMoved.current) map.fitBounds(bounds, { padding: 16, animate: false });
  }, [map, provinces]);

  useEffect(() => {
    if (map && districts) setSourceData(map, sourceIds.districts, districts);
  }, [map, districts]);

  useEffect(() => {
    if (!map || !hazards) return;
    setSourceData(map, sourceIds.hazards, hazards);
    setSourceData(map, sourceIds.hazardMarkers, hazardMarkers(hazards));
    // setData is processed by the worker; the next idle comes after the hazards are drawn.
    map.once('idle', () => {
      window.clearwayMap = map;
      document.body.dataset['mapReady'] = 'true';
    });
  }, [map, hazards]);

  useEffect(() => {
    if (map && finds) setSourceData(map, sourceIds.finds, finds);
  }, [map, finds]);

  useEffect(() => {
    if (!map) return;
    const filter = selectionFilter(selectedRef);
    map.setFilter(layerIds.selectedOutline, filter);
    map.setFilter(layerIds.selectedMarker, filter);
  }, [map, selectedRef]);

  useEffect(() => {
    if (map) setSourceData(map, sourceIds.selectedReleases, releaseFeatures(selectedReleases));
  }, [map, selectedReleases]);

  useEffect(() => {
    if (!map || !hazards || !focus) return;
    const feature = hazards.features.find((candidate) => candidate.properties.ref === focus.ref);
    const bounds = feature ? geometryBounds(feature.geometry) : null;
    if (bounds) map.fitBounds(bounds, { padding: 80, maxZoom: 15, duration: 600 });
  }, [map, hazards, focus]);

  return (
    <div className="hazard-map">
      <div
        ref={container}
        className="hazard-map__canvas"
        data-testid="hazard-map"
        role="region"
        aria-label={t('map.label')}
      />
      {failed ? <p className="hazard-map__failure">{t('map.noWebgl')}</p> : <MapLegend showReleases={selectedReleases.some((release) => release.geometry)} />}
      {basemapUnavailable && !failed ? (
        <p className="hazard-map__notice" role="status">
          {t('map.basemapUnavailable')}
        </p>
      ) : null}
    </div>
  );
}
