// The controls of the form for a kind the web has no form of its own for, one per declared exchange field
// (a date, a whole number, a choice or text with suggestions, as the declaration says), and the place of a
// point: longitude and latitude typed, or a click on the map.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type * as maplibregl from 'maplibre-gl';
import type { FeatureCollection, Point } from 'geojson';
import type { AdminUnitCollection } from '../api';
import { createMap } from '../map-setup';
import { emptyCollection, sourceIds } from '../map-style';
import { buildPolygonMapStyle, polygonSourceIds } from '../polygon-map-style';
import { clickedPoint } from './declared-record';
import type { DeclaredValues, PointInput } from './declared-record';
import type { ExchangeField } from './records-api';

declare global {
  interface Window {
    /** The form's point map, for browser tests: set once the map has loaded and is idle. */
    clearwayPointMap?: maplibregl.Map;
  }
}

const label = (t: (key: string, options?: Record<string, unknown>) => string, name: string) => t(`recordForm.field.${name}`, { defaultValue: name });

interface DeclaredFieldsProps {
  fields: readonly ExchangeField[];
  values: DeclaredValues;
  onChange: (values: DeclaredValues) => void;
  ids: (field: string) => string;
  missing: readonly string[];
  organisationsListId: string;
}

export function DeclaredFields({ fields, values, onChange, ids, missing, organisationsListId }: DeclaredFieldsProps) {
  const { t } = useTranslation();
  const set = (name: string, value: string) => onChange({ ...values, [name]: value });
  return (
    <div className="record-form__grid" data-testid="declared-fields">
      {fields.map((field) => {
        const id = ids(field.name);
        const hintId = `${id}-hint`;
        const common = {
          id,
          className: 'text-input',
          value: values[field.name] ?? '',
          'aria-describedby': hintId,
          ...(missing.includes(field.name) ? { 'aria-invalid': true as const } : {}),
          required: field.required,
          'data-testid': `form-field-${field.name}`,
        };
        const suggestions = field.input?.suggestions;
        const listId = field.name === 'operator' ? organisationsListId : suggestions ? `${id}-suggestions` : undefined;
        let control;
        if (field.input?.type === 'choice') {
          control = (
            <select {...common} onChange={(event) => set(field.name, event.target.value)}>
              <option value="">{t('recordForm.choose')}</option>
              {(field.input.choices ?? []).map((choice) => (
                <option key={choice} value={choice}>
                  {t(`recordForm.choice.${choice}`, { defaultValue: choice.replace(/_/g, ' ') })}
                </option>
              ))}
            </select>
          );
        } else {
          const type = field.input?.type === 'date' ? 'date' : field.input?.type === 'integer' ? 'number' : 'text';
          control = (
            <>
              <input
                {...common}
                type={type}
                {...(type === 'number' ? { step: 1 } : {})}
                list={listId}
                spellCheck={false}
                autoComplete="off"
                onChange={(event) => set(field.name, event.target.value)}
              />
              {suggestions ? (
                <datalist id={listId}>
                  {suggestions.map((suggestion) => (
                    <option key={suggestion} value={suggestion} />
                  ))}
                </datalist>
              ) : null}
            </>
          );
        }
        return (
          <div key={field.name} className="field">
            <label htmlFor={id}>
              {label(t, field.name)}
              {field.required ? '' : ` ${t('recordForm.optional')}`}
            </label>
            {control}
            <span id={hintId} className="hint">
              {field.description}
            </span>
          </div>
        );
      })}
    </div>
  );
}

// Drawn as the polygon form draws its first corner: the larger circle.
function pointCollection(point: Point | null): FeatureCollection {
  return point ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { first: true }, geometry: point }] } : emptyCollection();
}

/** A map on which a click places the point; the point typed is shown on it. */
function PointMap({ basemapUrl, provinces, districts, point, onClick }: {
  basemapUrl: string | null;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  point: Point | null;
  onClick: (input: PointInput) => void;
}) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [failed, setFailed] = useState(false);
  const latest = useRef(onClick);
  useEffect(() => {
    latest.current = onClick;
  });

  useEffect(() => {
    if (!container.current) return undefined;
    // The polygon form's style: our boundaries, and its corner layer draws the point.
    const created = createMap(container.current, buildPolygonMapStyle(basemapUrl));
    if (!created) {
      setFailed(true);
      return undefined;
    }
    created.getCanvas().style.cursor = 'crosshair';
    created.on('click', (event) => latest.current(clickedPoint(event.lngLat.lng, event.lngLat.lat)));
    created.on('error', (event) => {
      // Offline the basemap never arrives; our own boundaries are drawn anyway.
      if ('sourceId' in event && event.sourceId === sourceIds.basemap) return;
      console.error(event.error);
    });
    created.on('load', () => {
      setMap(created);
      created.once('idle', () => {
        window.clearwayPointMap = created;
        document.body.dataset['pointMapReady'] = 'true';
      });
    });
    return () => {
      setMap(null);
      if (window.clearwayPointMap === created) delete window.clearwayPointMap;
      delete document.body.dataset['pointMapReady'];
      created.remove();
    };
  }, [basemapUrl]);

  useEffect(() => {
    if (map && provinces) map.getSource<maplibregl.GeoJSONSource>(sourceIds.provinces)?.setData(provinces);
  }, [map, provinces]);
  useEffect(() => {
    if (map && districts) map.getSource<maplibregl.GeoJSONSource>(sourceIds.districts)?.setData(districts);
  }, [map, districts]);
  useEffect(() => {
    map?.getSource<maplibregl.GeoJSONSource>(polygonSourceIds.vertices)?.setData(pointCollection(point));
  }, [map, point]);

  return (
    <div className="polygon-map">
      <div ref={container} className="hazard-map__canvas" data-testid="point-map" role="region" aria-label={t('recordForm.pointMap')} />
      {failed ? <p className="hazard-map__failure">{t('polygon.noWebgl')}</p> : null}
    </div>
  );
}

interface PointFieldProps {
  value: PointInput;
  onChange: (value: PointInput) => void;
  point: Point | null;
  basemapUrl: string | null | undefined;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  firstControlId: string;
  invalid: boolean;
}

/** The place of a point: longitude and latitude (WGS84, degrees), typed or set by a click on the map. */
export function PointField({ value, onChange, point, basemapUrl, provinces, districts, firstControlId, invalid }: PointFieldProps) {
  const { t } = useTranslation();
  return (
    <fieldset className="polygon-field" aria-invalid={invalid || undefined} data-testid="point-field">
      <legend className="polygon-field__legend">{t('recordForm.field.point')}</legend>
      <p className="hint">{t('recordForm.pointHint')}</p>
      <div className="record-form__grid">
        <div className="field">
          <label htmlFor={firstControlId}>{t('recordForm.field.lon')}</label>
          <input id={firstControlId} className="text-input" inputMode="decimal" value={value.lon} onChange={(event) => onChange({ ...value, lon: event.target.value })} autoComplete="off" data-testid="form-lon" />
        </div>
        <div className="field">
          <label htmlFor={`${firstControlId}-lat`}>{t('recordForm.field.lat')}</label>
          <input id={`${firstControlId}-lat`} className="text-input" inputMode="decimal" value={value.lat} onChange={(event) => onChange({ ...value, lat: event.target.value })} autoComplete="off" data-testid="form-lat" />
        </div>
      </div>
      <div className="polygon-field__map">
        <PointMap basemapUrl={basemapUrl ?? null} provinces={provinces} districts={districts} point={point} onClick={onChange} />
      </div>
    </fieldset>
  );
}
