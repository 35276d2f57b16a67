import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type * as maplibregl from 'maplibre-gl';
import type { AdminUnitCollection } from './api';
import { collectionBounds, geometryBounds } from './hazard-geometry';
import type { Bounds } from './hazard-geometry';
import { createMap } from './map-setup';
import { layerIds, sourceIds } from './map-style';
import { reviewFeatures } from './review-geometry';
import { buildReviewMapStyle, itemFilter, reviewColours, reviewItemLayerIds, reviewLayerIds, reviewSourceIds } from './review-map-style';
import type { ReviewItem } from './submission-api';

declare global {
  interface Window {
    /** The review map, for browser tests: set once the items are drawn and the map is idle. */
    clearwayReviewMap?: maplibregl.Map;
  }
}

function joinBounds(all: (Bounds | null)[]): Bounds | null {
  let joined: Bounds | null = null;
  for (const bounds of all) {
    if (!bounds) continue;
    joined = joined
      ? [Math.min(joined[0], bounds[0]), Math.min(joined[1], bounds[1]), Math.max(joined[2], bounds[2]), Math.max(joined[3], bounds[3])]
      : bounds;
  }
  return joined;
}

/** Where to look for one item: what was sent, what it would replace, and what it overlaps. */
function itemBounds(item: ReviewItem): Bounds | null {
  return joinBounds([
    item.after.geometry ? geometryBounds(item.after.geometry) : null,
    item.before?.geometry ? geometryBounds(item.before.geometry) : null,
    ...item.overlaps.map((overlap) => (overlap.geometry ? geometryBounds(overlap.geometry) : null)),
  ]);
}

function ReviewMapLegend() {
  const { t } = useTranslation();
  const entries = [
    { key: 'after', colour: reviewColours.after, className: 'swatch swatch--fill' },
    { key: 'before', colour: reviewColours.before, className: 'swatch swatch--fill swatch--dashed' },
    { key: 'overlap', colour: reviewColours.overlap, className: 'swatch swatch--fill' },
    { key: 'selected', colour: reviewColours.selected, className: 'swatch swatch--outline' },
  ] as const;
  return (
    <details className="map-legend" data-testid="review-map-legend" open>
      <summary className="map-legend__title">{t('legend.title')}</summary>
      <ul className="map-legend__list">
        {entries.map(({ key, colour, className }) => (
          <li key={key}>
            <span className={className} style={{ background: key === 'selected' ? 'transparent' : colour, borderColor: colour }} />
            {t(`review.legend.${key}`)}
          </li>
        ))}
      </ul>
    </details>
  );
}

export interface ReviewMapProps {
  basemapUrl: string | null;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  items: ReviewItem[];
  selectedItem: number | null;
  onSelectItem: (item: number) => void;
}

/** The map diff of a submission: each item as sent, the official record it would change, the hazards it overlaps. */
export function ReviewMap({ basemapUrl, provinces, districts, items, selectedItem, onSelectItem }: ReviewMapProps) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [failed, setFailed] = useState(false);
  const onSelectRef = useRef(onSelectItem);
  useEffect(() => {
    onSelectRef.current = onSelectItem;
  });

  useEffect(() => {
    if (!container.current) return undefined;
    const created = createMap(container.current, buildReviewMapStyle(basemapUrl));
    if (!created) {
      setFailed(true);
      return undefined;
    }
    created.on('click', (event) => {
      const item = created.queryRenderedFeatures(event.point, { layers: reviewItemLayerIds })[0]?.properties['item'];
      if (typeof item === 'number') onSelectRef.current(item);
    });
    created.on('mousemove', (event) => {
      const hit = created.queryRenderedFeatures(event.point, { layers: reviewItemLayerIds }).length > 0;
      created.getCanvas().style.cursor = hit ? 'pointer' : '';
    });
    let basemapTileLoaded = false;
    created.on('sourcedata', (event) => {
      if (event.sourceId === sourceIds.basemap && event.tile !== undefined) basemapTileLoaded = true;
    });
    created.on('error', (event) => {
      if ('sourceId' in event && event.sourceId === sourceIds.basemap) {
        // Offline the basemap never arrives: draw our own land opaque again, as the hazard map does.
        if (!basemapTileLoaded) created.setPaintProperty(layerIds.provinceFill, 'fill-opacity', 1);
        return;
      }
      console.error(event.error);
    });
    created.on('load', () => setMap(created));
    return () => {
      setMap(null);
      if (window.clearwayReviewMap === created) delete window.clearwayReviewMap;
      delete document.body.dataset['reviewMapReady'];
      created.remove();
    };
  }, [basemapUrl]);

  useEffect(() => {
    if (map && provinces) map.getSource<maplibregl.GeoJSONSource>(sourceIds.provinces)?.setData(provinces);
  }, [map, provinces]);

  useEffect(() => {
    if (map && districts) map.getSource<maplibregl.GeoJSONSource>(sourceIds.districts)?.setData(districts);
  }, [map, districts]);

  const features = useMemo(() => reviewFeatures(items), [items]);
  useEffect(() => {
    if (!map) return;
    map.getSource<maplibregl.GeoJSONSource>(reviewSourceIds.before)?.setData(features.before);
    map.getSource<maplibregl.GeoJSONSource>(reviewSourceIds.after)?.setData(features.after);
    map.getSource<maplibregl.GeoJSONSource>(reviewSourceIds.overlaps)?.setData(features.overlaps);
    const bounds = joinBounds([collectionBounds(features.after), collectionBounds(features.before)]);
    if (bounds) map.fitBounds(bounds, { padding: 60, maxZoom: 15, animate: false });
    map.once('idle', () => {
      window.clearwayReviewMap = map;
      document.body.dataset['reviewMapReady'] = 'true';
    });
  }, [map, features]);

  useEffect(() => {
    if (!map) return;
    map.setFilter(reviewLayerIds.selectedAfter, itemFilter(selectedItem));
    map.setFilter(reviewLayerIds.selectedBefore, itemFilter(selectedItem));
    const item = items.find((candidate) => candidate.item === selectedItem);
    const bounds = item ? itemBounds(item) : null;
    if (bounds) map.fitBounds(bounds, { padding: 80, maxZoom: 16, duration: 400 });
  }, [map, items, selectedItem]);

  return (
    <div className="review-map">
      <div ref={container} className="hazard-map__canvas" data-testid="review-map" role="region" aria-label={t('review.mapLabel')} />
      {failed ? <p className="hazard-map__failure">{t('map.noWebgl')}</p> : <ReviewMapLegend />}
    </div>
  );
}
