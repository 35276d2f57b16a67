import { useEffect, useId, useMemo, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, fetchHazardDetails, fetchOrganisations } from './api';
import type { AdminUnitCollection, HazardDetails } from './api';
import { translateTerm } from './domain-terms';
import { formatSquareMetres } from './format';
import { PolygonField } from './polygon-field';
import { emptyPolygonInput, inputPolygon } from './polygon-drawing';
import type { PolygonInput } from './polygon-drawing';
import { ProblemMessage } from './problem-message';
import {
  blankDevice,
  blankHazard,
  hazardValuesOf,
  releaseValuesOf,
  blankRelease,
  contaminationTypes,
  deviceCategories,
  hazardFeature,
  hazardTypes,
  methodForKind,
  methodsFor,
  missingHazardFields,
  missingReleaseFields,
  releaseFeature,
  releaseKinds,
  suggestedSources,
} from './record-form';
import type { DeviceRow, HazardField, HazardFormValues, ReleaseField, ReleaseFormValues } from './record-form';
import type { Session } from './session-api';
import { createFormSubmission, replaceFormSubmission } from './submission-api';
import type { Submission, SubmissionKind } from './submission-api';
import { useAction } from './use-action';
import { useApi } from './use-api';
import type { Loaded } from './use-api';
import type { PolygonalGeometry } from './pasted-geometry';
import { DeclaredFields, PointField } from './kinds/declared-fields';
import { blankDeclared, declaredFeature, emptyPoint, missingDeclared, pointOf } from './kinds/declared-record';
import type { DeclaredValues, PointInput } from './kinds/declared-record';
import { fetchKinds } from './kinds/records-api';
import type { KindDescription, KindId } from './kinds/records-api';

/** The kinds with a form of their own (polygons drawn or pasted, a release's hazard looked up). */
const ownForms: readonly KindId[] = ['hazards', 'releases'];

