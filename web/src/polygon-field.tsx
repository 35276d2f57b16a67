import { useId, useRef } from 'react';
import type { Dispatch, SetStateAction } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminUnitCollection, HazardRecord } from './api';
import { cornerCount } from './pasted-geometry';
import type { PastedGeometry, PolygonalGeometry } from './pasted-geometry';
import { addVertex, emptyDrawing, finishDrawing, mayFinish, minimumCorners, undoDrawing } from './polygon-drawing';
import type { Drawing, PolygonInput } from './polygon-drawing';
import { PolygonMap } from './polygon-map';
import type { PolygonMapHandle } from './polygon-map';

export interface PolygonFieldProps {
  value: PolygonInput;
  /** A state setter: map clicks come faster than renders, so each change is made to the latest value. */
  onChange: Dispatch<SetStateAction<PolygonInput>>;
  /** The polygon the input makes, and what was read from pasted text (inputPolygon). */
  geometry: PolygonalGeometry | null;
  pasted: PastedGeometry | null;
  guide: HazardRecord | null;
  basemapUrl: string | null | undefined;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  /** The id of the first control, so a check that finds no polygon can bring the officer here. */
  firstControlId: string;
  invalid: boolean;
}

function DrawingStatus({ drawing }: { drawing: Drawing }) {
  const { t } = useTranslation();
  const count = drawing.vertices.length;
  const text =
    count === 0
      ? t('polygon.drawStart')
      : drawing.finished
        ? t('polygon.drawFinished', { count })
        : count < minimumCorners
          ? t('polygon.drawMore', { count })
          : t('polygon.drawClose', { count });
  return (
    <p className="polygon-field__status" role="status" data-testid="draw-status" data-corners={count} data-finished={drawing.finished}>
      {text}
    </p>
  );
}

function PastedStatus({ pasted, id }: { pasted: PastedGeometry | null; id: string }) {
  const { t } = useTranslation();
  if (!pasted) return <p id={id} className="hint" role="status" data-testid="paste-status" />;
  if (pasted.valid) {
    return (
      <p id={id} className="polygon-field__status" role="status" data-testid="paste-status" data-valid="true">
        {t('polygon.pasteRead', { format: pasted.format === 'wkt' ? 'WKT' : 'GeoJSON', type: pasted.geometry.type, count: cornerCount(pasted.geometry) })}
      </p>
    );
  }
  return (
    <p id={id} className="error" role="status" data-testid="paste-status" data-valid="false">
      {t(`polygon.pasteProblem.${pasted.reason}`, { detail: pasted.detail })}
    </p>
  );
}

/** The polygon of a form: drawn on the map corner by corner, or pasted as GeoJSON or WKT from a GPS unit or QGIS. */
export function PolygonField({ value, onChange, geometry, pasted, guide, basemapUrl, provinces, districts, firstControlId, invalid }: PolygonFieldProps) {
  const { t } = useTranslation();
  const id = useId();
  const mapHandle = useRef<PolygonMapHandle>(null);
  const setDrawing = (change: (drawing: Drawing) => Drawing) => onChange((previous) => ({ ...previous, drawing: change(previous.drawing) }));
  const drawing = value.drawing;
  const addCentre = () => {
    const centre = mapHandle.current?.centre();
    if (centre) setDrawing((previous) => addVertex(previous, centre));
  };

  return (
    <fieldset className="polygon-field" aria-invalid={invalid || undefined} data-testid="polygon-field">
      <legend className="polygon-field__legend">{t('recordForm.field.geometry')}</legend>
      <div className="choice-row" role="radiogroup" aria-label={t('polygon.how')}>
        {(['draw', 'paste'] as const).map((mode, index) => (
          <label key={mode} className="choice">
            <input
              id={index === 0 ? firstControlId : undefined}
              type="radio"
              name={`${id}-mode`}
              value={mode}
              checked={value.mode === mode}
              onChange={() => onChange((previous) => ({ ...previous, mode }))}
              data-testid={`polygon-mode-${mode}`}
            />
            {t(`polygon.mode.${mode}`)}
          </label>
        ))}
      </div>
      {value.mode === 'draw' ? (
        <p className="hint">{t('polygon.drawHint')}</p>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-paste`}>{t('polygon.pasteLabel')}</label>
          <p className="hint" id={`${id}-paste-hint`}>
            {t('polygon.pasteHint')}
          </p>
          <textarea
            id={`${id}-paste`}
            className="text-input polygon-field__paste"
            rows={4}
            spellCheck={false}
            value={value.pasted}
            onChange={(event) => {
              const pastedText = event.target.value;
              onChange((previous) => ({ ...previous, pasted: pastedText }));
            }}
            aria-describedby={`${id}-paste-hint ${id}-paste-status`}
            aria-invalid={pasted?.valid === false || undefined}
            placeholder="POLYGON((102.95 13.05, 102.96 13.05, 102.96 13.06, 102.95 13.05))"
            data-testid="polygon-paste"
          />
          <PastedStatus pasted={pasted} id={`${id}-paste-status`} />
        </div>
      )}
      <div className="polygon-field__map">
        {/* The map waits for the config, so that it is made once, with the basemap if there is one. */}
        {basemapUrl !== undefined ? (
          <PolygonMap
            ref={mapHandle}
            basemapUrl={basemapUrl}
            provinces={provinces}
            districts={districts}
            guide={guide}
            shape={geometry}
            drawing={value.mode === 'draw' ? drawing : null}
            onAddVertex={(position) => setDrawing((previous) => addVertex(previous, position))}
            onFinish={() => setDrawing(finishDrawing)}
          />
        ) : null}
      </div>
      {value.mode === 'draw' ? (
        <>
          <div className="actions">
            <button type="button" className="button" onClick={addCentre} disabled={drawing.finished} data-testid="draw-add-centre">
              {t('polygon.addCentre')}
            </button>
            <button type="button" className="button" onClick={() => setDrawing(finishDrawing)} disabled={!mayFinish(drawing)} data-testid="draw-finish">
              {t('polygon.finish')}
            </button>
            <button type="button" className="button" onClick={() => setDrawing(undoDrawing)} disabled={drawing.vertices.length === 0} data-testid="draw-undo">
              {t('polygon.undo')}
            </button>
            <button type="button" className="button" onClick={() => setDrawing(() => emptyDrawing)} disabled={drawing.vertices.length === 0} data-testid="draw-clear">
              {t('polygon.clear')}
            </button>
          </div>
          <DrawingStatus drawing={drawing} />
        </>
      ) : null}
    </fieldset>
  );
}
