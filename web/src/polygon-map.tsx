// The map on which an officer draws the polygon of a hazard or a land release, corner by corner.
//
// Drawing is our own small click-to-add-corner component rather than a drawing library. We looked at terra-draw
// with its MapLibre adapter (maintained, offline, and it bundles with MapLibre 6): it is about 250 kB minified, as
// one module that does not shrink to the polygon mode, for a need this small: one polygon, corners added by
// clicks, and finish, undo and clear as plain buttons. The steps are pure functions (polygon-drawing.ts) with
// unit tests; the map keeps each click's position as MapLibre gives it (to 7 decimals, about 1 cm).
import { useEffect, useImperativeHandle, useRef, useState } from 'react';
import type { Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type * as maplibregl from 'maplibre-gl';
import type { FeatureCollection, Position } from 'geojson';
import type { AdminUnitCollection, HazardRecord } from './api';
import { geometryBounds } from './hazard-geometry';
import { createMap } from './map-setup';
import { emptyCollection, hazardColours, layerIds, sourceIds } from './map-style';
import type { PolygonalGeometry } from './pasted-geometry';
import { drawingFeatures, mayFinish } from './polygon-drawing';
import type { Drawing } from './polygon-drawing';
import { buildPolygonMapStyle, polygonColours, polygonSourceIds } from './polygon-map-style';

declare global {
  interface Window {
    /** The form's polygon map, for browser tests: set once the map has loaded and is idle. */
    clearwayPolygonMap?: maplibregl.Map;
  }
}

/** A click this close (in pixels) to the first corner finishes the polygon, as in most drawing tools. */
const finishTolerancePx = 8;

export interface PolygonMapHandle {
  /** The centre of the map (under the cross-hair), for adding a corner with the keyboard. */
  centre(): Position | null;
}

export interface PolygonMapProps {
  basemapUrl: string | null;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  /** The hazard a land release names: the officer draws inside it. */
  guide: HazardRecord | null;
  /** The polygon as it stands, drawn (from its third corner) or pasted. */
  shape: PolygonalGeometry | null;
  /** The corners while drawing; null when the polygon is pasted, and clicks then add nothing. */
  drawing: Drawing | null;
  onAddVertex: (position: Position) => void;
  onFinish: () => void;
  ref?: Ref<PolygonMapHandle>;
}

function setData(map: maplibregl.Map, id: string, data: FeatureCollection): void {
  map.getSource<maplibregl.GeoJSONSource>(id)?.setData(data);
}

function shapeCollection(shape: PolygonalGeometry | null): FeatureCollection {
  return shape ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: shape }] } : emptyCollection();
}

function PolygonMapLegend({ guide }: { guide: HazardRecord | null }) {
  const { t } = useTranslation();
  return (
    <details className="map-legend" open>
      <summary className="map-legend__title">{t('legend.title')}</summary>
      <ul className="map-legend__list">
        {guide ? (
          <li>
            <span className="swatch swatch--fill swatch--dashed" style={{ background: hazardColours[guide.type], borderColor: hazardColours[guide.type] }} />
            {t('polygon.legendHazard', { ref: guide.ref })}
          </li>
        ) : null}
        <li>
          <span className="swatch swatch--fill" style={{ background: polygonColours.shape, borderColor: polygonColours.shape }} />
          {t('polygon.legendShape')}
        </li>
      </ul>
    </details>
  );
}

export function PolygonMap({ basemapUrl, provinces, districts, guide, shape, drawing, onAddVertex, onFinish, ref }: PolygonMapProps) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [failed, setFailed] = useState(false);
  // Handlers registered once on the map read the latest drawing and callbacks through refs.
  const latest = useRef({ drawing, onAddVertex, onFinish });
  useEffect(() => {
    latest.current = { drawing, onAddVertex, onFinish };
  });

  useImperativeHandle(ref, () => ({
    centre: () => {
      if (!map) return null;
      const { lng, lat } = map.getCenter();
      return [lng, lat];
    },
  }), [map]);

  useEffect(() => {
    if (!container.current) return undefined;
    const created = createMap(container.current, buildPolygonMapStyle(basemapUrl));
    if (!created) {
      setFailed(true);
      return undefined;
    }
    created.on('click', (event) => {
      const current = latest.current.drawing;
      if (!current || current.finished) return;
      const first = current.vertices[0];
      if (first && mayFinish(current) && created.project([first[0] ?? 0, first[1] ?? 0]).dist(event.point) <= finishTolerancePx) {
        latest.current.onFinish();
        return;
      }
      latest.current.onAddVertex([event.lngLat.lng, event.lngLat.lat]);
    });
    // A double click finishes (its two clicks have added the last corner once).
    created.on('dblclick', (event) => {
      const current = latest.current.drawing;
      if (!current) return;
      event.preventDefault();
      if (mayFinish(current)) latest.current.onFinish();
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
    created.on('load', () => {
      setMap(created);
      created.once('idle', () => {
        window.clearwayPolygonMap = created;
        document.body.dataset['polygonMapReady'] = 'true';
      });
    });
    return () => {
      setMap(null);
      if (window.clearwayPolygonMap === created) delete window.clearwayPolygonMap;
      delete document.body.dataset['polygonMapReady'];
      created.remove();
    };
  }, [basemapUrl]);

  useEffect(() => {
    if (map && provinces) setData(map, sourceIds.provinces, provinces);
  }, [map, provinces]);

  useEffect(() => {
    if (map && districts) setData(map, sourceIds.districts, districts);
  }, [map, districts]);

  // The hazard a release names: shown, and brought into view so the officer draws inside it.
  useEffect(() => {
    if (!map) return;
    setData(
      map,
      polygonSourceIds.guide,
      guide ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { ref: guide.ref, type: guide.type }, geometry: guide.geometry }] } : emptyCollection(),
    );
    const bounds = guide ? geometryBounds(guide.geometry) : null;
    if (bounds) map.fitBounds(bounds, { padding: 40, maxZoom: 16, animate: false });
  }, [map, guide]);

  const drawingMode = drawing !== null;
  useEffect(() => {
    if (!map) return;
    setData(map, polygonSourceIds.shape, shapeCollection(shape));
    // A pasted polygon is brought into view, so the officer sees where the coordinates fall.
    const bounds = !drawingMode && shape ? geometryBounds(shape) : null;
    if (bounds) map.fitBounds(bounds, { padding: 40, maxZoom: 16, animate: false });
  }, [map, shape, drawingMode]);

  useEffect(() => {
    if (!map) return;
    const features = drawing ? drawingFeatures(drawing) : { path: emptyCollection(), vertices: emptyCollection() };
    setData(map, polygonSourceIds.path, features.path);
    setData(map, polygonSourceIds.vertices, features.vertices);
    map.getCanvas().style.cursor = drawing && !drawing.finished ? 'crosshair' : '';
    // Double clicks finish a polygon while drawing; otherwise they zoom, as on every other map.
    if (drawing) map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
  }, [map, drawing]);

  return (
    <div className="polygon-map">
      <div ref={container} className="hazard-map__canvas" data-testid="polygon-map" role="region" aria-label={t('polygon.mapLabel')} />
      {drawing && !drawing.finished && !failed ? <span className="polygon-map__crosshair" aria-hidden="true" /> : null}
      {failed ? <p className="hazard-map__failure">{t('polygon.noWebgl')}</p> : <PolygonMapLegend guide={guide} />}
    </div>
  );
}