/** The exchange format's ref: what is worth asking the server about while the officer types a hazard's ref. */
const refPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The value once it has stopped changing for a moment, so typing a ref does not ask the server at each key. */
function useSettledValue<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  invalid: boolean;
  wide?: boolean;
  children: (described: { 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}

/** A labelled control with its hint read out with it, and marked when the light check finds it empty. */
function Field({ id, label, hint, invalid, wide, children }: FieldProps) {
  const hintId = `${id}-hint`;
  return (
    <div className={wide ? 'field record-form__wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ ...(hint ? { 'aria-describedby': hintId } : {}), ...(invalid ? { 'aria-invalid': true } : {}) })}
      {hint ? (
        <span id={hintId} className="hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** Radio buttons or check boxes as one labelled group. */
function ChoiceGroup({ legend, invalid, wide, children }: { legend: string; invalid: boolean; wide?: boolean; children: ReactNode }) {
  return (
    <fieldset className={wide ? 'choice-row record-form__group record-form__wide' : 'choice-row record-form__group'} aria-invalid={invalid || undefined}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

interface HazardFieldsProps {
  values: HazardFormValues;
  onChange: (values: HazardFormValues) => void;
  ids: (field: HazardField) => string;
  missing: readonly string[];
  organisationsListId: string;
}

function HazardFields({ values, onChange, ids, missing, organisationsListId }: HazardFieldsProps) {
  const { t } = useTranslation();
  const set = <K extends keyof HazardFormValues>(key: K, value: HazardFormValues[K]) => onChange({ ...values, [key]: value });
  const sourcesListId = `${ids('source')}-suggestions`;
  return (
    <div className="record-form__grid">
      <Field id={ids('ref')} label={t('recordForm.field.ref')} hint={t('recordForm.refHint')} invalid={missing.includes('ref')}>
        {(described) => (
          <input id={ids('ref')} className="text-input" value={values.ref} onChange={(event) => set('ref', event.target.value)} spellCheck={false} autoComplete="off" required {...described} data-testid="form-ref" />
        )}
      </Field>
      <ChoiceGroup legend={t('recordForm.field.type')} invalid={missing.includes('type')}>
        {hazardTypes.map((type, index) => (
          <label key={type} className="choice">
            <input id={index === 0 ? ids('type') : undefined} type="radio" name={ids('type')} value={type} checked={values.type === type} onChange={() => set('type', type)} data-testid={`form-type-${type}`} />
            {t(`hazard.type.${type}`)}
          </label>
        ))}
      </ChoiceGroup>
      <ChoiceGroup legend={t('recordForm.field.contamination')} invalid={missing.includes('contamination')} wide>
        {contaminationTypes.map((type, index) => (
          <label key={type} className="choice">
            <input
              id={index === 0 ? ids('contamination') : undefined}
              type="checkbox"
              value={type}
              checked={values.contamination.includes(type)}
              onChange={(event) =>
                set('contamination', event.target.checked ? [...values.contamination, type] : values.contamination.filter((chosen) => chosen !== type))
              }
              data-testid={`form-contamination-${type}`}
            />
            {translateTerm(t, 'contamination', type)} ({type})
          </label>
        ))}
      </ChoiceGroup>
      <Field id={ids('source')} label={t('recordForm.field.source')} hint={t('recordForm.sourceHint')} invalid={missing.includes('source')}>
        {(described) => (
          <>
            <input id={ids('source')} className="text-input" list={sourcesListId} value={values.source} onChange={(event) => set('source', event.target.value)} required {...described} data-testid="form-source" />
            <datalist id={sourcesListId}>
              {suggestedSources.map((source) => (
                <option key={source} value={source}>
                  {translateTerm(t, 'source', source)}
                </option>
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field id={ids('recorded_on')} label={t('recordForm.field.recorded_on')} invalid={missing.includes('recorded_on')}>
        {(described) => (
          <input id={ids('recorded_on')} className="text-input" type="date" value={values.recorded_on} onChange={(event) => set('recorded_on', event.target.value)} required {...described} data-testid="form-recorded-on" />
        )}
      </Field>
      <Field id={ids('operator')} label={t('recordForm.field.operatorOptional')} hint={t('recordForm.operatorHint')} invalid={false}>
        {(described) => (
          <input id={ids('operator')} className="text-input" list={organisationsListId} value={values.operator} onChange={(event) => set('operator', event.target.value)} spellCheck={false} autoComplete="off" {...described} data-testid="form-operator" />
        )}
      </Field>
      <Field id={ids('village_code')} label={t('recordForm.field.village_code')} hint={t('recordForm.villageHint')} invalid={false}>
        {(described) => (
          <input id={ids('village_code')} className="text-input" inputMode="numeric" value={values.village_code} onChange={(event) => set('village_code', event.target.value)} autoComplete="off" {...described} data-testid="form-village-code" />
        )}
      </Field>
      <Field id={ids('notes')} label={t('recordForm.field.notes')} invalid={false} wide>
        {(described) => <textarea id={ids('notes')} className="text-input" rows={2} value={values.notes} onChange={(event) => set('notes', event.target.value)} {...described} data-testid="form-notes" />}
      </Field>
    </div>
  );
}

/** Where the hazard a release names stands: shown on the map, not in the official record, or being looked up. */
function NamedHazard({ hazardRef, hazard, id }: { hazardRef: string | null; hazard: Loaded<HazardDetails> | null; id: string }) {
  const { t } = useTranslation();
  if (hazardRef === null || hazard === null) return <span id={id} className="hint" role="status" data-testid="form-hazard-status" />;
  let state: string;
  let text: string;
  if (hazard.state === 'loading') {
    state = 'loading';
    text = t('recordForm.hazardLooking', { ref: hazardRef });
  } else if (hazard.state === 'ready') {
    const { ref, type, area_m2: area } = hazard.data.hazard;
    state = 'found';
    text = t('recordForm.hazardFound', { ref, type: t(`hazard.typeShort.${type}`, { defaultValue: type }), area: formatSquareMetres(area) });
  } else if (hazard.error instanceof ApiError && hazard.error.status === 404) {
    state = 'missing';
    text = t('recordForm.hazardMissing', { ref: hazardRef });
  } else {
    state = 'failed';
    text = t('common.failed', { reason: hazard.error.message });
  }
  return (
    <span id={id} className={state === 'missing' || state === 'failed' ? 'error' : 'hint'} role="status" data-testid="form-hazard-status" data-state={state}>
      {text}
    </span>
  );
}

function DeviceRows({ rows, onChange, idPrefix }: { rows: DeviceRow[]; onChange: (rows: DeviceRow[]) => void; idPrefix: string }) {
  const { t } = useTranslation();
  const setRow = (index: number, row: DeviceRow) => onChange(rows.map((current, at) => (at === index ? row : current)));
  return (
    <fieldset className="record-form__devices record-form__wide" data-testid="form-devices">
      <legend>{t('recordForm.field.devices')}</legend>
      {rows.length === 0 ? <p className="hint">{t('recordForm.devicesNone')}</p> : null}
      {rows.map((row, index) => {
        const id = `${idPrefix}-device-${index}`;
        return (
          <div key={index} className="record-form__device" data-testid="form-device">
            <div className="field">
              <label htmlFor={`${id}-category`}>{t('recordForm.deviceCategory')}</label>
              <select id={`${id}-category`} className="text-input" value={row.category} onChange={(event) => setRow(index, { ...row, category: event.target.value as DeviceRow['category'] })} data-testid="form-device-category">
                <option value="">{t('recordForm.choose')}</option>
                {deviceCategories.map((category) => (
                  <option key={category} value={category}>
                    {translateTerm(t, 'deviceCategory', category)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-model`}>{t('recordForm.deviceModel')}</label>
              <input id={`${id}-model`} className="text-input" value={row.model} onChange={(event) => setRow(index, { ...row, model: event.target.value })} data-testid="form-device-model" />
            </div>
            <div className="field">
              <label htmlFor={`${id}-quantity`}>{t('recordForm.deviceQuantity')}</label>
              <input id={`${id}-quantity`} className="text-input" type="number" min={1} step={1} value={row.quantity} onChange={(event) => setRow(index, { ...row, quantity: event.target.value })} data-testid="form-device-quantity" />
            </div>
            <button type="button" className="button" onClick={() => onChange(rows.filter((_, at) => at !== index))} aria-label={t('recordForm.deviceRemoveLabel', { number: index + 1 })} data-testid="form-device-remove">
              {t('recordForm.deviceRemove')}
            </button>
          </div>
        );
      })}
      <div className="actions">
        <button type="button" className="button" onClick={() => onChange([...rows, blankDevice])} data-testid="form-device-add">
          {t('recordForm.deviceAdd')}
        </button>
      </div>
    </fieldset>
  );
}

interface ReleaseFieldsProps {
  values: ReleaseFormValues;
  onChange: (values: ReleaseFormValues) => void;
  ids: (field: ReleaseField) => string;
  missing: readonly string[];
  organisationsListId: string;
  hazardRef: string | null;
  hazard: Loaded<HazardDetails> | null;
}

function ReleaseFields({ values, onChange, ids, missing, organisationsListId, hazardRef, hazard }: ReleaseFieldsProps) {
  const { t } = useTranslation();
  const set = <K extends keyof ReleaseFormValues>(key: K, value: ReleaseFormValues[K]) => onChange({ ...values, [key]: value });
  const methods = methodsFor(values.kind);
  const hazardStatusId = `${ids('hazard_ref')}-status`;
  return (
    <div className="record-form__grid">
      <Field id={ids('ref')} label={t('recordForm.field.ref')} hint={t('recordForm.refHint')} invalid={missing.includes('ref')}>
        {(described) => (
          <input id={ids('ref')} className="text-input" value={values.ref} onChange={(event) => set('ref', event.target.value)} spellCheck={false} autoComplete="off" required {...described} data-testid="form-ref" />
        )}
      </Field>
      <div className="field">
        <label htmlFor={ids('hazard_ref')}>{t('recordForm.field.hazard_ref')}</label>
        <input
          id={ids('hazard_ref')}
          className="text-input"
          value={values.hazard_ref}
          onChange={(event) => set('hazard_ref', event.target.value)}
          spellCheck={false}
          autoComplete="off"
          required
          aria-describedby={hazardStatusId}
          aria-invalid={missing.includes('hazard_ref') || undefined}
          data-testid="form-hazard-ref"
        />
        <NamedHazard hazardRef={hazardRef} hazard={hazard} id={hazardStatusId} />
      </div>
      <ChoiceGroup legend={t('recordForm.field.kind')} invalid={missing.includes('kind')}>
        {releaseKinds.map((kind, index) => (
          <label key={kind} className="choice">
            <input
              id={index === 0 ? ids('kind') : undefined}
              type="radio"
              name={ids('kind')}
              value={kind}
              checked={values.kind === kind}
              onChange={() => onChange({ ...values, kind, method: methodForKind(kind, values.method) })}
              data-testid={`form-release-kind-${kind}`}
            />
            {translateTerm(t, 'releaseKind', kind)}
          </label>
        ))}
      </ChoiceGroup>
      <Field id={ids('method')} label={t('recordForm.field.method')} hint={values.kind === '' ? t('recordForm.methodAfterKind') : undefined} invalid={missing.includes('method')}>
        {(described) => (
          <select
            id={ids('method')}
            className="text-input"
            value={values.method}
            onChange={(event) => set('method', event.target.value as ReleaseFormValues['method'])}
            disabled={methods.length === 0}
            required
            {...described}
            data-testid="form-method"
          >
            {values.method === '' ? <option value="">{t('recordForm.choose')}</option> : null}
            {methods.map((method) => (
              <option key={method} value={method}>
                {translateTerm(t, 'releaseMethod', method)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={ids('operator')} label={t('recordForm.field.operator')} hint={t('recordForm.operatorHint')} invalid={missing.includes('operator')}>
        {(described) => (
          <input id={ids('operator')} className="text-input" list={organisationsListId} value={values.operator} onChange={(event) => set('operator', event.target.value)} spellCheck={false} autoComplete="off" required {...described} data-testid="form-operator" />
        )}
      </Field>
      <Field id={ids('start_date')} label={t('recordForm.field.start_date')} invalid={missing.includes('start_date')}>
        {(described) => (
          <input id={ids('start_date')} className="text-input" type="date" value={values.start_date} onChange={(event) => set('start_date', event.target.value)} required {...described} data-testid="form-start-date" />
        )}
      </Field>
      <Field id={ids('end_date')} label={t('recordForm.field.end_date')} invalid={missing.includes('end_date')}>
        {(described) => (
          <input id={ids('end_date')} className="text-input" type="date" value={values.end_date} onChange={(event) => set('end_date', event.target.value)} required {...described} data-testid="form-end-date" />
        )}
      </Field>
      <DeviceRows rows={values.devices} onChange={(devices) => set('devices', devices)} idPrefix={ids('devices')} />
    </div>
  );
}

export interface SubmissionFormProps {
  session: Session;
  basemapUrl: string | null | undefined;
  provinces: AdminUnitCollection | null;
  districts: AdminUnitCollection | null;
  onCreated: (submission: Submission) => void;
  /** A draft made from the form, to correct: its kind is fixed and sending replaces its record. */
  editing?: FormDraft;
}

export interface FormDraft {
  id: number;
  kind: SubmissionKind;
  properties: Record<string, unknown>;
  geometry: PolygonalGeometry;
}

/**
 * One hazard or one land release filled in on the page: sent as a submission of one record, checked at once with
 * the import's checks, and then shown with its validation report like an uploaded file.
 */
export function SubmissionForm({ session, basemapUrl, provinces, districts, onCreated, editing }: SubmissionFormProps) {
  const { t } = useTranslation();
  const baseId = useId();
  const organisation = session.user.organisation;
  const [kind, setKind] = useState<KindId>(editing?.kind ?? 'hazards');
  // Kinds with no form of their own (EO finds, and the kinds that follow) are asked field by field as the
  // server declares them; the officer may send those the declaration lets them submit.
  const kinds = useApi('kinds', (signal) => fetchKinds(signal));
  const declaredKinds: KindDescription[] = kinds.state === 'ready' ? kinds.data.filter((k) => k.allowed.submit && !ownForms.includes(k.id) && k.geometry !== 'polygon') : [];
  const declared = declaredKinds.find((k) => k.id === kind) ?? null;
  const [declaredValues, setDeclaredValues] = useState<Partial<Record<KindId, DeclaredValues>>>({});
  const values = declared ? (declaredValues[declared.id] ?? blankDeclared(declared.fields, organisation)) : {};
  const [pointInput, setPointInput] = useState<PointInput>(emptyPoint);
  const point = useMemo(() => pointOf(pointInput), [pointInput]);
  const [hazard, setHazard] = useState(() => (editing?.kind === 'hazards' ? hazardValuesOf(editing.properties, organisation) : blankHazard(organisation)));
  const [release, setRelease] = useState(() => (editing?.kind === 'releases' ? releaseValuesOf(editing.properties, organisation) : blankRelease(organisation)));
  // The polygon sent before comes back as pasted GeoJSON: shown on the map, and replaced by drawing or pasting anew.
  const [polygon, setPolygon] = useState<PolygonInput>(() =>
    editing ? { ...emptyPolygonInput, mode: 'paste', pasted: JSON.stringify(editing.geometry) } : emptyPolygonInput,
  );
  const [checked, setChecked] = useState(false);
  const sending = useAction();
  const organisations = useApi('organisations', (signal) => fetchOrganisations(signal));

  // Parsed once per change of the polygon, so the map sees the same object until the polygon really changes.
  const { geometry, pasted } = useMemo(() => inputPolygon(polygon), [polygon]);

  const settledRef = useSettledValue(release.hazard_ref.trim(), 400);
  const hazardRef = kind === 'releases' && refPattern.test(settledRef) ? settledRef : null;
  const namedHazard = useApi(hazardRef === null ? null : `form-hazard:${hazardRef}`, (signal) => fetchHazardDetails(hazardRef ?? '', signal));
  const guide = hazardRef !== null && namedHazard.state === 'ready' && namedHazard.data.hazard.ref === hazardRef ? namedHazard.data.hazard : null;

  const missing: readonly string[] = declared
    ? missingDeclared(declared.fields, values, declared.geometry === 'point' ? point : undefined)
    : kind === 'hazards' ? missingHazardFields(hazard, geometry) : missingReleaseFields(release, geometry);
  const shownMissing = checked ? missing : [];
  const ids = (field: string) => `${baseId}-${kind}-${field}`;
  const organisationsListId = `${baseId}-organisations`;

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (missing.length > 0 || (!declared && geometry === null)) {
      document.getElementById(ids(missing[0] ?? 'geometry'))?.focus();
      return;
    }
    const feature = declared
      ? declaredFeature(declared.fields, values, declared.geometry === 'point' ? point : null)
      : kind === 'hazards' ? hazardFeature(hazard, geometry!) : releaseFeature(release, geometry!);
    const created = await sending.run(() =>
      editing ? replaceFormSubmission(editing.id, [feature], session.csrfToken) : createFormSubmission(kind, [feature], session.csrfToken),
    );
    if (created) onCreated(created);
  };

  return (
    <form className="record-form" onSubmit={(event) => void send(event)} noValidate data-testid="submission-form">
      <p className="hint">{t('recordForm.hint')}</p>
      <fieldset className="choice-row" disabled={editing !== undefined}>
        <legend>{t('recordForm.kind')}</legend>
        {[...ownForms, ...declaredKinds.map((k) => k.id)].map((value) => (
          <label key={value} className="choice">
            <input type="radio" name={`${baseId}-kind`} value={value} checked={kind === value} onChange={() => setKind(value)} data-testid={`form-kind-${value}`} />
            {t(`recordForm.kindChoice.${value}`)}
          </label>
        ))}
      </fieldset>
      <datalist id={organisationsListId}>
        {organisations.state === 'ready'
          ? organisations.data.map((candidate) => (
              <option key={candidate.code} value={candidate.code}>
                {candidate.name}
              </option>
            ))
          : null}
      </datalist>
      {declared ? (
        <DeclaredFields
          fields={declared.fields}
          values={values}
          onChange={(changed) => setDeclaredValues({ ...declaredValues, [declared.id]: changed })}
          ids={ids}
          missing={shownMissing}
          organisationsListId={organisationsListId}
        />
      ) : kind === 'hazards' ? (
        <HazardFields values={hazard} onChange={setHazard} ids={ids} missing={shownMissing} organisationsListId={organisationsListId} />
      ) : (
        <ReleaseFields
          values={release}
          onChange={setRelease}
          ids={ids}
          missing={shownMissing}
          organisationsListId={organisationsListId}
          hazardRef={hazardRef}
          hazard={hazardRef === null ? null : namedHazard}
        />
      )}
      {declared?.geometry === 'point' ? (
        <PointField
          value={pointInput}
          onChange={setPointInput}
          point={point}
          basemapUrl={basemapUrl}
          provinces={provinces}
          districts={districts}
          firstControlId={ids('geometry')}
          invalid={shownMissing.includes('geometry')}
        />
      ) : declared ? null : (
        <PolygonField
          value={polygon}
          onChange={setPolygon}
          geometry={geometry}
          pasted={pasted}
          guide={kind === 'releases' ? guide : null}
          basemapUrl={basemapUrl}
          provinces={provinces}
          districts={districts}
          firstControlId={ids('geometry')}
          invalid={shownMissing.includes('geometry')}
        />
      )}
      {shownMissing.length > 0 ? (
        <p className="problem" role="alert" data-testid="form-missing">
          {t('recordForm.missing', { fields: shownMissing.map((field) => t(`recordForm.field.${field === 'geometry' && declared?.geometry === 'point' ? 'point' : field}`, { defaultValue: field })).join(', ') })}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={sending.busy} data-testid="form-submit">
          {sending.busy ? t('upload.checking') : t('recordForm.submit')}
        </button>
      </div>
      <ProblemMessage error={sending.error} />
    </form>
  );
}
